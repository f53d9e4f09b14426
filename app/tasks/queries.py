"""Reads of tasks, scoped to what the user may see and eager-loaded."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from types import SimpleNamespace
from typing import Any, NamedTuple

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Integer, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.core import clock
from app.core.errors import DomainError
from app.core.permissions import WORKING_ROLES, sees_everything
from app.core.search import folded_match
from app.directives.guidance import guidance_for_task
from app.directives.models import Directive, Requirement
from app.evidence.models import Evidence
from app.extensions import db
from app.tasks.groups import DUE_SOON_DAYS, GROUPS, group_case, report_group, urgency
from app.tasks.models import HISTORY_LABELS, TASK_STATES, Comment, Task, TaskHistory, TaskRequest
from app.units.models import Unit
from app.units.policy import visible_unit_ids


def task_group(today: date | None = None):
    """The report group of each task, as a SQL expression."""
    return group_case(Task.state, Task.due_on, Task.submitted_on, today or clock.today())


#: The inbox's sections in the order a commune acts on them (issue 14): what came back, what is late, what is
#: due soon, the rest still open, then what waits for the office, and what is done.
ACTION_SECTIONS = {
    "returned": "Bị trả lại",
    "overdue": "Quá hạn",
    "due_soon": "Sắp đến hạn",
    "open": "Đang thực hiện",
    "submitted": "Chờ duyệt",
    "done": "Hoàn thành",
}
#: How `tasks_for` may order, besides soonest due first.
SORTS = ("action_order",)


def action_section(task: Task, today: date) -> str:
    """The inbox section a task shows in (a key of ACTION_SECTIONS); `action_rank` is the same in SQL."""
    if task.state in ("returned", "submitted", "done"):
        return task.state
    return urgency(task.state, task.due_on, today) or "open"


def action_rank(today: date):
    """`action_section` as a SQL CASE giving each section's place, so paging keeps the action order."""
    return _action_rank(today, today + timedelta(days=DUE_SOON_DAYS))


def _action_rank(today, soon):
    """`action_rank` from today and the last day of "due soon" (dates, or bound parameters of a statement)."""
    return case(
        (Task.state == "returned", 0),
        (and_(Task.state == "open", Task.due_on < today), 1),
        (and_(Task.state == "open", Task.due_on <= soon), 2),
        (Task.state == "open", 3),
        (Task.state == "submitted", 4),
        else_=5,
    )


def sectioned(tasks, today: date) -> list[tuple[str, str, list]]:
    """A page of tasks (already in action order) cut into its sections: (key, heading, tasks), none empty."""
    sections: dict[str, list] = {}
    for task in tasks:
        sections.setdefault(action_section(task, today), []).append(task)
    return [(key, label, sections[key]) for key, label in ACTION_SECTIONS.items() if key in sections]


def list_context(today: date | None = None) -> dict:
    """What templates/tasks/_list.html needs beside the tasks: the day, the urgency rule, the group names."""
    return {"today": today or clock.today(), "urgency": urgency, "groups": GROUPS}


