"""The health check, and the error pages people and programs get."""

from __future__ import annotations

import pytest


def test_healthz_answers_while_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path, make_app):
    broken = make_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"


@pytest.fixture
def failing_app(database_url, make_app):
    """An app with a view that fails, with exceptions handled as in production."""
    app = make_app({"SQLALCHEMY_DATABASE_URI": database_url, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/boom")
    def boom():
        raise RuntimeError("something broke")

    return app


def test_a_server_error_gets_the_500_page(failing_app):
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page
    assert "something broke" not in page  # no internals shown to the visitor


def test_a_json_client_gets_json_errors(failing_app):
    client = failing_app.test_client()
    response = client.get("/boom", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.json["error"] == "Internal Server Error"
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"] == "Not Found"


def test_the_403_page_offers_to_switch_accounts(client, users):
    client.login(users["norole"].email)
    response = client.get("/admin/")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Access denied" in page
    assert users["norole"].email in page
    assert 'action="/logout"' in page
    assert 'name="csrf_token"' in page


@pytest.mark.parametrize(
    "url",
    ["/posts/a%00b", "/?page=%00", "/admin/posts/?search=%00", "/admin/users/?search=x%00"],
)
def test_a_nul_byte_anywhere_is_a_bad_request(client, users, url):
    client.login(users["admin"].email)
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


def test_a_nul_byte_in_a_form_saves_nothing(client, users):
    from cms.extensions import db
    from cms.posts.models import Post

    client.login(users["editor"].email)
    response = client.submit(
        "/admin/posts/new/",
        {"title": "Bad\x00title", "status": "draft", "author": str(users["editor"].id)},
    )
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Post.id))) == 0


def _failed_logins() -> list:
    from cms.audit.models import AuditEntry
    from cms.extensions import db

    db.session.expire_all()
    query = db.select(AuditEntry).where(AuditEntry.action == "auth.login_failed")
    return db.session.scalars(query.order_by(AuditEntry.id)).all()


def test_a_json_login_with_a_nul_byte_is_refused_and_logged(client):
    response = client.post(
        "/login",
        json={"email": "a\u0000b@example.com", "password": "x"},
        headers={"X-CSRF-Token": client.token()},
    )
    assert response.status_code == 400
    assert response.is_json
    assert "NUL character" in response.get_json()["message"]
    [entry] = _failed_logins()
    assert entry.target_label == "a\\x00b@example.com"  # escaped: PostgreSQL stores no NUL
    assert entry.changes_dict == {"email": "a\x00b@example.com"}


def test_a_form_login_with_a_nul_byte_is_refused_and_logged(client):
    response = client.submit("/login", {"email": "a\x00b@example.com", "password": "x"})
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    assert [entry.target_label for entry in _failed_logins()] == ["a\\x00b@example.com"]


def test_a_nul_byte_anywhere_in_a_json_body_is_a_bad_request(client, users):
    client.login(users["admin"].email)
    token = client.token()
    for body in ({"title": ["ok", {"x\u0000": 1}]}, ["a", "b\u0000"]):
        response = client.post("/admin/posts/new/", json=body, headers={"X-CSRF-Token": token})
        assert response.status_code == 400
        assert response.get_json()["message"].startswith("The request contains a NUL")
