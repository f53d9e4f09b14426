"""The second demo: a province of today (Hải Phòng after 1 July 2025) directing its 114 communes directly."""

from __future__ import annotations

from app.core import clock
from app.directives.services import register, target_units
from app.seed.services import DATA, SeedSummary, seed_accounts, seed_reference_directive, seed_targets
from app.tasks import fanout
from app.units.queries import by_slug
from app.units.services import import_units_csv

UNITS_CSV = DATA / "units_hai_phong_2025.csv"
PROVINCE_SLUG = "hai-phong"
EMAIL_DOMAIN = "haiphong.example"

#: Accounts of the city itself (login, role, full name, position); logins name the city, beside the first demo's.
PROVINCE_ACCOUNTS = [
    ("admin.hai-phong", "admin", "Quản trị hệ thống", "Quản trị hệ thống"),
    ("vanphong.hai-phong", "district_office", "Văn phòng UBND thành phố", "Chuyên viên Văn phòng UBND thành phố"),
    ("chutich.hai-phong", "district_leader", "Chủ tịch UBND thành phố", "Chủ tịch UBND thành phố"),
]
#: The reference directive re-issued by the city: its header says so (the body stays the 2022 text); no signer is
#: named, since the demo knows none.
PROVINCE_HEADER = {
    "issuer_name": "UBND thành phố Hải Phòng",
    "place": "Hải Phòng",
    "signer_name": None,
    "addressees": ["Chủ tịch UBND các xã, phường, đặc khu"],
    "recipients": ["Như trên", "Chủ tịch, các PCT UBND thành phố",
                   "Bí thư Đảng ủy các xã, phường, đặc khu (để p/h chỉ đạo)",
                   "Cổng Thông tin điện tử thành phố", "Lưu: VT"],
}


def seed_demo_province() -> SeedSummary:
    """The city's units, demo accounts (outside production only), targets, and the reference directive as its
    draft, published to every commune; a second run adds nothing."""
    summary = SeedSummary(units=import_units_csv(UNITS_CSV))
    city = by_slug(PROVINCE_SLUG)
    seed_accounts(summary, city, PROVINCE_ACCOUNTS, EMAIL_DOMAIN)
    directive, summary.directives = seed_reference_directive(city, PROVINCE_HEADER)
    if directive.state == "draft":
        # The communes the 2022 text names have since been merged; matched against today's list, "Tái Sơn" would
        # flag Xã Đại Sơn: keep the names, link none.
        directive.named_units = [{**named, "unit_id": None} for named in directive.named_units]
        unit_ids = target_units(directive, "all")
        register(directive, None, clock.today())  # no number: the demo does not make one up
        tasks = fanout.publish(directive, None, unit_ids)
        summary.notes.append(f"Ban hành văn bản cho {len(unit_ids)} đơn vị: {tasks} nhiệm vụ")
    year = (directive.issued_on or clock.today()).year  # the year it was issued: a later run adds no target
    summary.notes.append(f"Chỉ tiêu tỷ lệ trực tuyến 10 % cho {seed_targets(city, year)} tháng năm {year}")
    return summary