def tasks_for(user, *, directive: int | None = None, unit: int | None = None, state: str | None = None,
              group: str | None = None, period: str | None = None, mine_first: bool = False,
              sort: str | None = None, today: date | None = None):
    """A select of the tasks the user may see, filtered, soonest due first (or in action order)."""
    if state and state not in TASK_STATES:
        raise DomainError(f"Trạng thái không hợp lệ: {state}. Dùng một trong: {', '.join(TASK_STATES)}.")
    if group and group not in GROUPS:
        raise DomainError(f"Nhóm không hợp lệ: {group}. Dùng một trong: {', '.join(GROUPS)}.")
    query = (
        db.select(Task)
        .where(Task.unit_id.in_(visible_unit_ids(user)))
        .options(joinedload(Task.unit), joinedload(Task.requirement), joinedload(Task.directive))
        .order_by(Task.due_on.is_(None), Task.due_on, Task.id)
    )
    for column, value in ((Task.directive_id, directive), (Task.unit_id, unit), (Task.state, state),
                          (Task.period, period)):
        if value not in (None, ""):
            query = query.where(column == value)
    if group:
        query = query.where(task_group() == group)
    if sort and sort not in SORTS:
        raise DomainError(f"Cách sắp xếp không hợp lệ: {sort}. Dùng một trong: {', '.join(SORTS)}.")
    first = [action_rank(today or clock.today())] if sort == "action_order" else []
    if mine_first:  # what the chair gave this user comes before the rest of the unit's tasks (in each section)
        first.append(case((Task.assignee_id == user.id, 0), else_=1))  # NULL-safe on every database
    if first:
        query = query.order_by(None).order_by(*first, Task.due_on.is_(None), Task.due_on, Task.id)
    return query


def task_json(task: Task, today: date | None = None) -> dict:
    """A task as the API lists it (CONTRACT.md)."""
    return {
        "id": task.id,
        "directive_id": task.directive_id,
        "requirement_id": task.requirement_id,
        "label": task.requirement.label,
        "unit_id": task.unit_id,
        "period": task.period or None,
        "due_on": task.due_on.isoformat() if task.due_on else None,
        "state": task.state,
        "group": task.group(today),
    }


def assignable_staff(task: Task) -> list:
    """The active chair and staff of the task's unit, whom the chair may give it to."""
    return list(db.session.scalars(db.select(User).where(User.unit_id == task.unit_id, User.active.is_(True),
                                                         User.role.in_(WORKING_ROLES))))


def review_queue(user):
    """Submitted tasks of the units the office oversees, the longest waiting first."""
    issuers = db.select(Unit.id).where(Unit.path.startswith(user.unit.path))
    return (
        db.select(Task)
        .join(Directive, Directive.id == Task.directive_id)
        .where(Task.state == "submitted", Directive.issuer_unit_id.in_(issuers))
        .options(joinedload(Task.unit), joinedload(Task.requirement), joinedload(Task.directive))
        .order_by(Task.submitted_at, Task.id)
    )


def task_page_data(task: Task) -> dict:
    """What the task page shows besides the task: evidence, comments, history, requests."""

    def rows(model, order):
        return list(db.session.scalars(db.select(model).where(model.task_id == task.id).order_by(order)))

    assignee = db.session.get(User, task.assignee_id) if task.assignee_id else None
    evidence = rows(Evidence, Evidence.uploaded_at)
    comments = list(db.session.scalars(db.select(Comment).where(Comment.task_id == task.id)
                                       .options(joinedload(Comment.user)).order_by(Comment.at)))
    history = list(db.session.scalars(db.select(TaskHistory).where(TaskHistory.task_id == task.id)
                                      .options(joinedload(TaskHistory.user)).order_by(TaskHistory.at, TaskHistory.id)))
    return {
        "action_labels": HISTORY_LABELS,
        "assignee_name": (assignee.full_name or assignee.username) if assignee else None,
        "evidence": evidence,
        "comments": comments,
        "history": history,
        "origins": origins(evidence, comments, history),
        "requests": rows(TaskRequest, TaskRequest.requested_at),
        "directive_guidance": guidance_for_task(task),
    }


