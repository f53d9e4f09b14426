"""Who may see or change what: one module for pages, API and templates.

A commune's user sees that commune only; an issuing unit's office and leaders
see their unit and every unit below it; the admin sees everything. An object
the user may not see answers 404 (its existence is not revealed); one the user
sees but may not change answers 403.

The core knows roles, not the domain: a rule that must read a domain table
(whether a directive gave the user's units a task) is added to `RULES` by the
package that owns the table, with `@rule`, in its `policy` module
(`app/units/policy.py`, `app/tasks/policy.py`); those modules compare no role
themselves, they call the predicates here.
"""

from __future__ import annotations

from typing import Callable

from flask import abort

from app.core import audit
from app.core.errors import Forbidden
from app.extensions import db

MANAGING_ROLES = frozenset({"district_office"})
WORKING_ROLES = frozenset({"unit_chair", "unit_staff"})
#: The commune's chair: assigns the unit's tasks, reads its activity, gets its mail with the secretary in copy.
CHAIR_ROLES = frozenset({"unit_chair"})
#: Roles that belong to a commune-level unit (the others belong to issuing units).
COMMUNE_LEVEL_ROLES = frozenset({"unit_chair", "unit_staff", "observer"})
#: Whose comment on a task is guidance (ý kiến chỉ đạo) rather than a remark.
LEADER_ROLES = frozenset({"district_leader"})
#: Who opens on the leaders' overview: the chairman, the office and the admin.
OVERVIEW_ROLES = frozenset({"district_office", "district_leader", "admin"})
#: Who gives guidance (ý kiến chỉ đạo) on a directive: the chairman and the office.
GUIDING_ROLES = frozenset({"district_leader", "district_office"})


def _is_admin(user) -> bool:
    return user.role == "admin"


def sees_everything(user) -> bool:
    """The admin: no filter on units or directives applies."""
    return _is_admin(user)


def role_fits_unit(role: str, unit) -> bool:
    """Commune roles belong to commune-level units, and issuing roles to the others."""
    return (role in COMMUNE_LEVEL_ROLES) == unit.is_commune_level


def speaks_as_leader(user) -> bool:
    """A leader's comment on a task counts as guidance."""
    return user.role in LEADER_ROLES


def shows_overview(user) -> bool:
    """Whether the user's "/" opens on the leaders' overview (when no list or filter is asked for)."""
    return user.role in OVERVIEW_ROLES


def oversees_directive(user, directive) -> bool:
    """Whether every task of the directive is the user's to see: it was issued in their subtree."""
    return _is_admin(user) or (not user.is_commune_user and _overseer_of(user, directive.issuer))


def _overseer_of(user, unit) -> bool:
    """True when the unit is the user's own or below it, for district-level roles."""
    return not user.is_commune_user and unit.path.startswith(user.unit.path)


def can_see_unit(user, unit) -> bool:
    """Admins see all units; communes their own; overseers their subtree."""
    if _is_admin(user):
        return True
    if user.is_commune_user:
        return unit.id == user.unit_id
    return _overseer_of(user, unit)


def can_see_task(user, task) -> bool:
    """A task is seen by whoever sees its unit."""
    return can_see_unit(user, task.unit)


def can_work_task(user, task) -> bool:
    """The unit's chair and staff fill in, upload and submit; the observer only reads."""
    return user.role in WORKING_ROLES and task.unit_id == user.unit_id


def can_assign_task(user, task) -> bool:
    """The commune's chair gives the unit's tasks to its staff."""
    return user.role in CHAIR_ROLES and task.unit_id == user.unit_id


def can_be_assigned(person, task) -> bool:
    """A task goes to one of its unit's chair or staff."""
    return person.role in WORKING_ROLES and person.unit_id == task.unit_id


def can_see_unit_activity(user, unit) -> bool:
    """The chair follows who in the unit did what."""
    return user.role in CHAIR_ROLES and user.unit_id == unit.id


def can_review_task(user, task) -> bool:
    """The issuing office (or one above it) reviews, never the commune itself."""
    return user.role in MANAGING_ROLES and _overseer_of(user, task.directive.issuer)


def can_comment_task(user, task) -> bool:
    """Anyone who sees a task may comment, except the read-only observer."""
    return can_see_task(user, task) and user.role != "observer"


def can_manage_directive(user, directive) -> bool:
    """The office of the issuing unit (or above it) edits, publishes and closes."""
    return user.role in MANAGING_ROLES and _overseer_of(user, directive.issuer)


def can_guide_directive(user, directive) -> bool:
    """The leaders and the office of the issuing unit (or above it) give guidance on a whole directive."""
    return user.role in GUIDING_ROLES and _overseer_of(user, directive.issuer)


def can_create_directive(user) -> bool:
    """Offices create directives in the name of their unit."""
    return user.role in MANAGING_ROLES


def can_see_units_list(user) -> bool:
    """The unit list is for district-level users and admins."""
    return not user.is_commune_user


def can_manage_users(user) -> bool:
    """Only the system administrator manages accounts."""
    return _is_admin(user)


def can_see_all_units(user) -> bool:
    """Admins see every unit; used where a page lists units without a subtree."""
    return _is_admin(user)


#: Each action's rule; domain policy modules add theirs (`see_directive`, `see_evidence`) with `@rule`.
RULES: dict[str, Callable] = {
    "see_unit": can_see_unit,
    "see_task": can_see_task,
    "work_task": can_work_task,
    "review_task": can_review_task,
    "comment_task": can_comment_task,
    "assign_task": can_assign_task,
    "see_unit_activity": can_see_unit_activity,
    "manage_directive": can_manage_directive,
    "guide_directive": can_guide_directive,
    "create_directive": lambda user, _=None: can_create_directive(user),
    "see_user": lambda user, other: can_see_unit(user, other.unit),
    "see_units_list": lambda user, _=None: can_see_units_list(user),
    "manage_users": lambda user, _=None: can_manage_users(user),
}


def rule(action: str):
    """Add a domain package's rule for an action (decorator; its module is imported when an app is built)."""
    def add(check: Callable) -> Callable:
        RULES[action] = check
        return check
    return add


def allowed(user, action: str, obj=None) -> bool:
    """Whether the user may do the action on the object; anonymous users may nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(RULES[action](user, obj))


def load_or_404(model, object_id, user, see_action: str):
    """Load an object the user may see, or 404 (and an audit row) whether absent or hidden."""
    obj = db.session.get(model, object_id) if isinstance(object_id, int) else None
    if obj is None:
        abort(404)
    if not allowed(user, see_action, obj):
        audit.record_now("access_denied", obj, user=user)
        abort(404)
    return obj


def require(user, action: str, obj=None) -> None:
    """Refuse with 403 an action on an object the user already sees."""
    if not allowed(user, action, obj):
        audit.record_now("access_denied", obj, user=user, detail={"action": action})
        raise Forbidden("Bạn không có quyền thực hiện thao tác này.")
