"""Mergers (sáp nhập) and moves of units: the tree changes, the work and its history follow, in one transaction.

A merger makes a new unit in the old ones' place. The old units stay, marked
merged from a day, read-only: their done tasks, figures and history are what
reports of earlier periods show. Their open tasks become the new unit's, one
per requirement and period, carrying the parts' figures, evidence, comments
and history; their people, saved groups, ladders, notices and pending
requests follow. No notice is recorded twice: the steps the escalation ladder
already reached for a part move with it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core import audit, clock
from app.core.errors import DomainError
from app.core.permissions import CHAIR_ROLES
from app.core.search import search_keys
from app.escalation.models import EscalationPolicy, TaskNotice
from app.evidence.models import Evidence, ResumableUpload
from app.extensions import db
from app.indicators.models import MonthlyFigures
from app.indicators.services import FIELDS
from app.notices.models import Notice
from app.tasks.models import TASK_STATES, Comment, Task, TaskHistory, TaskRequest
from app.units.models import COMMUNE_LEVEL, Unit, UnitGroup
from app.units.services import set_path

#: States of a task still being worked on: these follow the merger; done ones stay with who did them.
OPEN_STATES = ("open", "submitted", "returned")
#: The kind a new unit takes from the word its name starts with.
KIND_BY_WORD = (("phường", "ward"), ("thị trấn", "town"), ("đặc khu", "special_zone"), ("xã", "commune"))


@dataclass
class MergeResult:
    """What a merger did, for the command's summary and the page's message."""

    unit: Unit
    merged: list[Unit]
    tasks: int = 0
    parts: int = 0
    users: int = 0
    figures_months: int = 0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The summary `flask units merge` prints."""
        return [f"Đơn vị mới: {self.unit.name} ({self.unit.slug}), thuộc {self.unit.parent.name}",
                f"Sáp nhập: {', '.join(u.name for u in self.merged)} (từ {self.merged[0].merged_on:%d/%m/%Y})",
                f"Nhiệm vụ đang thực hiện: {self.parts} nhiệm vụ gộp thành {self.tasks}",
                f"Tài khoản chuyển sang đơn vị mới: {self.users}",
                f"Số liệu dịch vụ công cộng dồn: {self.figures_months} tháng", *self.notes]


def merge_units(into_slug: str, name: str, old_slugs: list[str], parent_slug: str | None = None,
                on: date | None = None, chair: str | None = None, user=None) -> MergeResult:
    """Merge the units `old_slugs` into a new unit `into_slug` named `name`; the caller commits."""
    on = on or clock.today()
    olds = _merging_units(old_slugs, on)
    parent = _new_parent(olds, parent_slug)
    chair_user = _chair(olds, chair)
    unit = _new_unit(into_slug, name, parent, chair_user)
    for old in olds:
        old.merged_into, old.merged_on = unit, on
    result = MergeResult(unit=unit, merged=olds)
    old_ids = [old.id for old in olds]
    result.parts, result.tasks = _merge_open_tasks(unit, olds, user)
    had_chair = _has_chair(old_ids)
    result.users = _move_people(unit, old_ids, chair_user)
    result.figures_months = _sum_figures(unit, old_ids)
    _follow(unit, old_ids)
    if chair_user is None and had_chair:
        result.notes.append("Chưa chọn chủ tịch UBND cho đơn vị mới: các chủ tịch cũ thành công chức.")
    audit.record("units_merged", unit, user=user, detail={"from": [o.slug for o in olds], "on": on.isoformat(),
                                                         "tasks": result.tasks})
    return result


def move_unit(slug: str, parent_slug: str, user=None) -> tuple[Unit, int]:
    """Move a unit, with the units below it, under another parent; returns it and how many units moved."""
    unit, parent = _standing(slug), _standing(parent_slug)
    if parent.path.startswith(unit.path):
        raise DomainError(f"Không thể chuyển {unit.name} vào chính nó hoặc đơn vị trực thuộc nó.")
    if parent.kind in COMMUNE_LEVEL:
        raise DomainError(f"{parent.name} là đơn vị cấp xã, không có đơn vị trực thuộc.")
    old_path = unit.path
    unit.parent = parent
    db.session.flush()
    set_path(unit)
    # The subtree keeps its shape: every path under the old one takes the new prefix, in one statement.
    moved = db.session.execute(
        update(Unit).where(Unit.path.startswith(old_path), Unit.id != unit.id)
        .values(path=unit.path + func.substr(Unit.path, len(old_path) + 1))
        .execution_options(synchronize_session="fetch")).rowcount
    audit.record("unit_moved", unit, user=user, detail={"from": old_path, "to": unit.path})
    return unit, moved + 1


def _standing(slug: str) -> Unit:
    """The unit of that slug, which must not have been merged away."""
    unit = db.session.scalar(select(Unit).where(Unit.slug == (slug or "").strip()))
    if unit is None:
        raise DomainError(f"Không tìm thấy đơn vị: {slug}")
    if unit.merged_into_id is not None:
        raise DomainError(f"{unit.name} đã được sáp nhập vào {unit.merged_into.name}.")
    return unit


