"""``flask storage migrate --to s3://bucket/prefix``: progress on stderr, one JSON summary line on stdout."""

import json
import sys

import click
from flask.cli import AppGroup

from app.backup.cli import BarProgress
from app.backup.migrate import migrate_store
from app.backup.services import BackupRefused

storage_cli = AppGroup("storage", help="Kho tệp minh chứng: chuyển sang kho đối tượng (S3).")


@storage_cli.command("migrate", help="Chép mọi tệp của kho tệp trên máy này sang kho đối tượng --to "
                                     "s3://bucket/tiền-tố, đọc lại từng tệp để kiểm tra SHA-256; chạy lại để tiếp "
                                     "tục nếu bị gián đoạn. Không xoá tệp nào trên máy này: sau đó đặt STORAGE_URL.")
@click.option("--to", "to_url", required=True, metavar="s3://BUCKET/PREFIX", help="Kho đối tượng đích.")
def migrate_command(to_url: str) -> None:
    """Copy the local store into the object store, every checksum verified; resumable; local files kept."""
    from botocore.exceptions import BotoCoreError, ClientError  # here: a local-only deployment never loads boto

    progress = BarProgress()
    try:
        summary = migrate_store(to_url, progress)
    except BackupRefused as exc:
        _fail(progress, exc.message)
    except (OSError, BotoCoreError, ClientError) as exc:
        _fail(progress, f"Bị gián đoạn ({exc}). Các tệp đã chép và kiểm tra xong được giữ lại: chạy lại đúng lệnh "
                        "này để tiếp tục. Chưa xoá tệp nào trên máy này.")
    mismatches, missing = summary.pop("mismatches"), summary.pop("missing")
    summary.update(mismatches=len(mismatches), missing=len(missing))
    for item in mismatches[:20]:
        click.echo(f"Sai mã kiểm tra: tệp {item['name']}: {item['problem']}.", err=True)
    if missing:
        click.echo(f"Cảnh báo: {len(missing)} tệp được CSDL nhắc đến nhưng không có trong kho tệp trên máy này "
                   f"(ví dụ {missing[0]}): không có gì để chép cho chúng.", err=True)
    click.echo(json.dumps(summary, ensure_ascii=False))
    if mismatches:
        click.echo(f"THẤT BẠI: {len(mismatches)} tệp không khớp SHA-256; các tệp khác đã được chép và kiểm tra. "
                   "Chưa xoá tệp nào trên máy này; đừng chuyển STORAGE_URL trước khi xử lý các tệp trên.", err=True)
        sys.exit(1)
    click.echo(f"Xong: {summary['copied']} tệp đã chép, {summary['skipped']} tệp đã có sẵn, tất cả khớp SHA-256. "
               f"Tệp trên máy này vẫn giữ nguyên (không xoá). Bước tiếp theo: đặt STORAGE_URL={to_url} (cùng "
               "S3_ENDPOINT_URL và khoá truy cập) cho mọi máy rồi khởi động lại.", err=True)


def _fail(progress: BarProgress, message: str) -> None:
    """One Vietnamese line on stderr and exit code 1, the progress bar closed first."""
    if progress.bar is not None:
        progress.end()
    click.echo(message, err=True)
    sys.exit(1)
