"""``flask backup create DIR`` and ``flask backup restore DIR``: progress on stderr, one JSON summary line on stdout."""

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.backup.services import BackupRefused, Progress, create_backup, restore_backup

backup_cli = AppGroup("backup", help="Sao lưu và khôi phục CSDL cùng kho tệp minh chứng.")


class BarProgress(Progress):
    """Each phase as a click progress bar on stderr, so stdout keeps only the JSON summary."""

    bar = None

    def begin(self, label: str, total: int) -> None:
        """Open a bar for the phase."""
        self.bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
        self.bar.__enter__()

    def advance(self, amount: int) -> None:
        """Move the bar."""
        self.bar.update(amount)

    def end(self) -> None:
        """Close the bar."""
        self.bar.__exit__(None, None, None)
        self.bar = None


DIRECTORY = click.Path(file_okay=False, path_type=Path)


@backup_cli.command("create", help="Sao lưu CSDL (một ảnh chụp nhất quán, khi dịch vụ vẫn chạy) và kho tệp minh "
                                     "chứng vào thư mục DIRECTORY mới hoặc trống.")
@click.argument("directory", type=DIRECTORY)
def create_command(directory: Path) -> None:
    """Back up the database (one consistent snapshot) and the evidence store into a new or empty DIRECTORY."""
    summary = _run(create_backup, directory)
    if summary["problems"]:
        click.echo(f"Cảnh báo: {len(summary['problems'])} tệp được dữ liệu nhắc đến nhưng thiếu hoặc sai SHA-256 trong "
                   "kho tệp lúc sao lưu (xem \"problems\" trong manifest.json).", err=True)
    summary["problems"] = len(summary["problems"])
    click.echo(json.dumps(summary, ensure_ascii=False))


@backup_cli.command("restore", help="Khôi phục bản sao lưu vào CSDL trống (chưa có bảng thì tạo bảng trước) và "
                                      "kho tệp trống, sau khi kiểm tra mọi mã SHA-256.")
@click.argument("directory", type=DIRECTORY)
def restore_command(directory: Path) -> None:
    """Restore a backup into an empty database (migrated first if it has no tables) and an empty store."""
    summary = _run(restore_backup, directory)
    summary["problems"] = len(summary["problems"])
    click.echo(json.dumps(summary, ensure_ascii=False))


def _run(action, directory: Path) -> dict:
    """Run with progress bars; a refusal or a file error is one Vietnamese line and exit code 1."""
    progress = BarProgress()
    try:
        return action(directory, progress)
    except BackupRefused as exc:
        message = exc.message
    except OSError as exc:
        message = f"Lỗi đọc/ghi tệp: {exc}"
    finally:
        if progress.bar is not None:
            progress.end()
    click.echo(message, err=True)
    sys.exit(1)
