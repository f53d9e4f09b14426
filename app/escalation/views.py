"""The office's escalation ladder pages: its unit's default and a directive's override."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.flow import commit_and_redirect, refuse
from app.core.permissions import load_or_404, require
from app.directives.models import Directive
from app.escalation.forms import LadderForm, form_rows, ladder_from
from app.escalation.ladder import AUDIENCES, MAX_OFFSET, MIN_OFFSET
from app.escalation.policies import ladder_for, ladder_problem, policy_row, remove_override, save_policy
from app.extensions import db

bp = Blueprint("escalation", __name__, url_prefix="/escalation")


@bp.route("/policy", methods=["GET", "POST"])
def unit_policy():
    """The default ladder of the office's unit."""
    require(current_user, "create_directive")
    return _edit(current_user.unit_id, None, url_for("escalation.unit_policy"))


@bp.route("/directives/<int:directive_id>", methods=["GET", "POST"])
def directive_policy(directive_id: int):
    """A directive's own ladder, overriding the unit's default."""
    directive = load_or_404(Directive, directive_id, current_user, "see_directive")
    require(current_user, "manage_directive", directive)
    if request.method == "POST" and request.form.get("reset"):
        remove_override(directive.id, current_user)
        db.session.commit()
        flash("Văn bản dùng lại quy trình nhắc việc mặc định.", "success")
        return redirect(url_for("escalation.directive_policy", directive_id=directive.id))
    return _edit(directive.issuer_unit_id, directive,
                 url_for("escalation.directive_policy", directive_id=directive.id))


def _edit(issuer_unit_id: int, directive: Directive | None, here: str):
    """Show the ladder, or save it; bad input shows the form again with why."""
    directive_id = directive.id if directive else None
    if request.method == "GET":
        return _policy_page(LadderForm(data={"steps": form_rows(ladder_for(issuer_unit_id, directive_id))}),
                            issuer_unit_id, directive)
    form = LadderForm()
    if not form.validate_on_submit():
        return _policy_page(form, issuer_unit_id, directive), 422
    return commit_and_redirect(lambda: save_policy(issuer_unit_id, ladder_from(form), current_user, directive_id),
                               "Đã lưu quy trình nhắc việc.", here,
                               page=lambda exc: _policy_page(refuse(form, exc), issuer_unit_id, directive))


def _policy_page(form: LadderForm, issuer_unit_id: int, directive: Directive | None) -> str:
    """The ladder page with the form as stored, or as typed with its errors."""
    directive_id = directive.id if directive else None
    overridden = bool(directive_id and policy_row(issuer_unit_id, directive_id))
    problem = ladder_problem(issuer_unit_id, directive_id) if overridden or not directive_id else None
    return render_template("escalation/policy.html", form=form, directive=directive, audiences=AUDIENCES,
                           overridden=overridden, problem=problem, bounds=(MIN_OFFSET, MAX_OFFSET))
