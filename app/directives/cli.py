"""``flask directive extract FILE``: print what the service reads in a directive, storing nothing."""

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.errors import DomainError
from app.directives.extraction import extract
from app.directives.reading import read_document

directive_cli = AppGroup("directive", help="Văn bản chỉ đạo.")


@directive_cli.command("extract")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def extract_command(path: Path) -> None:
    """Read a .txt, .docx or .pdf directive and print its structure as JSON."""
    try:
        data = path.read_bytes()
        result = read_document(data, path.name)
    except FileNotFoundError:
        click.echo(f"Không tìm thấy tệp: {path}", err=True)
        sys.exit(1)
    except DomainError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    extracted = extract(result.text)
    if result.read_by_ocr:
        extracted["read_by_ocr"] = True
    click.echo(json.dumps(extracted, ensure_ascii=False, indent=2))
