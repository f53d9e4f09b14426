"""The directive pages: list, intake, the draft form, publishing and follow-up edits."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core import audit, storage
from app.core.dates import parse_vn_date
from app.core.downloads import DOCX, attachment
from app.core.errors import Conflict, DomainError
from app.core.flow import commit_and_redirect, refuse
from app.core.forms import ConfirmForm
from app.core.paging import paginate
from app.core.periods import month_key, month_label
from app.core.permissions import allowed, load_or_404, require
from app.directives import intake, services
from app.directives.deadlines import describe
from app.directives.documents import directive_document
from app.directives.form_rules import anchor_choices, deadline_fields, deadline_rule
from app.directives.forms import (
    AddUnitsForm,
    DeadlineForm,
    DeleteForm,
    DraftForm,
    FollowUpForm,
    GuidanceForm,
    NewDirectiveForm,
    PublishForm,
)
from app.directives.models import Directive, Requirement
from app.directives.queries import load_full
from app.directives.wording import DEFAULTS, LABELS, save_templates, templates_for
from app.escalation import guidance
from app.evidence import trust
from app.extensions import db
from app.reports.followup import default_period, draft_follow_up, figures_warning
from app.tasks import fanout
from app.tasks.queries import directives_for, progress
from app.units.queries import children_of, groups_of
from app.units.services import save_group

bp = Blueprint("directives", __name__, url_prefix="/directives")


def _load(directive_id: int) -> Directive:
    load_or_404(Directive, directive_id, current_user, "see_directive")
    return load_full(directive_id)


@bp.get("/")
def index():
    """List directives, searchable by number, subject and date, with each one's progress."""
    text = request.args.get("q", "").strip()
    try:
        issued_from = parse_vn_date(request.args.get("from"))
        issued_to = parse_vn_date(request.args.get("to"))
    except ValueError:
        flash("Ngày tìm kiếm không hợp lệ: nhập theo dạng dd/mm/yyyy.", "warning")
        issued_from = issued_to = None
    page = paginate(directives_for(current_user, text, issued_from, issued_to), 30)
    done = progress([d.id for d in page.items], current_user)
    return render_template("directives/index.html", page=page, done=done, q=text,
                           date_from=request.args.get("from", ""), date_to=request.args.get("to", ""))


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Take in a directive uploaded, pasted or typed by hand; the draft opens for checking."""
    require(current_user, "create_directive")
    form = NewDirectiveForm()
    if not form.validate_on_submit():
        return render_template("directives/new.html", form=form), 422 if form.is_submitted() else 200
    user = current_user._get_current_object()
    try:
        if form.file.data and form.file.data.filename:
            directive = trust.draft_from_file(user.unit, user, form.file.data.read(), form.file.data.filename,
                                              allow_empty=True)
            _override_header(directive, form)
        else:
            directive = intake.draft_from_text(user.unit, user, {
                "body": form.body.data, "number": form.number.data, "subject": form.subject.data,
                "issued_on": _iso(form.issued_on.data)}, allow_empty=True)
    except DomainError as exc:
        db.session.rollback()
        form.body.errors = [*form.body.errors, exc.message]
        return render_template("directives/new.html", form=form), exc.status
    db.session.commit()
    if directive.requirements:
        flash("Đã đọc văn bản. Vui lòng kiểm tra và sửa nếu cần trước khi ban hành.", "success")
    elif form.file.data and form.file.data.filename or (form.body.data or "").strip():
        flash("Không tìm thấy yêu cầu nào trong văn bản. Hãy nhập các yêu cầu bằng tay vào các dòng dưới đây.",
              "warning")
    else:
        flash("Đã mở dự thảo trống. Nhập thông tin và các yêu cầu vào các dòng dưới đây.", "info")
    return redirect(url_for("directives.edit", directive_id=directive.id))


def _iso(text: str | None) -> str | None:
    day = parse_vn_date(text)
    return day.isoformat() if day else None


def _override_header(directive: Directive, form: NewDirectiveForm) -> None:
    if form.number.data:
        directive.number = form.number.data.strip()
    if form.subject.data:
        directive.subject = services.without_vv(form.subject.data.strip())
    if form.issued_on.data:
        directive.issued_on = parse_vn_date(form.issued_on.data)


@bp.get("/<int:directive_id>")
def show(directive_id: int):
    """One directive: header, requirements with deadlines, references, units and progress."""
    return _page(_load(directive_id))


def _page(directive: Directive, status: int = 200, **posted):
    """The directive page; a posted form (`publish`, `add`, `deadline`…) comes back with its errors or preview."""
    units = children_of(directive.issuer) if allowed(current_user, "manage_directive", directive) else []
    forms = {
        "publish_form": PublishForm(formdata=None, unit_ids=[n.get("unit_id") for n in directive.named_units],
                                    number=directive.number, issued_on=_vn(directive.issued_on)),
        "add_form": AddUnitsForm(formdata=None), "delete_form": DeleteForm(formdata=None),
        "follow_form": FollowUpForm(formdata=None, period=_follow_up_month()),
        "deadline_forms": {r.id: DeadlineForm(formdata=None, data=deadline_fields(r.deadline))
                           for r in directive.requirements},
    }
    where = next((name for name in ("publish", "add", "follow", "delete") if name in posted), None)
    if "deadline" in posted:
        where = f"req-{posted['requirement_id']}"
        forms["deadline_forms"][posted.pop("requirement_id")] = posted.pop("deadline")
    forms.update({f"{name}_form": posted.pop(name) for name in ("publish", "add", "follow", "delete")
                  if name in posted})
    for form in forms["deadline_forms"].values():
        form.deadline_from.choices = anchor_choices(directive.issued_on)
    context = {"directive": directive, "describe": describe, "units": units, "confirm": ConfirmForm(), "where": where,
               "groups": groups_of(directive.issuer) if units else [], "preview": None, "error": None,
               "progress": progress([directive.id], current_user).get(directive.id, (0, 0)), **forms,
               **guidance.page_context(directive, current_user, posted.pop("guide", None)), **posted}
    return render_template("directives/show.html", **context), status


def _follow_up_month() -> str:
    """The follow-up form's month, mm/yyyy: the latest with figures, as the draft itself defaults to."""
    period = default_period(current_user)
    return month_label(period)


