"""The account administration page."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from app.admin import queries, services
from app.admin.forms import (
    CalendarDayForm,
    CreateUserForm,
    ImportUsersForm,
    MoveUserForm,
    ResetPasswordForm,
    TrustedRootForm,
)
from app.auth.models import User
from app.core import audit, clock
from app.core.calendar import public_calendar
from app.core.dates import parse_vn_date
from app.core.errors import DomainError
from app.core.flow import commit_and_redirect, refuse, submit
from app.core.forms import ConfirmForm
from app.core.models import CalendarDay
from app.core.paging import paginate
from app.core.permissions import allowed, load_or_404
from app.escalation.mailer import resend
from app.escalation.services import queue_mails
from app.evidence import trust
from app.evidence.models import TrustedRoot
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


@bp.get("/users")
def users():
    """List accounts, searchable, with the forms to create and import."""
    return _users_page()


def _users_page(create=None, upload=None) -> str:
    """The account list with its forms; after bad input, the form as typed with its errors."""
    text = request.args.get("q", "").strip()
    return render_template("admin/users.html", page=paginate(queries.accounts(text), 50), q=text,
                           create=create or _create_form(formdata=None),
                           upload=upload or ImportUsersForm(formdata=None), confirm=ConfirmForm(formdata=None))


def _create_form(**kwargs) -> CreateUserForm:
    form = CreateUserForm(**kwargs)
    form.unit_id.choices = queries.unit_choices()
    return form


@bp.post("/users")
def create_user():
    """Create one account."""
    form = _create_form()
    return submit(form, lambda typed: _users_page(create=typed), lambda: services.create_user(
        form.username.data, form.full_name.data, form.email.data, form.role.data,
        db.session.get(Unit, form.unit_id.data), form.password.data, form.position.data or None,
    ), "Đã tạo tài khoản.", url_for("admin.users"))


@bp.post("/users/import")
def import_users():
    """Create accounts from a CSV file; a bad row rejects the whole file."""
    form = ImportUsersForm()
    return submit(form, lambda typed: _users_page(upload=typed),
                  lambda: services.import_users_csv(_utf8_text(form.file.data)), "Đã nhập {} tài khoản.",
                  url_for("admin.users"), field="file")


def _utf8_text(upload) -> str:
    """An uploaded file's text; a file not saved as UTF-8 is refused."""
    try:
        return upload.read().decode("utf-8")
    except UnicodeDecodeError:
        raise DomainError("Tệp CSV phải được lưu với bảng mã UTF-8.") from None


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Show one account with the forms to move it and reset its password."""
    user = load_or_404(User, user_id, current_user, "see_user")
    move = MoveUserForm(role=user.role, unit_id=user.unit_id)
    move.unit_id.choices = queries.unit_choices()
    if request.method == "GET":
        return _user_page(user, move=move)
    return submit(move, lambda typed: _user_page(user, move=typed),
                  lambda: services.move_user(user, db.session.get(Unit, move.unit_id.data), move.role.data),
                  "Đã chuyển tài khoản.", url_for("admin.edit_user", user_id=user.id))


def _user_page(user: User, move=None, reset=None, confirm=None) -> str:
    """One account's page; after bad input, the form as typed with its errors."""
    if move is None:
        move = MoveUserForm(formdata=None, role=user.role, unit_id=user.unit_id)
        move.unit_id.choices = queries.unit_choices()
    return render_template("admin/user.html", user=user, move=move, reset=reset or ResetPasswordForm(formdata=None),
                           confirm=confirm or ConfirmForm(formdata=None))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    """Set a new password for an account."""
    user = load_or_404(User, user_id, current_user, "see_user")
    form = ResetPasswordForm()
    return submit(form, lambda typed: _user_page(user, reset=typed),
                  lambda: services.reset_password(user, form.password.data),
                  "Đã đặt lại mật khẩu.", url_for("admin.edit_user", user_id=user.id), field="password")


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
    return render_template("admin/calendar.html", form=form, marked=queries.marked_days(), year=year,
                           holidays=sorted(holidays), makeup=sorted(makeup), confirm=ConfirmForm(formdata=None))


@bp.post("/calendar")
def add_calendar_day():
    """Mark a day against the usual calendar."""
    form = CalendarDayForm()
    return submit(
        form, _calendar_page,
        lambda: services.set_calendar_day(parse_vn_date(form.day.data), form.is_working.data == "1", form.note.data),
        "Đã lưu ngày.", url_for("admin.calendar"), field="day")


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
    return render_template("admin/mails.html", page=paginate(queries.mails_in(status), 50),
                           counts=queries.mail_counts(), status=status, confirm=ConfirmForm())


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


@bp.get("/roots")
def trusted_roots():
    """The root certificates the admin trusts for digital signatures, with the form to add one."""
    return _roots_page(TrustedRootForm(formdata=None))


def _roots_page(form: TrustedRootForm) -> str:
    """The roots page with its form (as sent, with why, after a refused file)."""
    rows = db.session.scalars(db.select(TrustedRoot).order_by(TrustedRoot.added_at, TrustedRoot.id)).all()
    return render_template("admin/roots.html", form=form, roots=rows, folder=trust.roots_dir(),
                           folder_roots=trust.folder_roots(), signed=trust.signed_files(),
                           confirm=ConfirmForm(formdata=None), now=clock.now())


@bp.post("/roots")
def add_trusted_root():
    """Trust one more root certificate; the stored signatures are verified again."""
    form = TrustedRootForm()
    return submit(form, _roots_page, lambda: trust.add_root(_bounded(form.file.data), current_user),
                  "Đã thêm chứng thư gốc. Chữ ký số của các tệp đã nhận đang được kiểm tra lại.",
                  url_for("admin.trusted_roots"), field="file")


def _bounded(upload) -> bytes:
    """An uploaded certificate's bytes, at most one more than a certificate may have (the service says why)."""
    return upload.read(trust.MAX_ROOT_BYTES + 1)


@bp.post("/roots/<int:root_id>/delete")
def remove_trusted_root(root_id: int):
    """Stop trusting a root certificate; the stored signatures are verified again."""
    row = db.session.get(TrustedRoot, root_id)
    if row is None or not ConfirmForm().validate_on_submit():
        abort(404)
    return commit_and_redirect(lambda: trust.remove_root(row, current_user),
                               "Đã bỏ chứng thư gốc. Chữ ký số của các tệp đã nhận đang được kiểm tra lại.",
                               url_for("admin.trusted_roots"))


@bp.post("/roots/reverify")
def reverify_signatures():
    """Verify every stored signature again (after the certificates of TRUSTED_ROOTS_DIR changed)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return commit_and_redirect(trust.reverify_after_commit, "Đang kiểm tra lại chữ ký số của các tệp đã nhận.",
                               url_for("admin.trusted_roots"))
