"""Page forms and the end of a page action: commit what a service did and redirect, or roll back and show
the form again with why (issue 10: never a redirect on bad input)."""

from __future__ import annotations

from flask import flash, redirect
from flask_wtf import FlaskForm

from app.core.errors import DomainError
from app.extensions import db


class _Vietnamese:
    """WTForms' own messages (a number or a choice it cannot read…) in Vietnamese; it ships no catalogue for it."""

    MESSAGES = {
        "This field is required.": "Vui lòng nhập trường này.",
        "Not a valid integer value.": "Vui lòng nhập một số nguyên.",
        "Not a valid decimal value.": "Vui lòng nhập một số.",
        "Not a valid float value.": "Vui lòng nhập một số.",
        "Not a valid choice.": "Lựa chọn không hợp lệ.",
        "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
        "Invalid choice(s): one or more data inputs could not be coerced.": "Lựa chọn không hợp lệ.",
        "'%(value)s' is not a valid choice for this field.": "Lựa chọn “%(value)s” không hợp lệ.",
        "'%(value)s' are not valid choices for this field.": "Các lựa chọn “%(value)s” không hợp lệ.",
        "Not a valid date value.": "Ngày không hợp lệ.",
        "Not a valid datetime value.": "Thời điểm không hợp lệ.",
        "Invalid email address.": "Địa chỉ thư không hợp lệ.",
        "Invalid input.": "Giá trị không hợp lệ.",
        "Field must be equal to %(other_name)s.": "Phải trùng với trường %(other_name)s.",
        "Field must be at least %(min)d character long.": "Phải có ít nhất %(min)d ký tự.",
        "Field must be at least %(min)d characters long.": "Phải có ít nhất %(min)d ký tự.",
        "Field cannot be longer than %(max)d character.": "Không được dài quá %(max)d ký tự.",
        "Field cannot be longer than %(max)d characters.": "Không được dài quá %(max)d ký tự.",
        "Field must be between %(min)d and %(max)d characters long.": "Phải có từ %(min)d đến %(max)d ký tự.",
        "Number must be at least %(min)s.": "Phải từ %(min)s trở lên.",
        "Number must be at most %(max)s.": "Không được lớn hơn %(max)s.",
        "Number must be between %(min)s and %(max)s.": "Phải từ %(min)s đến %(max)s.",
    }

    def gettext(self, text: str) -> str:
        return self.MESSAGES.get(text, text)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class VietnameseMeta:
    """Form options whose built-in messages are Vietnamese: ``Meta = VietnameseMeta`` (sub-forms of a FieldList too)."""

    def get_translations(self, form):
        return _Vietnamese()


class PageForm(FlaskForm):
    """A page's form whose built-in messages are Vietnamese."""

    Meta = VietnameseMeta


def refuse(form, reason, field: str | None = None):
    """Put a refusal (an error or a message) beside `field`, or the field the error names, else atop the form."""
    message = getattr(reason, "message", reason)
    name = field or getattr(reason, "field", None)
    if name and name in form:
        form[name].errors = [*form[name].errors, message]
    else:
        form.form_errors.append(message)
    return form


def commit_and_redirect(change, message: str, target: str, page=None):
    """Run a service; commit, flash `message` (``{}`` takes its result) and redirect to `target`.

    On a refusal roll back; with `page`, answer ``page(error)`` (the form again, saying why) with the error's
    status, unless the page gives its own; without it (older callers), flash why and redirect.
    """
    try:
        result = change()
    except DomainError as exc:
        db.session.rollback()
        if page is not None:
            answer = page(exc)
            return answer if isinstance(answer, tuple) else (answer, exc.status)
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(message.format(result), "success")
    return redirect(target)


def submit(form, page, change, message: str, target, field: str | None = None):
    """A posted form's whole answer: if it is valid, `commit_and_redirect` the `change`; if not, or if the change
    is refused, ``page(form)``, the page again with everything as typed and why beside `field` (or the field the
    refusal names). `target` is a URL, or a function giving it once the form is valid."""
    if not form.validate_on_submit():
        return page(form), 422
    return commit_and_redirect(change, message, target() if callable(target) else target,
                               page=lambda exc: page(refuse(form, exc, field)))
