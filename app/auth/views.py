"""Log-in, log-out and password pages."""

import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.forms import ChangePasswordForm, LoginForm, NewTokenForm
from app.core import audit
from app.core.errors import DomainError
from app.core.flow import refuse
from app.extensions import db

bp = Blueprint("auth", __name__)
#: A path of this site: "/" then nothing that a browser would read as a second slash, a host or a break.
SAME_SITE_PATH = re.compile(r"/(?![/\\])[^\\\x00-\x20\x7f]*")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the log-in form and log the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if not form.is_submitted():
        return render_template("auth/login.html", form=form)
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422
    try:
        user = services.authenticate(form.username.data, form.password.data, audit.client_address())
    except DomainError as exc:  # too many attempts (429), a demo account in production (403)
        db.session.commit()
        return render_template("auth/login.html", form=refuse(form, exc)), exc.status
    db.session.commit()
    if user is None:
        return render_template("auth/login.html", form=refuse(form, services.BAD_CREDENTIALS)), 401
    session.clear()  # a fresh session at log-in: no fixation
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


def _safe_next(target: str | None) -> str:
    """Follow ``next`` only to a path on this site: one leading "/", no backslash, no control character or space
    (a browser drops those, so "/\t/evil.example" would lead to //evil.example)."""
    if target and SAME_SITE_PATH.fullmatch(target):
        return target
    return url_for("home.index")


@bp.post("/logout")
def logout():
    """Log out everywhere: the session id rotates so a copied cookie is useless, and API tokens end."""
    ended = 0
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        ended = services.sign_out_everywhere(user)
        audit.record("logout", user=user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(f"Bạn đã đăng xuất; {ended} mã truy cập API cũng đã bị thu hồi." if ended else "Bạn đã đăng xuất.",
          "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Let users change their own password."""
    form = ChangePasswordForm()
    if not form.is_submitted():
        return render_template("auth/password.html", form=form)
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form), 422
    user = current_user._get_current_object()
    try:
        services.change_password(user, form.current.data, form.new.data)
    except DomainError as exc:
        db.session.rollback()
        return render_template("auth/password.html", form=refuse(form, exc, "current")), exc.status
    db.session.commit()
    session.clear()
    login_user(user)  # this session carries the new id; others are dead
    flash("Đã đổi mật khẩu.", "success")
    return redirect(url_for("home.index"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """List one's own API tokens and make a new one, shown once."""
    user = current_user._get_current_object()
    form, issued = NewTokenForm(), None
    if form.is_submitted():
        if not form.validate_on_submit():
            return _tokens_page(user, form), 422
        issued = services.issue_token(user, form.label.data)
        audit.record("token_issued", user=user, detail={"label": form.label.data[:80]})
        db.session.commit()
        form = NewTokenForm(formdata=None)
    return _tokens_page(user, form, issued)


def _tokens_page(user, form, issued: str | None = None):
    return render_template("auth/tokens.html", form=form, issued=issued, tokens=services.live_tokens(user),
                           cap=current_app.config["API_TOKENS_PER_USER"])


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """End one of one's own API tokens; another user's is a 404."""
    if not services.revoke_token(current_user._get_current_object(), token_id):
        abort(404)
    db.session.commit()
    flash("Đã thu hồi mã truy cập.", "success")
    return redirect(url_for("auth.tokens"))


@bp.post("/account/tokens/revoke-all")
@login_required
def revoke_all_tokens():
    """End every API token of one's own (the session stays)."""
    user = current_user._get_current_object()
    ended = services.revoke_tokens(user)
    audit.record("tokens_revoked", user=user, detail={"count": ended})
    db.session.commit()
    flash(f"Đã thu hồi {ended} mã truy cập.", "success")
    return redirect(url_for("auth.tokens"))