def _vn(day) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


@bp.route("/<int:directive_id>/edit", methods=["GET", "POST"])
def edit(directive_id: int):
    """Correct a draft's header and requirements (add, remove, reorder, kind, deadline, units)."""
    directive = _load(directive_id)
    require(current_user, "manage_directive", directive)
    if directive.state != "draft":
        flash("Văn bản đã ban hành: chỉ đổi được thời hạn hoặc thêm đơn vị.", "info")
        return redirect(url_for("directives.show", directive_id=directive.id))
    units = children_of(directive.issuer)
    form = DraftForm() if request.method == "POST" else _filled_form(directive)
    for row in form.requirements:
        row.lead_unit_id.choices = [(0, "—")] + [(u.id, u.name) for u in units]
        row.deadline_from.choices = anchor_choices(directive.issued_on)
    if request.method == "GET":
        return render_template("directives/edit.html", form=form, directive=directive, units=units)
    if not form.validate_on_submit():
        flash("Dự thảo chưa lưu: sửa các ô được đánh dấu đỏ rồi lưu lại.", "danger")
        return render_template("directives/edit.html", form=form, directive=directive, units=units), 422
    try:
        _save_draft(directive, form)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return render_template("directives/edit.html", form=form, directive=directive, units=units), exc.status
    flash("Đã lưu dự thảo.", "success")
    target = "directives.show" if request.form.get("next") == "show" else "directives.edit"
    return redirect(url_for(target, directive_id=directive.id))


