"""Creating, importing, disabling, moving users and resetting passwords."""

from __future__ import annotations

import csv
import io
import re

from app.auth.models import ROLES, User
from app.auth.services import find_user, set_password, sign_out_everywhere
from app.core import audit
from app.core.errors import DomainError
from app.core.models import CalendarDay
from app.core.permissions import role_fits_unit
from app.extensions import db
from app.units.models import Unit
from app.units.queries import by_slug

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
#: An e-mail address: something@domain, with no space, line break or control character anywhere (a line break
#: in an address would break the headers of every mail sent to it).
EMAIL = re.compile(r"^[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+\.[^\s@\x00-\x1f\x7f]+$")
CSV_COLUMNS = ("username", "full_name", "email", "role", "unit", "position", "password")


class AccountRefused(DomainError):
    """A refusal about one field of an account form (`field` names it, so the page shows it there)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def create_user(
    username: str, full_name: str, email: str | None, role: str, unit: Unit, password: str, position: str | None = None
) -> User:
    """Create an account after checking its name, role and password."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountRefused("Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch ngang (2–80 ký tự).",
                             "username")
    if role not in ROLES:
        raise AccountRefused("Vai trò không hợp lệ.", "role")
    _check_role_fits_unit(role, unit)
    if find_user(username):
        raise AccountRefused(f"Tên đăng nhập {username} đã tồn tại.", "username")
    user = User(username=username, full_name=full_name.strip(), email=_checked_email(email),
                role=role, unit=unit, position=position, password_hash="")
    set_password(user, password)
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", user)
    return user


def _checked_email(email: str | None) -> str | None:
    """The address as stored (trimmed, None when empty); one with a space or a line break inside is refused."""
    address = (email or "").strip()
    if not address:
        return None
    if not EMAIL.match(address):
        shown = re.sub(r"[\r\n]+", "↵", address)
        raise AccountRefused(f"Địa chỉ thư “{shown}” không hợp lệ: không được có dấu cách hay xuống dòng, "
                             "phải có dạng ten@donvi.gov.vn.", "email")
    return address


def _check_role_fits_unit(role: str, unit: Unit) -> None:
    """Commune roles belong to commune-level units, and issuing roles to the others."""
    if not role_fits_unit(role, unit):
        raise AccountRefused("Vai trò không phù hợp với cấp của đơn vị.", "role")


def import_users_csv(text: str) -> int:
    """Create users from CSV rows; one bad row rejects the file (line numbers as a spreadsheet shows)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = set(CSV_COLUMNS) - set(reader.fieldnames or [])
    if missing:
        raise DomainError("Tệp CSV thiếu cột: " + ", ".join(sorted(missing)))
    created = 0
    for line, row in enumerate(reader, start=2):
        unit = by_slug((row["unit"] or "").strip())
        if unit is None:
            raise DomainError(f"Dòng {line}: không tìm thấy đơn vị {row['unit']!r}.")
        try:
            create_user(row["username"] or "", row["full_name"] or "", row["email"], (row["role"] or "").strip(),
                        unit, row["password"] or "", row.get("position") or None)
        except DomainError as exc:
            raise DomainError(f"Dòng {line}: {exc.message}") from exc
        created += 1
    return created


def set_active(user: User, active: bool, actor: User) -> None:
    """Disable or enable an account; a disabled user is refused on the next request."""
    if user.id == actor.id:
        raise DomainError("Không thể tự khoá tài khoản của mình.")
    user.active = active
    sign_out_everywhere(user)  # enabling the account again must not bring its tokens back
    audit.record("user_enabled" if active else "user_disabled", user)


def move_user(user: User, unit: Unit, role: str) -> None:
    """Move a user to another unit (and role); their sessions end."""
    if role not in ROLES:
        raise AccountRefused("Vai trò không hợp lệ.", "role")
    _check_role_fits_unit(role, unit)
    user.unit, user.role = unit, role
    sign_out_everywhere(user)  # a token must not carry the old unit's reach to the new one
    audit.record("user_moved", user, detail={"unit_id": unit.id, "role": role})


def reset_password(user: User, password: str) -> None:
    """Set a new password chosen by the admin."""
    set_password(user, password)
    audit.record("password_reset", user)


def set_calendar_day(day, is_working: bool, note: str):
    """Mark a day as a make-up working day or an extra day off (replacing an earlier mark)."""
    row = db.session.scalar(db.select(CalendarDay).where(CalendarDay.day == day))
    if row is None:
        row = CalendarDay(day=day)
        db.session.add(row)
    row.is_working, row.note = is_working, (note or "").strip()[:200]
    db.session.flush()
    audit.record("calendar_day_set", row, detail={"day": day.isoformat(), "is_working": is_working})
    return row


def remove_calendar_day(row) -> None:
    """Forget a mark: the day follows the usual calendar again."""
    audit.record("calendar_day_removed", row, detail={"day": row.day.isoformat()})
    db.session.delete(row)
