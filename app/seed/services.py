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
from app.units.models import COMMUNE_LEVEL, Unit
from app.units.queries import by_slug
from app.units.services import import_units_csv

DATA = Path(__file__).parent / "data"
UNITS_CSV = DATA / "units_tu_ky.csv"
REFERENCE_DIRECTIVE = DATA / "tu-ky-2022-05-dvctt-muc-do-3-4.txt"
#: The reference directive's subject (trích yếu), which its text lost with the header (DOMAIN.md).
REFERENCE_SUBJECT = "Tiếp tục thực hiện giải quyết thủ tục hành chính qua dịch vụ công trực tuyến mức độ 3, 4"
DISTRICT_SLUG = "tu-ky"
EMAIL_DOMAIN = "tuky.example"
#: The province's online-rate target the reference directive cites (DOMAIN.md).
TARGET_RATE = 0.10

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
    district = by_slug(DISTRICT_SLUG)
    seed_accounts(summary, district, DISTRICT_ACCOUNTS, EMAIL_DOMAIN)
    summary.directives = seed_reference_directive(district)[1]
    summary.notes.append(f"Chỉ tiêu tỷ lệ trực tuyến 10 % cho {seed_targets(district, 2022)} tháng năm 2022")
    return summary


def seed_targets(issuer: Unit, year: int) -> int:
    """The online-rate target the reference directive cites, for each month of the year; returns 12."""
    for month in range(1, 13):
        set_target(issuer.id, f"{year}-{month:02d}", TARGET_RATE)
    return 12


def seed_accounts(summary: SeedSummary, top: Unit, top_accounts: list[tuple], email_domain: str) -> None:
    """The demo accounts of `top` and of each commune-level unit right below it; none in production."""
    if current_app.config["APP_ENV"] in ("development", "testing"):
        summary.users = _create_accounts(top, top_accounts, email_domain, current_app.config["DEMO_PASSWORD"])
    else:
        summary.notes.append("Môi trường production: không tạo tài khoản mẫu.")


def _create_accounts(top: Unit, top_accounts: list[tuple], email_domain: str, password: str) -> int:
    """Create the demo accounts that do not exist yet; returns how many."""
    wanted = [(login, role, name, position, top) for login, role, name, position in top_accounts]
    communes = (db.select(Unit).where(Unit.parent_id == top.id, Unit.kind.in_(sorted(COMMUNE_LEVEL)))
                .order_by(Unit.slug))
    for unit in db.session.scalars(communes):
        for prefix, role, position in COMMUNE_ACCOUNTS:
            title = f"{position} {unit.name[:1].lower()}{unit.name[1:]}"  # "… xã Tái Sơn", "… phường Hải An"
            wanted.append((f"{prefix}.{unit.slug}", role, title, title, unit))
    existing = set(db.session.scalars(db.select(User.username)))
    missing = [account for account in wanted if account[0] not in existing]
    password_hash = hash_password(password) if missing else ""  # scrypt is slow on purpose: hash once
    for login, role, name, position, unit in missing:
        db.session.add(User(username=login, role=role, full_name=name, position=position, unit=unit,
                            email=f"{login}@{email_domain}", password_hash=password_hash, demo=True))
    return len(missing)


def seed_reference_directive(issuer: Unit, header: dict | None = None) -> tuple[Directive, int]:
    """The reference directive of DOMAIN.md as the issuer's draft, stored once (`header` overrides its
    header fields); returns it and 1 if it is new, else 0."""
    stored = db.session.scalar(db.select(Directive).where(Directive.issuer_unit_id == issuer.id,
                                                          Directive.source_filename == REFERENCE_DIRECTIVE.name))
    if stored is not None:
        return stored, 0
    draft = draft_from_file(issuer, None, REFERENCE_DIRECTIVE.read_bytes(), REFERENCE_DIRECTIVE.name)
    # The text came out of the PDF without its subject line; the office types it when it confirms the draft.
    draft.subject = draft.subject or REFERENCE_SUBJECT
    for name, value in (header or {}).items():
        setattr(draft, name, value)
    return draft, 1
