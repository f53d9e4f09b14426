"""The administrator's merger page: first what a merger would change, then, confirmed, the merger."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from app.core import audit
from app.core.dates import parse_vn_date
from app.core.flow import commit_and_redirect, refuse
from app.core.permissions import allowed
from app.mergers import policy  # noqa: F401  (adds "merge_units" to the permission rules)
from app.mergers.forms import MergeForm
from app.mergers.preview import MergePreview, merge_preview
from app.mergers.services import MergeResult, merge_units

bp = Blueprint("mergers", __name__)

#: What the confirm button says when the figures moved since they were shown.
CHANGED = "Số liệu đã thay đổi từ lúc xem trước: hãy xem lại rồi xác nhận."


@bp.before_request
def _admins_only():
    """A merger changes the tree for everyone: the page is the administrator's; to anyone else it does not exist."""
    if not allowed(current_user, "merge_units"):
        audit.record_now("access_denied", detail={"path": request.path})
        abort(404)


@bp.route("/units/merge", methods=["GET", "POST"])
def merge():
    """GET: the form. POST "preview": what would change; "confirm": the merger, then the unit list; "edit": the
    form again. Bad input or a refusal: the form again, as typed, with why beside its field."""
    if request.method == "GET":
        return _page(MergeForm(formdata=None))
    form, action = MergeForm(), request.form.get("action", "preview")
    if not form.validate_on_submit():
        return _page(form), 422
    if action == "edit":
        return _page(form)
    shown = merge_preview([unit.slug for unit in form.chosen()])
    if action != "confirm":
        return _page(form, shown)
    if form.expect.data != shown.key:  # someone handed in or moved an account meanwhile: show the new figures
        return _page(refuse(form, CHANGED), shown), 409
    return commit_and_redirect(lambda: _merged(form), "{}", url_for("units.index"),
                               page=lambda exc: _page(refuse(form, exc)))


def _page(form: MergeForm, shown: MergePreview | None = None) -> str:
    """The form, or with `shown` the preview and its confirm button."""
    return render_template("mergers/merge.html", form=form, preview=shown, chairs=form.chairs())


def _merged(form: MergeForm) -> str:
    """Merge as the form says; the summary the unit list flashes."""
    result = merge_units(form.into.data, form.name.data, [unit.slug for unit in form.chosen()],
                         parent_slug=form.parent.data or None, on=parse_vn_date(form.day.data),
                         chair=form.chair.data or None, user=current_user._get_current_object())
    return summary(result)


def summary(result: MergeResult) -> str:
    """"Đã sáp nhập Xã A, Xã B thành Xã C: 8 nhiệm vụ đang thực hiện gộp thành 4; 6 tài khoản chuyển sang …"."""
    return " ".join([f"Đã sáp nhập {', '.join(u.name for u in result.merged)} thành {result.unit.name}: "
                     f"{result.parts} nhiệm vụ đang thực hiện gộp thành {result.tasks}; {result.users} tài khoản "
                     "chuyển sang đơn vị mới.", *result.notes])
