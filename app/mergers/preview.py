"""Reads for the merger page and call: the units offered, the chairs one may choose, what a merger would change."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.auth.models import User
from app.core.permissions import CHAIR_ROLES
from app.extensions import db
from app.mergers.services import OPEN_STATES
from app.tasks.models import Task
from app.units.models import COMMUNE_LEVEL, Unit


@dataclass
class MergePreview:
    """What merging `units` would do: `parts` open tasks become `tasks`; `users` accounts move."""

    units: list[Unit]
    parts: int
    tasks: int
    users: int

    @property
    def key(self) -> str:
        """The figures as the confirm button carries them: a merger runs only on what was shown."""
        return f"{','.join(str(u.id) for u in self.units)}:{self.parts}:{self.tasks}:{self.users}"


def merge_preview(old_slugs: list[str]) -> MergePreview:
    """What merging the units of these slugs would change, read only (as `merge_units` counts it: one task per
    requirement and period of their open tasks; every account of theirs)."""
    slugs = sorted({s.strip() for s in old_slugs if s and s.strip()})
    units = list(db.session.scalars(select(Unit).where(Unit.slug.in_(slugs)).order_by(Unit.search_name)))
    ids = [unit.id for unit in units]
    open_tasks = select(Task.requirement_id, Task.period).where(Task.unit_id.in_(ids), Task.state.in_(OPEN_STATES))
    parts = db.session.scalar(select(func.count()).select_from(open_tasks.subquery()))
    tasks = db.session.scalar(select(func.count()).select_from(open_tasks.distinct().subquery()))
    users = db.session.scalar(select(func.count()).select_from(User).where(User.unit_id.in_(ids)))
    return MergePreview(units=units, parts=parts, tasks=tasks, users=users)


def standing_communes() -> list[Unit]:
    """The commune-level units not merged away, by name (tones ignored): those a merger may take."""
    return list(db.session.scalars(select(Unit).where(Unit.kind.in_(COMMUNE_LEVEL), Unit.merged_into_id.is_(None))
                                   .order_by(Unit.search_name, Unit.id)))


def parent_choices() -> list[Unit]:
    """The units above the commune level not merged away, in tree order: those a new unit may belong to."""
    return list(db.session.scalars(select(Unit).where(Unit.kind.not_in(COMMUNE_LEVEL), Unit.merged_into_id.is_(None))
                                   .order_by(Unit.path)))


def chairs_of(units: list[Unit]) -> list[tuple[Unit, list[User]]]:
    """Each unit with its chairs' active accounts (units without one left out), in the units' order."""
    people: dict[int, list[User]] = {}
    for person in db.session.scalars(select(User).where(User.unit_id.in_([u.id for u in units]),
                                                        User.role.in_(CHAIR_ROLES), User.active.is_(True))
                                     .order_by(User.username)):
        people.setdefault(person.unit_id, []).append(person)
    return [(unit, people[unit.id]) for unit in units if unit.id in people]


def slug_taken(slug: str) -> bool:
    """Whether a unit (standing or merged) already has this slug."""
    return db.session.scalar(select(Unit.id).where(Unit.slug == slug)) is not None
