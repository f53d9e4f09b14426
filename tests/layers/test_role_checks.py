"""Every rule about who may do what lives in app/core/permissions.py (issue 15).

A role compared anywhere else is a permission rule hiding in a view, a query or a template, where the next
change to the rule will miss it. The roles themselves are defined in app/auth/models.py.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.core.permissions import RULES

ROOT = Path(__file__).resolve().parents[2]
#: Where roles may be compared: the permissions module, and the model that defines them.
HOMES = {Path("app/core/permissions.py"), Path("app/auth/models.py")}
#: `user.role == "…"`, `role != …`, `role in (…)`, `role not in …`, in Python and in Jinja.
ROLE_CHECK = re.compile(r"\brole\s*(?:==|!=|\bin\b|\bnot\s+in\b)(?!\s*ROLES\b)")  # "in ROLES": a known role


def _sources():
    for folder, pattern in (("app", "*.py"), ("templates", "*.html")):
        for path in sorted((ROOT / folder).rglob(pattern)):
            relative = path.relative_to(ROOT)
            if relative not in HOMES:
                yield relative, path.read_text(encoding="utf-8")


def test_no_role_is_compared_outside_the_permissions_module():
    found = [f"{path}:{number}: {line.strip()}"
             for path, text in _sources()
             for number, line in enumerate(text.splitlines(), 1)
             if ROLE_CHECK.search(line) and not line.lstrip().startswith(("#", '"""'))]
    assert found == [], "role checks outside app/core/permissions.py:\n" + "\n".join(found)


def test_the_check_finds_a_role_compared_in_a_view_or_a_template():
    """The pattern itself catches the forms a role check takes (so the test above cannot pass vacuously)."""
    for line in ('if current_user.role == "unit_chair":', "x = user.role != 'admin'",
                 "ok = role in COMMUNE_ROLES", '{% if current_user.role == "district_office" %}',
                 "if person.role not in WORKING:"):
        assert ROLE_CHECK.search(line), line
    assert not ROLE_CHECK.search('role_label = ROLES.get(user.role, user.role)')
    assert not ROLE_CHECK.search("if role not in ROLES:")  # validation that a role exists, not a rule


def test_every_action_the_code_asks_about_has_a_rule(app):
    """An action named by a page, the API or a template has its rule once the app is built: those a domain
    package adds from its policy module (see_directive, see_evidence) included, so none is a KeyError."""
    call = re.compile(r"\b(?:allowed|require|load_or_404)\([^)]*?\"([a-z_]+)\"")
    asked = {name for folder, pattern in (("app", "*.py"), ("templates", "*.html"))
             for path in (ROOT / folder).rglob(pattern) for name in call.findall(path.read_text(encoding="utf-8"))}
    assert {"see_directive", "see_evidence", "work_task"} <= asked
    assert sorted(asked - set(RULES)) == []
