"""The directive pages: list, intake, the draft form, publishing and follow-up edits."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.core import audit, clock, storage
from app.core.errors import Conflict, DomainError
from app.core.flow import commit_and_redirect
from app.core.paging import paginate
from app.core.permissions import load_or_404, require
from app.directives import intake, services
from app.directives.deadlines import describe
from app.directives.form_rules import deadline_fields, deadline_rule
from app.directives.forms import (AddUnitsForm, ConfirmForm, DeadlineForm, DraftForm, FollowUpForm, NewDirectiveForm,
                                  PublishForm, parse_vn_date)
from app.directives.models import Directive, Requirement
from app.directives.queries import directives_for, load_full, progress
from app.extensions import db

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
    """Take in a directive typed or uploaded; the draft opens for checking."""
    require(current_user, "create_directive")
    form = NewDirectiveForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            if form.file.data and form.file.data.filename:
                directive = intake.draft_from_file(user.unit, user, form.file.data.read(), form.file.data.filename)
                _override_header(directive, form)
            else:
                directive = intake.draft_from_text(user.unit, user, {
                    "body": form.body.data, "number": form.number.data, "subject": form.subject.data,
                    "issued_on": _iso(form.issued_on.data)})
        except DomainError as exc:
            db.session.rollback()
            form.body.errors = [*form.body.errors, exc.message]
        else:
            db.session.commit()
            flash("Đã đọc văn bản. Vui lòng kiểm tra và sửa nếu cần trước khi ban hành.", "success")
            return redirect(url_for("directives.edit", directive_id=directive.id))
    return render_template("directives/new.html", form=form)


def _iso(text: str | None) -> str | None:
    day = parse_vn_date(text)
    return day.isoformat() if day else None


def _override_header(directive: Directive, form: NewDirectiveForm) -> None:
    if form.number.data:
        directive.number = form.number.data.strip()
    if form.subject.data:
        directive.subject = form.subject.data.strip()
    if form.issued_on.data:
        directive.issued_on = parse_vn_date(form.issued_on.data)


@bp.get("/<int:directive_id>")
def show(directive_id: int):
    """One directive: header, requirements with deadlines, references, units and progress."""
    directive = _load(directive_id)
    units = children_of(directive.issuer) if current_user.role == "district_office" else []
    groups = groups_of(directive.issuer) if units else []
    return render_template("directives/show.html", directive=directive, describe=describe, groups=groups,
                           progress=progress([directive.id], current_user).get(directive.id, (0, 0)),
                           publish_form=PublishForm(), deadline_form=DeadlineForm(), add_form=AddUnitsForm(),
                           follow_form=FollowUpForm(period=clock.today().strftime("%m/%Y")),
                           confirm=ConfirmForm(), units=units, named_ids={n.get("unit_id") for n in directive.named_units})


@bp.route("/<int:directive_id>/edit", methods=["GET", "POST"])
def edit(directive_id: int):
    """Correct a draft's header and requirements (add, remove, reorder, kind, deadline, units)."""
    directive = _load(directive_id)
    require(current_user, "manage_directive", directive)
    if directive.state != "draft":
        flash("Văn bản đã ban hành: chỉ đổi được thời hạn hoặc thêm đơn vị.", "info")
        return redirect(url_for("directives.show", directive_id=directive.id))
    units = children_of(directive.issuer)
    form = DraftForm(obj=None) if request.method == "POST" else _filled_form(directive)
    for row in form.requirements:
        row.lead_unit_id.choices = [(0, "—")] + [(u.id, u.name) for u in units]
        row.cooperating_unit_ids.choices = [(u.id, u.name) for u in units]
    if request.method == "POST" and form.validate_on_submit():
        try:
            _save_draft(directive, form)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return render_template("directives/edit.html", form=form, directive=directive), exc.status
        flash("Đã lưu dự thảo.", "success")
        return redirect(url_for("directives.edit", directive_id=directive.id))
    return render_template("directives/edit.html", form=form, directive=directive)


def _filled_form(directive: Directive) -> DraftForm:
    """The draft form showing what is stored, plus one blank row to add a requirement."""
    data = {
        "version": directive.version, "number": directive.number, "issuer_name": directive.issuer_name,
        "issued_on": directive.issued_on.strftime("%d/%m/%Y") if directive.issued_on else "",
        "place": directive.place, "subject": directive.subject, "signer_title": directive.signer_title,
        "signer_name": directive.signer_name, "addressees": "\n".join(directive.addressees or []),
        "recipients": "\n".join(directive.recipients or []),
        "requirements": [
            {"requirement_id": r.id, "position": i + 1, "item_label": r.label, "text": r.text, "kind": r.kind,
             "evidence_wanted": r.evidence_wanted, "lead_unit_id": r.lead_unit_id or 0,
             "cooperating_unit_ids": [u.id for u in r.cooperating_units], **deadline_fields(r.deadline)}
            for i, r in enumerate(directive.requirements)
        ] + [{"position": len(directive.requirements) + 1, "kind": "action", "deadline_kind": "none"}],
    }
    return DraftForm(data=data)


def _save_draft(directive: Directive, form: DraftForm) -> None:
    """Apply the draft form; a stale version (someone saved meanwhile) is refused."""
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
        "deadline": deadline_rule(row["deadline_kind"], row["deadline_date"], row["deadline_number"]),
    } for row in rows])
    audit.record("directive_edited", directive)