def _filled_form(directive: Directive) -> DraftForm:
    """The draft form showing what is stored, plus blank rows to add requirements (three when there is none)."""
    blank = {"kind": "action", "deadline_kind": "none", "deadline_from": "issue"}
    count = len(directive.requirements)
    data = {
        "version": directive.version, "number": directive.number, "issuer_name": directive.issuer_name,
        "issued_on": _vn(directive.issued_on),
        "place": directive.place, "subject": directive.subject, "signer_title": directive.signer_title,
        "signer_name": directive.signer_name, "addressees": "\n".join(directive.addressees or []),
        "recipients": "\n".join(directive.recipients or []),
        "requirements": [
            {"requirement_id": r.id, "position": i + 1, "item_label": r.label, "text": r.text, "kind": r.kind,
             "evidence_wanted": r.evidence_wanted, "lead_unit_id": r.lead_unit_id or 0,
             "cooperating_unit_ids": [u.id for u in r.cooperating_units], **deadline_fields(r.deadline)}
            for i, r in enumerate(directive.requirements)
        ] + [{"position": count + 1 + i, **blank} for i in range(1 if count else 3)],
    }
    return DraftForm(data=data)


def _save_draft(directive: Directive, form: DraftForm) -> None:
    """Apply the draft form; a stale version (someone saved meanwhile) is refused; no requirement is allowed."""
    if str(directive.version) != (form.version.data or ""):
        raise Conflict("Văn bản đã được người khác sửa trong lúc bạn đang sửa. Vui lòng tải lại trang.")
    lines = lambda text: [line.strip(" -;") for line in (text or "").splitlines() if line.strip(" -;")]  # noqa: E731
    services.set_header(directive, {
        "number": form.number.data, "issued_on": _iso(form.issued_on.data), "issuer_name": form.issuer_name.data,
        "place": form.place.data, "subject": form.subject.data, "addressees": lines(form.addressees.data),
        "recipients": lines(form.recipients.data),
        "signer": {"name": form.signer_name.data, "title": form.signer_title.data} if form.signer_name.data else None,
    })
    rows = [row.data for row in form.requirements if not row.remove.data and (row.text.data or "").strip()]
    rows.sort(key=lambda row: row["position"] if row["position"] is not None else 10**6)
    services.set_requirements(directive, [{
        **row, "label": row["item_label"], "lead_unit_id": row["lead_unit_id"] or None,
        "deadline": deadline_rule(row["deadline_kind"], row["deadline_date"], row["deadline_number"],
                                  row["deadline_from"]),
    } for row in rows], allow_empty=True)
    audit.record("directive_edited", directive)


@bp.post("/<int:directive_id>/publish")
def publish(directive_id: int):
    """Publish a draft: first the count of tasks and the registry's number and date; confirmed, create the tasks."""
    directive = _load(directive_id)
    require(current_user, "manage_directive", directive)
    form = PublishForm()
    if form.confirm.data != "1":  # the confirmation asks the number and date, filled with what the draft has
        form.number.data, form.issued_on.data = directive.number, _vn(directive.issued_on)
    valid = form.validate_on_submit()
    choice = {"list": form.unit_ids.data, "group": f"group:{form.group_id.data}"}.get(form.scope.data, form.scope.data)
    try:
        unit_ids = services.target_units(directive, choice)
        preview = services.publish_preview(directive, unit_ids)
        if not valid or form.confirm.data != "1":
            # A bad group name is typed on the first step: show that step again, the message beside it.
            return _page(directive, 422 if not valid else 200, publish=form,
                         preview=None if form.save_as.errors else preview)
        if form.scope.data == "list" and form.save_as.data:
            save_group(directive.issuer, form.save_as.data, form.unit_ids.data)
        services.register(directive, form.number.data, parse_vn_date(form.issued_on.data))
        count = fanout.publish(directive, current_user._get_current_object(), unit_ids)
    except DomainError as exc:
        db.session.rollback()
        return _page(directive, exc.status, publish=form, error=exc.message)
    db.session.commit()
    unnumbered = "" if directive.number and directive.issued_on else " Văn bản được ban hành không có số, ngày."
    flash(f"Đã ban hành và giao {count} nhiệm vụ.{unnumbered}", "success")
    return redirect(url_for("directives.show", directive_id=directive.id))


