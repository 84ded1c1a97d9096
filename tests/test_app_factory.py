"""create_app may run more than once in a process (tests, several workers' preloads):
every app must keep its own admin, settings and screens."""

from __future__ import annotations


def test_two_apps_keep_their_own_site_on_every_screen(database_url, make_app):
    apps = {
        name: make_app({"SQLALCHEMY_DATABASE_URI": database_url, "SITE_NAME": name})
        for name in ("First Site", "Second Site")
    }
    for name, app in apps.items():
        client = app.test_client()
        for url in ("/login", "/reset", "/"):
            page = client.get(url).get_data(as_text=True)
            assert name in page, f"{url} of {name}"
            assert ({"First Site", "Second Site"} - {name}).pop() not in page
