"""A user makes, reads and revokes API tokens on a phone, with a mistake first."""

from app.auth import services
from app.extensions import db
from app.seed.services import seed_demo
from tests.e2e.conftest import sign_in


def test_tokens_on_a_phone(live_server, phone, tmp_path):
    seed_demo()
    db.session.commit()
    sign_in(phone, live_server, "vanphong")  # waits for the signed-in page before going on
    phone.goto(live_server + "/account/tokens")
    phone.fill("input[name=label]", "x" * 81)  # the field takes no more than its column
    assert phone.input_value("input[name=label]") == "x" * 80
    phone.fill("input[name=label]", "   ")
    phone.click("text=Tạo mã mới")
    phone.wait_for_selector(".invalid-feedback >> text=Vui lòng nhập trường này.")
    phone.screenshot(path=tmp_path / "tokens-error.png", full_page=True)
    for label in ("Phần mềm báo cáo tỉnh", "Bảng tính tổng hợp"):
        phone.fill("input[name=label]", label)
        phone.click("text=Tạo mã mới")
        # Wait for this label's row, not just a shown token: the first one is still on the page.
        phone.wait_for_selector(f"li >> text={label}")
    issued = phone.inner_text("#issued-token").strip()
    assert services.token_for(issued) is not None
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=tmp_path / "tokens-list.png", full_page=True)
    questions = []
    phone.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    phone.click("text=Thu hồi tất cả 2 mã")
    phone.wait_for_selector("text=Đã thu hồi 2 mã truy cập.")
    assert questions and "Thu hồi cả 2 mã?" in questions[0]
    db.session.expire_all()
    assert services.token_for(issued) is None
    phone.screenshot(path=tmp_path / "tokens-revoked.png", full_page=True)


def test_revoking_one_token_on_a_desktop_asks_first_and_keeps_the_other(live_server, page, tmp_path):
    seed_demo()
    db.session.commit()
    user = services.find_user("vanphong")
    kept, gone = services.issue_token(user, "Giữ lại"), services.issue_token(user, "Bỏ đi")
    db.session.commit()
    page.set_viewport_size({"width": 1366, "height": 800})
    sign_in(page, live_server, "vanphong")
    page.goto(live_server + "/account/tokens")
    answers, questions = iter([False, True]), []  # the first press is cancelled: nothing may change
    page.on("dialog", lambda dialog: (questions.append(dialog.message),
                                      dialog.accept() if next(answers) else dialog.dismiss()))
    row = page.locator("li", has_text="Bỏ đi")
    row.locator("text=Thu hồi").click()
    page.wait_for_function("document.readyState === 'complete'")
    assert questions == ["Thu hồi mã “Bỏ đi”?"]  # the dialog answers before click() returns
    db.session.expire_all()
    assert services.token_for(gone) is not None
    row.locator("text=Thu hồi").click()
    page.wait_for_selector("text=Đã thu hồi mã truy cập.")
    page.screenshot(path=tmp_path / "tokens-desktop.png", full_page=True)
    db.session.expire_all()
    assert services.token_for(gone) is None and services.token_for(kept) is not None
    assert "Giữ lại" in page.content() and "Bỏ đi" not in page.content()