def _merging_units(old_slugs: list[str], on: date) -> list[Unit]:
    """The units to merge, checked: at least two, distinct, standing, commune-level; the day not ahead."""
    slugs = list(dict.fromkeys(s.strip() for s in old_slugs if s and s.strip()))
    if len(slugs) < 2:
        raise DomainError("Cần ít nhất hai đơn vị để sáp nhập.")
    if on > clock.today():
        raise DomainError("Ngày sáp nhập không được sau ngày hôm nay.")
    olds = [_standing(slug) for slug in slugs]
    for old in olds:
        if old.kind not in COMMUNE_LEVEL:
            raise DomainError(f"{old.name} không phải đơn vị cấp xã: chỉ sáp nhập được xã, phường, thị trấn.")
    return olds


def _new_parent(olds: list[Unit], parent_slug: str | None) -> Unit:
    """The given parent, or the old units' own when they share one."""
    if parent_slug:
        parent = _standing(parent_slug)
        if parent.kind in COMMUNE_LEVEL:
            raise DomainError(f"{parent.name} là đơn vị cấp xã, không thể là cấp trên.")
        return parent
    parents = {old.parent_id for old in olds}
    if len(parents) != 1 or None in parents:
        raise DomainError("Các đơn vị thuộc các cấp trên khác nhau: hãy chọn đơn vị cấp trên của đơn vị mới.")
    return olds[0].parent


def _chair(olds: list[Unit], username: str | None) -> User | None:
    """The person the office chose to chair the new unit: one of the old units' people."""
    if not username:
        return None
    person = db.session.scalar(select(User).where(User.username == username.strip(),
                                                  User.unit_id.in_([o.id for o in olds])))
    if person is None:
        raise DomainError(f"Tài khoản {username} không thuộc các đơn vị được sáp nhập.")
    return person


def _new_unit(slug: str, name: str, parent: Unit, chair: User | None) -> Unit:
    """The unit that takes the old ones' place, its kind read from its name."""
    slug, name = (slug or "").strip(), " ".join((name or "").split())
    if not slug or not name:
        raise DomainError("Cần mã (slug) và tên của đơn vị mới.")
    taken = f"Mã đơn vị {slug} đã có; hãy chọn mã khác cho đơn vị mới."
    if db.session.scalar(select(Unit.id).where(Unit.slug == slug)):
        raise DomainError(taken)
    if db.session.scalar(select(Unit.id).where(Unit.parent_id == parent.id, Unit.merged_into_id.is_(None),
                                               Unit.search_name == search_keys(name))):
        raise DomainError(f"{parent.name} đã có đơn vị tên {name}; hai đơn vị cùng tên không phân biệt được.")
    kind = next((k for word, k in KIND_BY_WORD if name.lower().startswith(word + " ")), "commune")
    unit = Unit(slug=slug, name=name, kind=kind, parent=parent, chair_name=chair.full_name if chair else None)
    try:
        with db.session.begin_nested():  # another merger may take the slug between the check and here
            db.session.add(unit)
            db.session.flush()
    except IntegrityError:
        raise DomainError(taken) from None
    set_path(unit)
    return unit


def _merge_open_tasks(unit: Unit, olds: list[Unit], user) -> tuple[int, int]:
    """Each requirement and period's open tasks of the old units become one open task of the new unit."""
    names = {old.id: old.name for old in olds}
    parts = list(db.session.scalars(select(Task).where(Task.unit_id.in_(list(names)), Task.state.in_(OPEN_STATES))
                                    .order_by(Task.requirement_id, Task.period, Task.unit_id)))
    groups: dict[tuple, list[Task]] = defaultdict(list)
    for task in parts:
        groups[(task.requirement_id, task.period)].append(task)
    for (_requirement_id, _period), tasks in groups.items():
        _merge_group(unit, tasks, names, user)
    return len(parts), len(groups)


def _merge_group(unit: Unit, parts: list[Task], names: dict[int, str], user) -> Task:
    """One task of the new unit in place of `parts`: the latest deadline, the parts' data and records."""
    first = parts[0]
    dues = [t.due_on for t in parts if t.due_on]
    assignees = {t.assignee_id for t in parts}
    task = Task(directive_id=first.directive_id, requirement_id=first.requirement_id, unit_id=unit.id,
                period=first.period, due_on=max(dues) if dues else None, state="open",
                data=merged_data(first.requirement.kind, [(names[t.unit_id], t.data or {}) for t in parts]),
                assignee_id=assignees.pop() if len(assignees) == 1 else None,
                merged_from=sorted({*(unit_id for t in parts for unit_id in t.merged_from or []),
                                    *(t.unit_id for t in parts)}))
    db.session.add(task)
    db.session.flush()
    for part in parts:
        _carry(part, task)
    db.session.execute(delete(Task).where(Task.id.in_([t.id for t in parts])))
    summary = "; ".join(f"{names[t.unit_id]} ({TASK_STATES[t.state].lower()})" for t in parts)
    db.session.add(TaskHistory(task_id=task.id, user_id=getattr(user, "id", None), action="merged",
                               from_state=None, to_state="open", comment=f"Gộp nhiệm vụ của: {summary}",
                               address=audit.client_address()))
    return task


