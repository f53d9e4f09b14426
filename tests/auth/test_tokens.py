"""API tokens end with the person's presence (log-out, disable, password, move), can be listed and revoked on a
page and through the API, and are capped per user."""


from app.auth import services
from app.extensions import db
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD


def issue(client, username="mc.xa-a", **extra):
    return client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD, **extra})


def works(client, token: str) -> bool:
    status = client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"}).status_code
    assert status in (200, 401)
    return status == 200


def admin_post(client, path: str):
    login(client, "admin")
    return client.post(path, data={"csrf_token": csrf_token(client, "/")})


def test_web_log_out_ends_the_users_tokens_and_says_so(app, client, tree):
    token = issue(client).json["token"]
    assert works(client, token)
    login(client, "mc.xa-a")
    page = client.post("/logout", data={"csrf_token": csrf_token(client, "/")}, follow_redirects=True)
    assert "1 mã truy cập API cũng đã bị thu hồi" in page.get_data(as_text=True)
    assert not works(client, token)


def test_a_disabled_accounts_tokens_do_not_come_back_when_it_is_enabled(app, client, tree):
    token = issue(client).json["token"]
    path = f"/admin/users/{tree.users['staff_a'].id}/active"
    admin_post(client, path)
    assert not works(client, token)
    client.post(path, data={"csrf_token": csrf_token(client, "/")})  # enabled again
    db.session.refresh(tree.users["staff_a"])
    assert tree.users["staff_a"].active
    assert not works(client, token)
    assert works(client, issue(client).json["token"])


def test_a_password_change_ends_the_tokens(app, client, tree):
    token = issue(client).json["token"]
    login(client, "mc.xa-a")
    client.post("/account/password", data={"current": PASSWORD, "new": "mat-khau-moi-1", "confirm": "mat-khau-moi-1",
                                           "csrf_token": csrf_token(client, "/account/password")})
    assert not works(client, token)


def test_a_move_to_another_unit_ends_the_tokens(app, client, tree):
    token = issue(client).json["token"]
    login(client, "admin")
    page = f"/admin/users/{tree.users['staff_a'].id}"
    response = client.post(page, data={"unit_id": tree.commune_b.id, "role": "unit_staff",
                                                  "csrf_token": csrf_token(client, page)})
    assert response.status_code == 302
    assert not works(client, token)


def test_the_api_lists_tokens_without_their_secret_and_revokes_them(client, tree):
    first = issue(client, label="Phần mềm tỉnh").json
    second = issue(client).json
    bearer = {"Authorization": f"Bearer {second['token']}"}
    listed = client.get("/api/v1/auth/tokens", headers=bearer).json
    assert [(t["id"], t["label"], t["current"]) for t in listed] == [
        (second["id"], "", True), (first["id"], "Phần mềm tỉnh", False)]
    assert all("token" not in t and first["token"].startswith(t["hint"]) is (t["id"] == first["id"]) for t in listed)
    assert client.delete(f"/api/v1/auth/tokens/{first['id']}", headers=bearer).status_code == 204
    assert not works(client, first["token"]) and works(client, second["token"])
    assert client.delete("/api/v1/auth/token", headers=bearer).status_code == 204
    assert not works(client, second["token"])


def test_another_users_token_is_a_404_and_still_works(client, tree):
    theirs = issue(client, "mc.xa-b").json
    mine = {"Authorization": f"Bearer {issue(client).json['token']}"}
    response = client.delete(f"/api/v1/auth/tokens/{theirs['id']}", headers=mine)
    assert response.status_code == 404 and "error" in response.json
    assert works(client, theirs["token"])


def test_a_label_longer_than_its_column_is_refused_not_cut(client, tree):
    response = issue(client, label="x" * 81)
    assert response.status_code == 422 and "label" in response.json["error"]
    assert services.live_tokens(tree.users["staff_a"]) == []


def test_tokens_are_capped_per_user_the_oldest_ending_first(app, client, tree):
    app.config["API_TOKENS_PER_USER"] = 3
    tokens = [issue(client).json["token"] for _ in range(5)]
    assert [works(client, t) for t in tokens] == [False, False, True, True, True]
    assert len(services.live_tokens(tree.users["staff_a"])) == 3


def test_the_page_makes_a_token_shown_once_lists_and_revokes_it(client, tree):
    login(client, "mc.xa-a")
    token = csrf_token(client, "/account/tokens")
    made = client.post("/account/tokens", data={"label": "Phần mềm báo cáo", "csrf_token": token})
    page = made.get_data(as_text=True)
    row = services.live_tokens(tree.users["staff_a"])[0]
    issued = page.split('id="issued-token">')[1].split("<")[0]
    assert made.status_code == 200 and "chỉ hiện một lần" in page and "Phần mềm báo cáo" in page
    assert works(client, issued) and issued.startswith(row.hint)
    assert issued not in client.get("/account/tokens").get_data(as_text=True)  # once
    revoked = client.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": token}, follow_redirects=True)
    assert "Đã thu hồi mã truy cập." in revoked.get_data(as_text=True) and not works(client, issued)


def test_the_page_refuses_an_empty_or_long_label_beside_the_field_keeping_it(client, tree):
    login(client, "mc.xa-a")
    token = csrf_token(client, "/account/tokens")
    response = client.post("/account/tokens", data={"label": "y" * 90, "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Tối đa 80 ký tự." in page and 'value="' + "y" * 90 in page
    assert services.live_tokens(tree.users["staff_a"]) == []


def test_revoke_all_says_how_many_first_and_after(client, tree):
    for _ in range(3):
        issue(client)
    login(client, "mc.xa-a")
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "Thu hồi cả 3 mã?" in page and "Thu hồi tất cả 3 mã" in page
    done = client.post("/account/tokens/revoke-all", data={"csrf_token": csrf_token(client, "/")},
                       follow_redirects=True)
    assert "Đã thu hồi 3 mã truy cập." in done.get_data(as_text=True)
    assert services.live_tokens(tree.users["staff_a"]) == []
    assert client.get("/").status_code == 200  # the session itself stays


def test_a_user_of_another_commune_neither_sees_nor_ends_anothers_tokens(client, tree):
    """The page, revoke-all and the list act on one's own tokens only: commune A's token lives on."""
    theirs = issue(client, "mc.xa-a", label="Phần mềm xã A").json
    mine = issue(client, "mc.xa-b").json
    listed = client.get("/api/v1/auth/tokens", headers={"Authorization": f"Bearer {mine['token']}"}).json
    assert [t["id"] for t in listed] == [mine["id"]]
    login(client, "mc.xa-b")
    assert "Phần mềm xã A" not in client.get("/account/tokens").get_data(as_text=True)
    assert client.post(f"/account/tokens/{theirs['id']}/revoke",
                       data={"csrf_token": csrf_token(client, "/")}).status_code == 404
    client.post("/account/tokens/revoke-all", data={"csrf_token": csrf_token(client, "/")})
    assert works(client, theirs["token"])
