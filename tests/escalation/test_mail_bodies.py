"""What people type (a unit's name, a leader's guidance) reaches the mail as typed: as is in the plain text, escaped
in the HTML, its line breaks kept (a new line in the text, <br> in the HTML). Mails are written from the templates
under templates/mail/ and go through a real SMTP server (aiosmtpd), right after the commit that queues them."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from app.auth.models import User
from app.core import clock
from app.directives.models import Directive
from app.escalation.guidance import give_guidance
from app.extensions import db
from app.units.models import Unit
from tests.escalation.conftest import small_district, sweep

UNIT = 'Xã <b>An</b> & "Bình"'
GUIDANCE = "Đề nghị <script>alert(1)</script> khẩn trương.\nBáo cáo kết quả trước ngày 25/06/2022."
FOOTER = "Thư tự động từ hệ thống Theo dõi chỉ đạo. Vui lòng không trả lời thư này."


def bodies(message) -> tuple[str, str]:
    """The plain text and the HTML as the reader's mail program has them, with one kind of line break."""
    return message.text.replace("\r\n", "\n").rstrip("\n"), message.html.replace("\r\n", "\n")


def test_a_unit_name_with_markup_reads_as_typed_in_both_bodies(runner, inline_smtp):
    setup = small_district()
    commune = setup.commune("xa-a")
    db.session.get(Unit, commune.id).name = UNIT
    db.session.commit()

    sweep(runner, "2022-06-16T08:00:00")  # a day late: the chair's escalation and the office's digest
    got = {message.to: message for message in inline_smtp.delivered()}
    text, html = bodies(got[commune.chair])
    assert text == "\n".join([
        "Kính gửi ct.xa-a,", "",
        "Quá hạn: 1 nhiệm vụ chưa hoàn thành", "",
        f"{UNIT} (1 nhiệm vụ):",
        f"  - Văn bản 9/UBND-VP, mục 1: Tổ chức triển khai nội dung 1 (hạn 15/06/2022, quá hạn 1 ngày) "
        f"http://theodoi.test/tasks/{commune.tasks[0]}", "",
        FOOTER])
    for _, html in (bodies(got[commune.chair]), bodies(got[setup.office])):
        assert "<b>An</b>" not in html
        assert f"{UNIT} (1 nhiệm vụ)" in [unescape(heading) for heading in re.findall(r"<h3>(.*?)</h3>", html)]
    digest, _ = bodies(got[setup.office])
    assert f"\n\n{UNIT} (1 nhiệm vụ):\n  - Văn bản 9/UBND-VP" in digest and "\n\n\n" not in digest


def test_a_guidance_keeps_its_line_breaks_and_its_markup_is_never_run(inline_smtp):
    setup = small_district()
    commune = setup.commune("xa-a")
    clock.freeze(clock.parse_instant("2022-06-16T09:00:00"))
    leader = db.session.scalar(select(User).where(User.username == "chutich"))
    give_guidance(db.session.get(Directive, setup.directive_id), leader, GUIDANCE, [commune.id])
    db.session.commit()  # the mails leave now

    got = {message.to: message for message in inline_smtp.delivered()}
    assert sorted(got) == sorted([commune.chair, commune.staff])
    text, html = bodies(got[commune.staff])
    assert got[commune.staff].subject == "[Theo dõi chỉ đạo] Ý kiến chỉ đạo về văn bản 9/UBND-VP"
    assert text == "\n".join([
        "Kính gửi mc.xa-a,", "",
        "chutich có ý kiến chỉ đạo về văn bản 9/UBND-VP V/v Về việc báo cáo chuyển đổi số:", "",
        GUIDANCE, "",
        "Nhiệm vụ của đơn vị chưa hoàn thành (1):",
        f"  - Văn bản 9/UBND-VP, mục 1: Tổ chức triển khai nội dung 1 (hạn 15/06/2022, quá hạn 1 ngày) "
        f"http://theodoi.test/tasks/{commune.tasks[0]}", "",
        FOOTER])
    assert ("Đề nghị &lt;script&gt;alert(1)&lt;/script&gt; khẩn trương.<br>\n"
            "Báo cáo kết quả trước ngày 25/06/2022.</blockquote>") in html
    assert "<script>" not in html
    assert f'<a href="http://theodoi.test/tasks/{commune.tasks[0]}">Xem nhiệm vụ</a>' in html
