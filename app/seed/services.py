"""Loading the demo data, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from app.auth.models import User
from app.auth.services import hash_password
from app.directives.intake import draft_from_file
from app.directives.models import Directive
from app.extensions import db
from app.indicators.services import set_target
from app.units.models import Unit
from app.units.queries import by_slug
from app.units.services import import_units_csv

DATA = Path(__file__).parent / "data"
UNITS_CSV = DATA / "units_tu_ky.csv"
REFERENCE_DIRECTIVE = DATA / "tu-ky-2022-05-dvctt-muc-do-3-4.txt"
#: The reference directive's subject (trích yếu), which its text lost with the header (DOMAIN.md).
REFERENCE_SUBJECT = "Tiếp tục thực hiện giải quyết thủ tục hành chính qua dịch vụ công trực tuyến mức độ 3, 4"
DISTRICT_SLUG = "tu-ky"
EMAIL_DOMAIN = "tuky.example"

#: Accounts of the district itself: login, role, full name, position.
DISTRICT_ACCOUNTS = [
    ("admin", "admin", "Quản trị hệ thống", "Quản trị hệ thống"),
    ("vanphong", "district_office", "Văn phòng HĐND-UBND huyện", "Chuyên viên Văn phòng HĐND-UBND huyện"),
    ("chutich", "district_leader", "Vũ Thị Hà", "Chủ tịch UBND huyện"),
]
#: Accounts of every commune-level unit: login prefix, role, position.
COMMUNE_ACCOUNTS = [
    ("ct", "unit_chair", "Chủ tịch UBND"),
    ("mc", "unit_staff", "Công chức Bộ phận Một cửa"),
    ("bt", "observer", "Bí thư Đảng ủy"),
]


@dataclass
class SeedSummary:
    """What a seed run added."""

    units: int = 0
    users: int = 0
    directives: int = 0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The summary as printed by the command."""
        total_units = db.session.scalar(db.select(db.func.count()).select_from(Unit))
        total_users = db.session.scalar(db.select(db.func.count()).select_from(User))
        return [
            f"Đơn vị: {self.units} mới, {total_units} tất cả",
            f"Tài khoản: {self.users} mới, {total_users} tất cả",
            f"Văn bản chỉ đạo (dự thảo): {self.directives} mới",
            *self.notes,
        ]


def seed_demo() -> SeedSummary:
    """Units, demo accounts (outside production only) and the reference directive."""
    summary = SeedSummary(units=import_units_csv(UNITS_CSV))
    if current_app.config["APP_ENV"] in ("development", "testing"):
        summary.users = _seed_accounts(current_app.config["DEMO_PASSWORD"])
    else:
        summary.notes.append("Môi trường production: không tạo tài khoản mẫu.")
    summary.directives = _seed_reference_directive()
    summary.notes.append(f"Chỉ tiêu tỷ lệ trực tuyến 10 % cho {_seed_targets()} tháng năm 2022")
    return summary


def _seed_targets() -> int:
    """The province's online-rate target the reference directive cites: 10 % each month of 2022."""
    district = by_slug(DISTRICT_SLUG)
    for month in range(1, 13):
        set_target(district.id, f"2022-{month:02d}", 0.10)
    return 12


def _seed_accounts(password: str) -> int:
    """Create the demo accounts that do not exist yet; returns how many."""
    district = by_slug(DISTRICT_SLUG)
    existing = set(db.session.scalars(db.select(User.username)))
    password_hash = hash_password(password)  # scrypt is slow on purpose: hash once
    wanted = [(login, role, name, position, district) for login, role, name, position in DISTRICT_ACCOUNTS]
    for unit in db.session.scalars(db.select(Unit).where(Unit.parent_id == district.id).order_by(Unit.slug)):
        for prefix, role, position in COMMUNE_ACCOUNTS:
            title = f"{position} {unit.name.replace('Xã ', 'xã ').replace('Thị trấn ', 'thị trấn ')}"
            wanted.append((f"{prefix}.{unit.slug}", role, title, title, unit))
    created = 0
    for login, role, name, position, unit in wanted:
        if login in existing:
            continue
        db.session.add(User(username=login, role=role, full_name=name, position=position, unit=unit,
                            email=f"{login}@{EMAIL_DOMAIN}", password_hash=password_hash, demo=True))
        created += 1
    return created


def _seed_reference_directive() -> int:
    """Store the reference directive of DOMAIN.md as a draft, once."""
    district = by_slug(DISTRICT_SLUG)
    if db.session.scalar(db.select(Directive.id).where(Directive.issuer_unit_id == district.id,
                                                       Directive.source_filename == REFERENCE_DIRECTIVE.name)):
        return 0
    draft = draft_from_file(district, None, REFERENCE_DIRECTIVE.read_bytes(), REFERENCE_DIRECTIVE.name)
    # The text came out of the PDF without its subject line; the office types it when it confirms the draft.
    draft.subject = draft.subject or REFERENCE_SUBJECT
    return 1