@bp.post("/<int:directive_id>/units")
def add_units(directive_id: int):
    """Give a published directive's tasks to more units: first the count, then, confirmed, the tasks."""
    directive = _load(directive_id)
    require(current_user, "manage_directive", directive)
    form = AddUnitsForm()
    if not form.validate_on_submit():  # a unit id no row can have: the form again, the message beside the list
        return _page(directive, 422, add=form, error=form.unit_ids.errors[0] if form.unit_ids.errors
                     else "Yêu cầu không hợp lệ.")
    try:
        unit_ids = services.target_units(directive, form.unit_ids.data)
        preview = fanout.add_units_preview(directive, unit_ids)
    except DomainError as exc:
        db.session.rollback()
        return _page(directive, exc.status, add=form, error=exc.message)
    if form.confirm.data != "1":
        return _page(directive, add=form, preview=preview)
    count = fanout.add_units(directive, current_user._get_current_object(), unit_ids)
    db.session.commit()
    flash(f"Đã giao thêm {count} nhiệm vụ cho {preview['units']} đơn vị.", "success")
    return redirect(url_for("directives.show", directive_id=directive.id))


@bp.post("/<int:directive_id>/requirements/<int:requirement_id>/deadline")
def change_deadline(directive_id: int, requirement_id: int):
    """A new deadline: first what changes (tasks, units, old → new day); confirmed, the unfinished tasks follow it."""
    directive = _load(directive_id)
    require(current_user, "manage_directive", directive)
    requirement = db.session.get(Requirement, requirement_id)
    if requirement is None or requirement.directive_id != directive.id:
        abort(404)
    form = DeadlineForm()
    form.deadline_from.choices = anchor_choices(directive.issued_on)
    posted = {"deadline": form, "requirement_id": requirement.id}
    if not form.validate_on_submit():
        return _page(directive, 422, **posted)
    rule = deadline_rule(form.deadline_kind.data, form.deadline_date.data, form.deadline_number.data,
                         form.deadline_from.data)
    def refused(exc: DomainError):
        db.session.rollback()
        return _page(directive, exc.status, **posted, error=exc.message)

    if form.confirm.data != "1":
        try:
            return _page(directive, **posted, preview=fanout.deadline_preview(directive, requirement, rule))
        except DomainError as exc:
            return refused(exc)
    return commit_and_redirect(
        lambda: fanout.change_deadline(directive, requirement, rule, current_user._get_current_object()),
        "Đã đổi thời hạn: {} nhiệm vụ chưa hoàn thành được cập nhật và các đơn vị đã được báo.",
        url_for("directives.show", directive_id=directive.id, _anchor=f"req-{requirement.id}"), page=refused)


@bp.post("/<int:directive_id>/delete")
def delete(directive_id: int):
    """Delete a draft, once asked to confirm; a published directive cannot be deleted (409)."""
    directive = _load(directive_id)
    require(current_user, "manage_directive", directive)
    form = DeleteForm()
    if not form.validate_on_submit():
        abort(400)
    if directive.state != "draft":
        return _page(directive, 409, error="Văn bản đã ban hành nên không xoá được; có thể “Kết thúc theo dõi”.")
    if form.confirm.data != "1":
        return _page(directive, delete=form, preview={"delete": True})
    services.delete_draft(directive, current_user._get_current_object())
    db.session.commit()
    flash("Đã xoá dự thảo.", "success")
    return redirect(url_for("directives.index"))


@bp.post("/<int:directive_id>/close")
def close(directive_id: int):
    """Close a directive: no new periods start."""
    directive = _load(directive_id)
    require(current_user, "manage_directive", directive)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return commit_and_redirect(lambda: services.close(directive, current_user._get_current_object()),
                               "Đã kết thúc theo dõi văn bản.", url_for("directives.show", directive_id=directive.id),
                               page=lambda exc: _page(directive, exc.status, error=exc.message))