def origins(*records) -> dict[int, str]:
    """The names of the merged units the records (evidence, comments, history) were carried from, by id: one
    query for the page, none when nothing was carried."""
    ids = {r.from_unit_id for rows in records for r in rows if r.from_unit_id}
    return dict(db.session.execute(db.select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all()) if ids else {}


# --- The inbox: a page of cards, their count and the filters' choices, by statements built once per kind of
# user and set of filters (values are bound per request), run on the session's connection as plain rows.


class _DirectiveName(NamedTuple):
    number: str | None


class _RequirementText(NamedTuple):
    label: str | None
    text: str


class _UnitName(NamedTuple):
    name: str


class TaskCard(NamedTuple):
    """A task as a card of templates/tasks/_list.html shows it, read as one row: its columns, what it names of its
    directive (`number`), requirement (`label`, `text`) and unit (`name`), and the labels a Task gives.
    Made of values only, so a card is hashable: its rendered row is cached on it (app.tasks.rows)."""

    id: int
    state: str
    due_on: date | None
    period: str
    submitted_on: date | None
    submitted_at: datetime | None
    assignee_id: int | None
    directive: Any
    requirement: Any
    unit: Any

    @classmethod
    def from_row(cls, row) -> TaskCard:
        """A card from a row of the inbox's statement."""
        *task, number, label, text, unit_name = row
        return cls(*task, _DirectiveName(number), _RequirementText(label, text), _UnitName(unit_name))

    @property
    def state_label(self) -> str:
        """The state in Vietnamese, as `Task.state_label`."""
        return TASK_STATES.get(self.state, self.state)

    def group(self, today: date | None = None) -> str:
        """The report group, as `Task.group`."""
        return report_group(self.state, self.due_on, self.submitted_on, today or clock.today())


#: The inbox's filters and the column each compares.
INBOX_FILTERS = {"directive": Task.directive_id, "state": Task.state, "period": Task.period}
#: How many directives and periods the filters offer, the newest first.
FILTER_CHOICES = {"directives": 100, "periods": 36}


@cache
def _inbox_statements(role: str, commune_user: bool, filters: tuple[str, ...]) -> SimpleNamespace:
    """The inbox's statements for users of one kind and one set of filters: `cards` (a page of them) and `tally`
    (the user's tasks counted by directive, period and state).

    The units seen are the policy's own filter, built for a stand-in user whose unit is the bound parameters
    `unit_id` and `unit_path`; the day, the user and the filters' values are bound too (`_inbox_values`).
    """
    scope = SimpleNamespace(role=role, is_commune_user=commune_user, unit_id=bindparam("unit_id"),
                            unit=SimpleNamespace(path=bindparam("unit_path")))
    visible = Task.unit_id.in_(visible_unit_ids(scope))
    return SimpleNamespace(
        cards=select(Task.id, Task.state, Task.due_on, Task.period, Task.submitted_on, Task.submitted_at,
                     Task.assignee_id, Directive.number, Requirement.label, Requirement.text, Unit.name)
        .join(Directive, Directive.id == Task.directive_id)
        .join(Requirement, Requirement.id == Task.requirement_id)
        .join(Unit, Unit.id == Task.unit_id)
        .where(visible, *(INBOX_FILTERS[name] == bindparam(name) for name in filters))
        .order_by(_action_rank(bindparam("today"), bindparam("soon")),
                  case((Task.assignee_id == bindparam("me"), 0), else_=1),  # what the chair gave the user first
                  Task.due_on.is_(None), Task.due_on, Task.id)
        .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer)),
        tally=select(Directive.id, Directive.number, Directive.subject, Task.period, Task.state, func.count())
        .join(Directive, Directive.id == Task.directive_id).where(visible)
        .group_by(Directive.id, Directive.number, Directive.subject, Task.period, Task.state),
    )


def _inbox_values(user, today: date, filters: dict) -> dict:
    """What the inbox's statements bind for this user, day and filters."""
    return {"unit_id": user.unit_id, "unit_path": user.unit.path, "me": user.id, "today": today,
            "soon": today + timedelta(days=DUE_SOON_DAYS), **filters}