@bp.post("/<int:directive_id>/publish")
def publish(directive_id: int):
    """Publish the draft: one task per requirement per chosen unit, in one transaction."""
    directive = _load(directive_id)
    require(current_user, "manage_directive", directive)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    choice = {"list": form.unit_ids.data, "group": f"group:{form.group_id.data}"}.get(form.scope.data, form.scope.data)
    try:
        if form.scope.data == "list" and form.save_as.data:
            save_group(directive.issuer, form.save_as.data, form.unit_ids.data)
        count = services.publish(directive, current_user._get_current_object(),
                                 services.target_units(directive, choice))
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("directives.show", directive_id=directive.id))
    db.session.commit()
    flash(f"Đã ban hành và giao {count} nhiệm vụ.", "success")
    return redirect(url_for("directives.show", directive_id=directive.id))


@bp.post("/<int:directive_id>/units")
def add_units(directive_id: int):
    """Give a published directive's tasks to more units."""
    directive = _load(directive_id)
    require(current_user, "manage_directive", directive)
    form = AddUnitsForm()
    if not form.validate_on_submit():
        abort(400)
    return _apply(directive, lambda: services.add_units(
        directive, current_user._get_current_object(), services.target_units(directive, form.unit_ids.data)),
        "Đã giao thêm {} nhiệm vụ.")


@bp.post("/<int:directive_id>/requirements/<int:requirement_id>/deadline")
def change_deadline(directive_id: int, requirement_id: int):
    """Set a new deadline; the unfinished tasks follow it and the change is recorded."""
    directive = _load(directive_id)
    require(current_user, "manage_directive", directive)
    requirement = db.session.get(Requirement, requirement_id)
    if requirement is None or requirement.directive_id != directive.id:
        abort(404)
    form = DeadlineForm()
    if not form.validate_on_submit():
        flash("Thời hạn không hợp lệ.", "danger")
        return redirect(url_for("directives.show", directive_id=directive.id))
    rule = deadline_rule(form.deadline_kind.data, form.deadline_date.data, form.deadline_number.data)
    return _apply(directive, lambda: services.change_deadline(directive, requirement, rule,
                                                              current_user._get_current_object()),
                  "Đã đổi thời hạn; {} nhiệm vụ chưa hoàn thành được cập nhật.")


@bp.post("/<int:directive_id>/close")
def close(directive_id: int):
    """Close a directive: no new periods start."""
    directive = _load(directive_id)
    require(current_user, "manage_directive", directive)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _apply(directive, lambda: services.close(directive, current_user._get_current_object()),
                  "Đã kết thúc theo dõi văn bản.")


@bp.get("/<int:directive_id>/source")
def source(directive_id: int):
    """Download the original file the directive was read from."""
    directive = _load(directive_id)
    if not directive.source_stored_name:
        abort(404)
    try:
        path = storage.path_of(directive.source_stored_name)
    except FileNotFoundError:
        abort(404)
    if not path.exists():
        abort(404)
    audit.record_now("source_downloaded", directive)
    return send_file(path, as_attachment=True, download_name=directive.source_filename or "van-ban")


def _apply(directive: Directive, change, message: str):
    """Run a service and come back to the directive, saying how it went."""
    return commit_and_redirect(change, message, url_for("directives.show", directive_id=directive.id))




@bp.post("/<int:directive_id>/follow-up")
def follow_up(directive_id: int):
    """Draft the next dispatch from the data; it opens in the draft form."""
    from app.directives.followup import draft_follow_up
    from app.tasks.forms import month_key

    directive = _load(directive_id)
    require(current_user, "manage_directive", directive)
    form = FollowUpForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return redirect(url_for("directives.show", directive_id=directive.id))
    rule = form.unit_ids.data if form.rule.data == "list" else form.rule.data
    try:
        draft = draft_follow_up(directive, current_user._get_current_object(), month_key(form.period.data), rule)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("directives.show", directive_id=directive.id))
    db.session.commit()
    flash("Đã soạn dự thảo văn bản đôn đốc. Kiểm tra, sửa rồi tải Word hoặc ban hành.", "success")
    return redirect(url_for("directives.edit", directive_id=draft.id))


@bp.get("/<int:directive_id>/document.docx")
def document(directive_id: int):
    """The directive as Word, in the layout of Nghị định 30/2020/NĐ-CP."""
    from app.core.downloads import DOCX, attachment
    from app.directives.documents import directive_document

    directive = _load(directive_id)
    return attachment(directive_document(directive), DOCX, f"van-ban-{directive.id}.docx")


@bp.route("/wording", methods=["GET", "POST"])
def wording():
    """The office's templates for follow-up dispatches."""
    from app.directives.wording import DEFAULTS, LABELS, save_templates, templates_for

    require(current_user, "create_directive")
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        texts = {key: request.form.get(key, "") for key in DEFAULTS}
        return commit_and_redirect(lambda: save_templates(current_user.unit_id, texts), "Đã lưu mẫu câu chữ.",
                                   url_for("directives.wording"))
    return render_template("directives/wording.html", texts=templates_for(current_user.unit_id), labels=LABELS,
                           confirm=ConfirmForm())