@bp.post("/<int:directive_id>/guidance")
def give_guidance(directive_id: int):
    """The chairman's or the office's guidance on the whole directive, to the overdue or the chosen units."""
    directive = _load(directive_id)
    require(current_user, "guide_directive", directive)
    form = GuidanceForm()
    if not form.validate_on_submit():
        return _page(directive, 422, guide=form)
    target = "overdue" if form.reach.data == "overdue" else form.guide_units.data
    try:
        given, created = guidance.give_guidance(directive, current_user._get_current_object(), form.guidance.data,
                                                target, token=form.token.data)
    except DomainError as exc:
        db.session.rollback()
        return _page(directive, exc.status, guide=refuse(form, exc))
    db.session.commit()
    flash(f"Đã gửi ý kiến chỉ đạo đến {len(given.units)} đơn vị." if created else
          "Ý kiến chỉ đạo này đã được gửi trước đó: không gửi lại lần nữa.", "success" if created else "info")
    return redirect(url_for("directives.show", directive_id=directive.id, _anchor="guidance"))


@bp.get("/<int:directive_id>/source")
def source(directive_id: int):
    """Download the original file the directive was read from."""
    directive = _load(directive_id)
    if not directive.source_stored_name:
        abort(404)
    try:
        path = storage.local_path(directive.source_stored_name)
        source = path if path is not None else storage.open_stored(directive.source_stored_name)
    except FileNotFoundError:
        abort(404)
    if path is not None and not path.exists():
        abort(404)
    audit.record_now("source_downloaded", directive)
    return storage.send(source, download_name=directive.source_filename or "van-ban")




@bp.post("/<int:directive_id>/follow-up")
def follow_up(directive_id: int):
    """Draft the next dispatch from the data (or open the same one drafted today); it opens in the draft form."""
    directive = _load(directive_id)
    require(current_user, "manage_directive", directive)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _page(directive, 422, follow=form)
    rule = form.unit_ids.data if form.rule.data == "list" else form.rule.data
    try:
        draft, created = draft_follow_up(directive, current_user._get_current_object(), month_key(form.period.data),
                                         rule)
    except DomainError as exc:
        db.session.rollback()
        return _page(directive, exc.status, follow=form, error=exc.message)
    db.session.commit()
    warning = figures_warning(current_user, month_key(form.period.data), rule)
    if warning:
        flash(warning, "warning")
    flash("Đã soạn dự thảo văn bản đôn đốc. Kiểm tra, sửa rồi tải Word hoặc ban hành." if created else
          "Dự thảo đôn đốc này đã được soạn hôm nay với cùng số liệu: mở lại dự thảo đó, không tạo bản mới.",
          "success" if created else "info")
    return redirect(url_for("directives.edit", directive_id=draft.id))


@bp.get("/<int:directive_id>/document.docx")
def document(directive_id: int):
    """The directive as Word, in the layout of Nghị định 30/2020/NĐ-CP."""
    directive = _load(directive_id)
    return attachment(directive_document(directive), DOCX, f"van-ban-{directive.id}.docx")


@bp.route("/wording", methods=["GET", "POST"])
def wording():
    """The office's templates for follow-up dispatches."""
    require(current_user, "create_directive")
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        texts = {key: request.form.get(key, "") for key in DEFAULTS}
        page = lambda error: render_template(  # noqa: E731  the form again, as typed, saying which template
            "directives/wording.html", texts={**templates_for(current_user.unit_id), **texts}, labels=LABELS,
            confirm=ConfirmForm(), error=error)
        return commit_and_redirect(lambda: save_templates(current_user.unit_id, texts), "Đã lưu mẫu câu chữ.",
                                   url_for("directives.wording"), page=page)
    return render_template("directives/wording.html", texts=templates_for(current_user.unit_id), labels=LABELS,
                           confirm=ConfirmForm())
