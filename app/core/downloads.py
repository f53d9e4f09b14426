"""Generated files (Excel, Word) sent as downloads, for pages and the API alike."""

import io

from flask import Response, send_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def attachment(data: bytes, mimetype: str, filename: str) -> Response:
    """Bytes as a download; Werkzeug writes Content-Disposition, quoting the name (and giving filename* for a
    name that is not ASCII), so nothing in it can add a parameter or a header."""
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0)