def _carry(part: Task, task: Task) -> None:
    """Move a part's records to the merged task, each marked with the unit it came from."""
    for model in (TaskHistory, Comment, Evidence):
        db.session.execute(update(model).where(model.task_id == part.id)
                           .values(task_id=task.id, from_unit_id=func.coalesce(model.from_unit_id, part.unit_id))
                           .execution_options(synchronize_session=False))
    for model in (TaskRequest, ResumableUpload):
        db.session.execute(update(model).where(model.task_id == part.id).values(task_id=task.id)
                           .execution_options(synchronize_session=False))
    db.session.execute(update(Notice).where(Notice.task_id == part.id).values(task_id=task.id, unit_id=task.unit_id)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(MonthlyFigures).where(MonthlyFigures.task_id == part.id).values(task_id=None)
                       .execution_options(synchronize_session=False))
    _carry_ladder_steps(part, task)


def _carry_ladder_steps(part: Task, task: Task) -> None:
    """The ladder steps a part reached move with it, once each: a step already recorded is never recorded (and
    mailed) again for the merged task."""
    have = set(db.session.execute(select(TaskNotice.step, TaskNotice.due_on).where(TaskNotice.task_id == task.id)))
    for notice in db.session.scalars(select(TaskNotice).where(TaskNotice.task_id == part.id)):
        if (notice.step, notice.due_on) in have:
            db.session.delete(notice)
            continue
        have.add((notice.step, notice.due_on))
        notice.task_id, notice.unit_id = task.id, task.unit_id
    db.session.flush()


def merged_data(kind: str, parts: list[tuple[str, dict]]) -> dict:
    """The parts' saved work as one: figures added up, inventory lines one after another, texts under each
    unit's name."""
    filled = [(name, data) for name, data in parts if data]
    if not filled:
        return {}
    if len(filled) == 1:
        return dict(filled[0][1])
    if kind == "figures":
        figures = [data.get("figures") or {} for _, data in filled]
        total = {name: sum(int(f.get(name) or 0) for f in figures) for name in FIELDS}
        period = next((f["period"] for f in figures if f.get("period")), None)
        return {"figures": {**total, **({"period": period} if period else {})}}
    if kind == "inventory":
        return {"inventory": [row for _, data in filled for row in data.get("inventory") or []]}
    merged = {}
    for key in ("note", "difficulties", "proposals"):
        texts = [f"{name}: {data[key]}" for name, data in filled if data.get(key)]
        if texts:
            merged[key] = "\n".join(texts)
    return merged


def _move_people(unit: Unit, old_ids: list[int], chair: User | None) -> int:
    """The old units' people belong to the new unit; the chosen one chairs it, the other chairs become staff."""
    moved = db.session.execute(update(User).where(User.unit_id.in_(old_ids)).values(unit_id=unit.id)
                               .execution_options(synchronize_session="fetch")).rowcount
    db.session.execute(update(User).where(User.unit_id == unit.id, User.role.in_(CHAIR_ROLES))
                       .values(role="unit_staff").execution_options(synchronize_session="fetch"))
    if chair is not None:
        chair.role = "unit_chair"
    return moved


def _has_chair(unit_ids: list[int]) -> bool:
    """Whether a chair's account belongs to one of the units."""
    return bool(db.session.scalar(select(func.count()).select_from(User).where(
        User.unit_id.in_(unit_ids), User.role.in_(CHAIR_ROLES))))


def _sum_figures(unit: Unit, old_ids: list[int]) -> int:
    """The new unit's online-service figures for the months its parts reported: their sums, so its trend and
    rank run on across the merger."""
    sums = db.session.execute(
        select(MonthlyFigures.period, *(func.sum(getattr(MonthlyFigures, name)) for name in FIELDS))
        .where(MonthlyFigures.unit_id.in_(old_ids)).group_by(MonthlyFigures.period)).all()
    for period, *values in sums:
        db.session.add(MonthlyFigures(unit_id=unit.id, period=period, source="merged",
                                      **dict(zip(FIELDS, map(int, values)))))
    return len(sums)


def _follow(unit: Unit, old_ids: list[int]) -> None:
    """Saved groups, ladders and in-app notices of the old units follow the new one."""
    for group in db.session.scalars(select(UnitGroup)):
        if set(group.unit_ids or []) & set(old_ids):
            group.unit_ids = sorted({unit.id if i in old_ids else i for i in group.unit_ids})
    db.session.execute(update(EscalationPolicy).where(EscalationPolicy.issuer_unit_id.in_(old_ids),
                                                      EscalationPolicy.directive_id.is_not(None))
                       .values(issuer_unit_id=unit.id).execution_options(synchronize_session=False))
    db.session.execute(update(Notice).where(Notice.unit_id.in_(old_ids), Notice.channel == "in_app")
                       .values(unit_id=unit.id).execution_options(synchronize_session=False))
