"""Flask-Security's auth tokens are switched off: the CMS signs people in by session only."""

from __future__ import annotations

from tests.factories import PASSWORD


def json_login(client, email: str):
    return client.post(
        "/login?include_auth_token",
        json={"email": email, "password": PASSWORD},
        headers={"X-CSRFToken": client.token()},
    )


def test_json_login_signs_in_with_the_session_cookie(app, users):
    client = app.test_client()

    response = json_login(client, users["editor"].email)

    assert response.status_code == 200
    assert client.get("/admin/posts/").status_code == 200


def test_a_token_from_a_json_login_opens_nothing(app, users):
    response = json_login(app.test_client(), users["admin"].email)
    token = (response.get_json()["response"].get("user") or {}).get("authentication_token")
    # Even when Flask-Security hands one out, nothing accepts it.
    token = token or response.get_json()["response"].get("authentication_token") or "none"

    stranger = app.test_client()
    for response in (
        stranger.get("/admin/posts/", headers={"Authentication-Token": token}),
        stranger.get(f"/admin/posts/?auth_token={token}"),
        stranger.get("/admin/users/", headers={"Authentication-Token": token}),
        stranger.get("/change", headers={"Authentication-Token": token}),
    ):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
