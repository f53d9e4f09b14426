"""What Schemathesis must be told of the API document's media types."""

import schemathesis

# A tus piece (PATCH /api/v1/tasks/{task_id}/uploads/{upload_id}) is raw bytes, sent as application/octet-stream is.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
