"""Who may merge units, added to the permissions module's `RULES` (roles are judged there)."""

from __future__ import annotations

from app.core.permissions import rule, sees_everything


@rule("merge_units")
def can_merge_units(user, _=None) -> bool:
    """Only the administrator, who sees every unit, changes the tree: a merger reaches across offices."""
    return sees_everything(user)
