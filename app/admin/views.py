"""The account administration page."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func

from app.admin import services
from app.admin.forms import (
    CalendarDayForm,
    CreateUserForm,
    ImportUsersForm,
    MoveUserForm,
    ResetPasswordForm,
)
from app.auth.models import User
from app.auth.services import search_filter
from app.core import audit, clock
from app.core.calendar import public_calendar
from app.core.dates import parse_vn_date
from app.core.flow import commit_and_redirect, refuse
from app.core.forms import ConfirmForm
from app.core.models import CalendarDay
from app.core.paging import paginate
from app.core.permissions import allowed, load_or_404
from app.escalation.mailer import resend
from app.escalation.services import queue_mails
from app.extensions import db
from app.notices.models import Mail
from app.units.models import Unit

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    """Every page here is for the administrator; to anyone else it does not exist (404)."""
    if not allowed(current_user, "manage_users"):
        audit.record_now("access_denied", detail={"path": request.path})
        abort(404)


def _unit_choices():
    return [(u.id, u.name) for u in db.session.scalars(db.select(Unit).order_by(Unit.path))]


@bp.get("/users")
def users():
    """List accounts, searchable, with the forms to create and import."""
    return _users_page()


def _users_page(create=None, upload=None) -> str:
    """The account list with its forms; after bad input, the form as typed with its errors."""
    query = db.select(User).order_by(User.username)
    text = request.args.get("q", "").strip()
    if text:
        query = query.where(search_filter(text))
    return render_template("admin/users.html", page=paginate(query, 50), q=text,
                           create=create or _create_form(formdata=None),
                           upload=upload or ImportUsersForm(formdata=None), confirm=ConfirmForm(formdata=None))


def _create_form(**kwargs) -> CreateUserForm:
    form = CreateUserForm(**kwargs)
    form.unit_id.choices = _unit_choices()
    return form


@bp.post("/users")
def create_user():
    """Create one account."""
    form = _create_form()
    if not form.validate_on_submit():
        return _users_page(create=form), 422
    return commit_and_redirect(lambda: services.create_user(
        form.username.data, form.full_name.data, form.email.data, form.role.data,
        db.session.get(Unit, form.unit_id.data), form.password.data, form.position.data or None,
    ), "Đã tạo tài khoản.", url_for("admin.users"), page=lambda exc: _users_page(create=refuse(form, exc)))


@bp.post("/users/import")
def import_users():
    """Create accounts from a CSV file; a bad row rejects the whole file."""
    form = ImportUsersForm()
    if not form.validate_on_submit():
        return _users_page(upload=form), 422
    try:
        text = form.file.data.read().decode("utf-8")
    except UnicodeDecodeError:
        return _users_page(upload=refuse(form, "Tệp CSV phải được lưu với bảng mã UTF-8.", "file")), 422
    return commit_and_redirect(lambda: services.import_users_csv(text), "Đã nhập {} tài khoản.",
                               url_for("admin.users"), page=lambda exc: _users_page(upload=refuse(form, exc, "file")))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Show one account with the forms to move it and reset its password."""
    user = load_or_404(User, user_id, current_user, "see_user")
    move = MoveUserForm(role=user.role, unit_id=user.unit_id)
    move.unit_id.choices = _unit_choices()
    if request.method == "GET":
        return _user_page(user, move=move)
    if not move.validate_on_submit():
        return _user_page(user, move=move), 422
    unit = db.session.get(Unit, move.unit_id.data)
    return commit_and_redirect(lambda: services.move_user(user, unit, move.role.data), "Đã chuyển tài khoản.",
                               url_for("admin.edit_user", user_id=user.id),
                               page=lambda exc: _user_page(user, move=refuse(move, exc)))


def _user_page(user: User, move=None, reset=None, confirm=None) -> str:
    """One account's page; after bad input, the form as typed with its errors."""
    if move is None:
        move = MoveUserForm(formdata=None, role=user.role, unit_id=user.unit_id)
        move.unit_id.choices = _unit_choices()
    return render_template("admin/user.html", user=user, move=move, reset=reset or ResetPasswordForm(formdata=None),
                           confirm=confirm or ConfirmForm(formdata=None))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    """Set a new password for an account."""
    user = load_or_404(User, user_id, current_user, "see_user")
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return _user_page(user, reset=form), 422
    return commit_and_redirect(lambda: services.reset_password(user, form.password.data),
                               "Đã đặt lại mật khẩu.", url_for("admin.edit_user", user_id=user.id),
                               page=lambda exc: _user_page(user, reset=refuse(form, exc, "password")))


@bp.post("/users/<int:user_id>/active")
def toggle_active(user_id: int):
    """Disable an active account or enable a disabled one."""
    user = load_or_404(User, user_id, current_user, "see_user")
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    message = "Đã mở khoá tài khoản." if not user.active else "Đã khoá tài khoản."
    return commit_and_redirect(lambda: services.set_active(user, not user.active, current_user), message,
                               url_for("admin.edit_user", user_id=user.id),
                               page=lambda exc: _user_page(user, confirm=refuse(form, exc)))


@bp.get("/calendar")
def calendar():
    """The year's public holidays and the days the admin marked (make-up days, extra days off)."""
    return _calendar_page(CalendarDayForm())


def _calendar_page(form: CalendarDayForm) -> str:
    """The calendar page with its form (as typed, with its errors, after bad input)."""
    year = clock.today().year
    holidays, makeup = public_calendar(year, year)
    marked = db.session.scalars(db.select(CalendarDay).order_by(CalendarDay.day.desc()).limit(200))
    return render_template("admin/calendar.html", form=form, marked=list(marked), year=year,
                           holidays=sorted(holidays), makeup=sorted(makeup), confirm=ConfirmForm(formdata=None))


@bp.post("/calendar")
def add_calendar_day():
    """Mark a day against the usual calendar."""
    form = CalendarDayForm()
    if not form.validate_on_submit():
        return _calendar_page(form), 422
    return commit_and_redirect(
        lambda: services.set_calendar_day(parse_vn_date(form.day.data), form.is_working.data == "1", form.note.data),
        "Đã lưu ngày.", url_for("admin.calendar"), page=lambda exc: _calendar_page(refuse(form, exc, "day")))


@bp.post("/calendar/<int:day_id>/delete")
def remove_calendar_day(day_id: int):
    """Forget a marked day."""
    row = db.session.get(CalendarDay, day_id)
    if row is None or not ConfirmForm().validate_on_submit():
        abort(404)
    return commit_and_redirect(lambda: services.remove_calendar_day(row), "Đã xoá.", url_for("admin.calendar"))


@bp.get("/mails")
def mails():
    """The mail outbox: pending, sent, failed, with their attempts and errors."""
    status = request.args.get("status") or "failed"
    counts = dict(db.session.execute(db.select(Mail.status, func.count()).group_by(Mail.status)).all())
    query = db.select(Mail).where(Mail.status == status).order_by(Mail.id.desc())
    return render_template("admin/mails.html", page=paginate(query, 50), counts=counts, status=status,
                           confirm=ConfirmForm())


@bp.post("/mails/<int:mail_id>/resend")
def resend_mail(mail_id: int):
    """Send a failed mail again, now."""
    mail = db.session.get(Mail, mail_id)
    if mail is None or not ConfirmForm().validate_on_submit():
        abort(404)

    def again():
        resend(mail)
        queue_mails([mail.id])

    return commit_and_redirect(again, "Đã đưa thư vào hàng đợi gửi lại.",
                               url_for("admin.mails", status="pending"))
