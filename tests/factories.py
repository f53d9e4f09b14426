"""Factories for test data: small, explicit, committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.auth.models import User
from app.auth.services import hash_password
from app.directives.models import Directive, Requirement
from app.extensions import db
from app.tasks.models import Task
from app.units.models import Unit
from app.units.services import upsert_unit

PASSWORD = "mat-khau-thu-123"
_HASH: list[str] = []


def password_hash() -> str:
    """One scrypt hash for every test user (scrypt is slow on purpose)."""
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


def make_unit(slug: str, name: str, kind: str = "commune", parent: Unit | None = None) -> Unit:
    unit, _ = upsert_unit(slug, name, kind, parent)
    return unit


def make_user(username: str, role: str, unit: Unit, **fields) -> User:
    user = User(username=username, role=role, unit=unit, full_name=fields.pop("full_name", username),
                email=fields.pop("email", f"{username}@test.example"), password_hash=password_hash(), **fields)
    db.session.add(user)
    db.session.flush()
    return user


def make_directive(issuer: Unit, state: str = "published", **fields) -> Directive:
    directive = Directive(issuer=issuer, state=state, body=fields.pop("body", "Nội dung"),
                          number=fields.pop("number", "1/UBND-VP"), **fields)
    db.session.add(directive)
    db.session.flush()
    return directive


def make_requirement(directive: Directive, text: str = "Báo cáo kết quả", **fields) -> Requirement:
    requirement = Requirement(directive=directive, text=text, label=fields.pop("label", "1"), **fields)
    db.session.add(requirement)
    db.session.flush()
    return requirement


def make_task(requirement: Requirement, unit: Unit, due_on: date | None = None, **fields) -> Task:
    task = Task(requirement=requirement, directive_id=requirement.directive_id, unit=unit, due_on=due_on, **fields)
    db.session.add(task)
    db.session.flush()
    return task


@dataclass
class Tree:
    """A district ``huyen`` with communes ``xa-a`` and ``xa-b``, each with every role."""

    district: Unit
    commune_a: Unit
    commune_b: Unit
    users: dict[str, User]


def make_tree() -> Tree:
    district = make_unit("huyen", "UBND huyện Thử", "district")
    commune_a = make_unit("xa-a", "Xã A", "commune", district)
    commune_b = make_unit("xa-b", "Xã B", "commune", district)
    users = {
        "admin": make_user("admin", "admin", district),
        "office": make_user("vanphong", "district_office", district),
        "leader": make_user("chutich", "district_leader", district),
    }
    for key, unit in (("a", commune_a), ("b", commune_b)):
        users[f"chair_{key}"] = make_user(f"ct.{unit.slug}", "unit_chair", unit)
        users[f"staff_{key}"] = make_user(f"mc.{unit.slug}", "unit_staff", unit)
        users[f"observer_{key}"] = make_user(f"bt.{unit.slug}", "observer", unit)
    db.session.commit()
    return Tree(district, commune_a, commune_b, users)