class InboxPage(Pagination):
    """A page of the user's inbox: TaskCards in action order (what the chair gave the user first in each
    section), their count, and in `choices` the directives and periods the user's tasks come in."""

    def _run(self, statement, **values):
        return db.session.connection().execute(statement, {**self._query_args["values"], **values})

    def _query_items(self) -> list[TaskCard]:
        rows = self._run(self._query_args["statements"].cards, limit=self.per_page, offset=self._query_offset)
        return [TaskCard.from_row(row) for row in rows]

    def _query_count(self) -> int:
        """The tasks matching the filters, from the tally that also gives the filters' choices."""
        filters, directives, periods, total = self._query_args["filters"], {}, set(), 0
        for directive_id, number, subject, period, state, count in self._run(self._query_args["statements"].tally):
            directives[directive_id] = SimpleNamespace(id=directive_id, number=number, subject=subject)
            periods.add(period)
            task = {"directive": directive_id, "state": state, "period": period}
            if all(task[name] == value for name, value in filters.items()):
                total += count
        self.choices = {
            "directives": sorted(directives.values(), key=lambda d: d.id, reverse=True)[:FILTER_CHOICES["directives"]],
            "periods": sorted(periods - {""}, reverse=True)[:FILTER_CHOICES["periods"]], "states": TASK_STATES}
        return total


def inbox_page(user, page: int, per_page: int, today: date, filters: dict | None = None) -> InboxPage:
    """One page of the tasks the user may see, filtered by `INBOX_FILTERS` (a bad state is a DomainError)."""
    filters = {name: value for name, value in (filters or {}).items() if value not in (None, "")}
    if filters.get("state") and filters["state"] not in TASK_STATES:
        raise DomainError(f"Trạng thái không hợp lệ: {filters['state']}. Dùng một trong: {', '.join(TASK_STATES)}.")
    statements = _inbox_statements(user.role, user.is_commune_user, tuple(sorted(filters)))
    return InboxPage(page=page, per_page=per_page, max_per_page=None, error_out=False, statements=statements,
                     filters=filters, values=_inbox_values(user, today, filters))


def recent_activity(user, limit: int = 15) -> list:
    """Who in the chair's unit did what lately: rows of when (`at`), what (`action`) and who (`full_name`)."""
    return db.session.execute(
        select(TaskHistory.at, TaskHistory.action, User.full_name)
        .join(Task, Task.id == TaskHistory.task_id).outerjoin(User, User.id == TaskHistory.user_id)
        .where(Task.unit_id == user.unit_id).order_by(TaskHistory.at.desc()).limit(limit)).all()


# --- Directives as their tasks show them: who sees which (a unit, those that gave it tasks), and how far along


def directives_for(user, text: str = "", issued_from: date | None = None, issued_to: date | None = None):
    """A select of the directives the user may see, newest first, searchable by number, subject and date."""
    mine = select(Unit.id).where(Unit.path.startswith(user.unit.path)) if not user.is_commune_user else None
    tasked = select(Task.directive_id).where(Task.unit_id.in_(visible_unit_ids(user)))
    if sees_everything(user):
        query = select(Directive)
    elif mine is not None:
        query = select(Directive).where(or_(Directive.issuer_unit_id.in_(mine), Directive.id.in_(tasked)))
    else:
        query = select(Directive).where(Directive.state != "draft", Directive.id.in_(tasked))
    if text:
        query = query.where(folded_match(Directive.search_text, text))
    if issued_from:
        query = query.where(Directive.issued_on >= issued_from)
    if issued_to:
        query = query.where(Directive.issued_on <= issued_to)
    return query.order_by(Directive.created_at.desc(), Directive.id.desc())


def progress(directive_ids: list[int], user) -> dict[int, tuple[int, int]]:
    """For each directive: (tasks done, tasks in all) among the units the user sees."""
    if not directive_ids:
        return {}
    rows = db.session.execute(
        select(Task.directive_id, func.sum(case((Task.state == "done", 1), else_=0)), func.count())
        .where(Task.directive_id.in_(directive_ids), Task.unit_id.in_(visible_unit_ids(user)))
        .group_by(Task.directive_id)
    )
    return {directive_id: (int(done or 0), total) for directive_id, done, total in rows}
