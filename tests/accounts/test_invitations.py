"""Invitations: the mailed link, choosing a password through it, and what ends it."""

from __future__ import annotations

import re
import socket
from datetime import timedelta

import pytest
from sqlalchemy.orm.attributes import set_committed_value

from cms.accounts.models import Invitation
from cms.audit.models import AuditEntry
from cms.extensions import db
from tests.accounts.invites import accept, invite, link_in, mails_to, path_of
from tests.accounts.test_password_reset import same_page
from tests.client import csrf_token_in, flashed
from tests.factories import stored_user

PASSWORD = "the invitee's own secret"


@pytest.fixture
def admin(client, users):
    client.login("admin@example.com")
    return client


@pytest.fixture
def invitee_link(admin, outbox):
    """Ines has been invited as an editor; the link from her mail."""
    invite(admin, "ines@example.com", roles=["editor"], full_name="Ines")
    return link_in(mails_to(outbox, "ines@example.com")[-1])


@pytest.fixture
def visitor(app):
    """Someone without a session: the invitee opening her mail."""
    return app.test_client()


def audit_actions(email: str) -> list[tuple[str, str | None]]:
    db.session.expire_all()
    entries = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.target_label == email).order_by(AuditEntry.id)
    )
    return [(entry.action, entry.actor_email) for entry in entries]


def problem_on(response) -> str:
    found = re.search(r'class="invitation-problem">(.*?)</p>', response.get_data(as_text=True))
    assert found, "the page explains nothing"
    return found.group(1).replace("&#39;", "'")


def field_errors(response) -> list[str]:
    return re.findall(r'invalid-feedback d-block">(.*?)</div>', response.get_data(as_text=True))


def invitation_of(email: str) -> Invitation:
    return stored_user(email).invitation


# --- Sending ---------------------------------------------------------------------------------


def test_the_invitation_mail_goes_to_the_invitee_with_a_link_to_choose_a_password(
    admin, outbox, users
):
    response = invite(admin, "ines@example.com", roles=["editor", "author"], full_name="Ines")

    assert response.status_code == 302
    assert any("Invitation sent to ines@example.com." in m for m in flashed(admin.get("/admin/")))
    [mail] = outbox
    assert mail.to == ["ines@example.com"]
    assert mail.subject == "You are invited to Flask CMS"
    assert "admin@example.com invited you to Flask CMS as author, editor." in mail.body
    html_part = mail.alternatives[0][0]
    assert link_in(mail) in html_part
    assert stored_user("ines@example.com").role_names == {"editor", "author"}
    assert audit_actions("ines@example.com") == [
        ("user.create", "admin@example.com"),
        ("invitation.send", "admin@example.com"),
    ]


def test_the_link_is_absolute_on_the_public_host_and_scheme(app, admin, users, outbox, monkeypatch):
    """Behind a TLS proxy the request arrives over http, under another host name."""
    monkeypatch.setitem(app.config, "SERVER_NAME", "cms.example.com")
    monkeypatch.setitem(app.config, "PREFERRED_URL_SCHEME", "https")
    plain_http = {"base_url": "http://localhost"}
    page = admin.get("/admin/users/invite/", **plain_http)
    token = csrf_token_in(page.get_data(as_text=True))

    admin.post(
        "/admin/users/invite/",
        data={"email": "ines@example.com", "roles": "author", "csrf_token": token},
        **plain_http,
    )

    [mail] = outbox
    assert link_in(mail).startswith("https://cms.example.com/invitation/")
    assert "localhost" not in mail.body


def test_an_invitation_without_a_name_or_roles_is_sent(admin, outbox):
    response = admin.submit("/admin/users/invite/", {"email": "plain@example.com"})

    assert response.status_code == 302
    user = stored_user("plain@example.com")
    assert (user.full_name, user.role_names) == (None, frozenset())
    assert mails_to(outbox, "plain@example.com")


def access_in_list(admin, email: str) -> str:
    """The Access column of ``email``'s row in the Users list."""
    listing = admin.get("/admin/users/").get_data(as_text=True)
    row = next(r for r in listing.split("<tr") if "action-checkbox" in r and email in r)
    return re.search(r'class="access-state">(.*?)</span>', row).group(1)


def test_the_users_list_shows_who_is_invited(admin, users, invitee_link):
    assert access_in_list(admin, "ines@example.com").startswith("Invited, until ")
    assert access_in_list(admin, "editor@example.com") == "Active"


# --- Accepting -------------------------------------------------------------------------------


def test_accepting_sets_the_password_and_sends_the_invitee_to_log_in(
    visitor, invitee_link, can_log_in
):
    assert not can_log_in("ines@example.com", PASSWORD)
    page = visitor.get(path_of(invitee_link))
    assert page.status_code == 200
    assert "ines@example.com" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"  # the page of a secret link

    response = accept(visitor, invitee_link, PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "Your password is set. Log in with it now." in flashed(visitor.get("/login"))
    assert can_log_in("ines@example.com", PASSWORD)
    assert invitation_of("ines@example.com").accepted_at is not None
    assert ("invitation.accept", "ines@example.com") in audit_actions("ines@example.com")


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("seven77", "seven77", "Password must be at least 8 characters"),
        (PASSWORD, "something else", "The passwords do not match."),
        ("", "", "This field is required."),
    ],
    ids=["too short", "retyped differently", "empty"],
)
def test_a_refused_password_gets_a_field_error_and_keeps_nothing(
    visitor, invitee_link, can_log_in, password, confirm, message
):
    response = accept(visitor, invitee_link, password, confirm)

    assert response.status_code == 200
    assert message in field_errors(response)
    assert stored_user("ines@example.com").password is None
    assert invitation_of("ines@example.com").accepted_at is None
    assert accept(visitor, invitee_link, PASSWORD).status_code == 302  # the link still works
    assert can_log_in("ines@example.com", PASSWORD)


def test_the_link_works_only_once(visitor, invitee_link, can_log_in):
    accept(visitor, invitee_link, PASSWORD)

    again = visitor.get(path_of(invitee_link))
    replay = accept(visitor.application.test_client(), invitee_link, "someone else's pick")

    assert again.status_code == 410
    assert problem_on(again) == (
        "This invitation has been used already. Log in with the password you chose."
    )
    assert replay.status_code == 410
    assert can_log_in("ines@example.com", PASSWORD)
    assert not can_log_in("ines@example.com", "someone else's pick")


def test_of_two_forms_sent_at_once_through_the_link_the_first_wins(
    app, visitor, invitee_link, can_log_in, monkeypatch
):
    """The late request opened the link (and read its nonce) before the first one set its
    password and committed; it finds the link used when it comes to close the invitation,
    and changes nothing."""
    from cms.accounts import invitations

    opened = invitations.open_link

    def opened_before_another_tab_accepted(token):
        invitation = opened(token)
        nonce_read = invitation.nonce
        db.session.commit()  # the tests share one connection: end this read first
        monkeypatch.setattr(invitations, "open_link", opened)
        with app.app_context():  # another request, with a session of its own
            first_tab = app.test_client()
            assert accept(first_tab, invitee_link, "the first tab's pick").status_code == 302
        set_committed_value(invitation, "nonce", nonce_read)  # what this request had read
        return invitation

    monkeypatch.setattr(invitations, "open_link", opened_before_another_tab_accepted)

    late = accept(visitor, invitee_link, PASSWORD)

    assert late.status_code == 410
    assert problem_on(late) == (
        "This invitation has been used already. Log in with the password you chose."
    )
    assert can_log_in("ines@example.com", "the first tab's pick")
    assert not can_log_in("ines@example.com", PASSWORD)
    assert audit_actions("ines@example.com").count(("invitation.accept", "ines@example.com")) == 1


def test_the_link_expires(app, admin, outbox, visitor, frozen_clock):
    invite(admin, "ines@example.com", roles=["author"])
    link = link_in(outbox[-1])
    days = app.config["INVITATION_DAYS"]

    frozen_clock(frozen_clock.now + timedelta(days=days) - timedelta(minutes=1))
    assert visitor.get(path_of(link)).status_code == 200
    frozen_clock(frozen_clock.now + timedelta(minutes=1))
    expired = visitor.get(path_of(link))

    assert expired.status_code == 410
    assert "This invitation has expired." in problem_on(expired)
    assert access_in_list(admin, "ines@example.com") == "Invitation expired"


def test_an_invitee_with_a_pending_invitation_cannot_log_in(invitee_link, can_log_in):
    assert not can_log_in("ines@example.com", "")
    assert not can_log_in("ines@example.com", "anything at all")


# --- Re-sending and revoking -----------------------------------------------------------------


def resend(admin, email: str):
    return admin.post_with_token("/admin/users/resend-invitation/", {"id": stored_user(email).id})


def revoke(admin, email: str):
    return admin.post_with_token("/admin/users/revoke-invitation/", {"id": stored_user(email).id})


def test_re_sending_kills_the_old_link_and_mails_a_new_one(
    admin, outbox, visitor, invitee_link, frozen_clock, can_log_in
):
    frozen_clock(frozen_clock.now + timedelta(days=30))  # long expired: re-sending renews it

    response = resend(admin, "ines@example.com")

    assert response.status_code == 302
    _first, second = mails_to(outbox, "ines@example.com")
    new_link = link_in(second)
    assert new_link != invitee_link
    old = visitor.get(path_of(invitee_link))
    assert old.status_code == 410
    assert "A newer invitation was sent" in problem_on(old)
    assert accept(visitor, new_link, PASSWORD).status_code == 302
    assert can_log_in("ines@example.com", PASSWORD)
    assert ("invitation.resend", "admin@example.com") in audit_actions("ines@example.com")


def test_revoking_kills_the_link_and_closes_the_account(
    admin, visitor, invitee_link, outbox, can_log_in
):
    response = revoke(admin, "ines@example.com")

    assert response.status_code == 302
    gone = visitor.get(path_of(invitee_link))
    assert gone.status_code == 410
    assert problem_on(gone) == "This invitation was withdrawn. Ask the person who invited you."
    assert accept(visitor, invitee_link, PASSWORD).status_code == 410
    assert stored_user("ines@example.com").active is False
    assert access_in_list(admin, "ines@example.com") == "Invitation revoked"
    assert ("invitation.revoke", "admin@example.com") in audit_actions("ines@example.com")
    # A password reset cannot stand in for the revoked invitation.
    visitor.submit("/reset", {"email": "ines@example.com"})
    assert not can_log_in("ines@example.com", PASSWORD)


def correct_address(admin, old: str, new: str):
    user = stored_user(old)
    form = {"email": new, "full_name": user.full_name or "", "active": "y"}
    form["roles"] = [str(role.id) for role in user.roles]
    return admin.submit(f"/admin/users/edit/?id={user.id}", form)


def test_correcting_an_invitees_address_kills_the_link_mailed_to_the_old_one(
    admin, outbox, visitor, can_log_in
):
    invite(admin, "ines@exampel.com", roles=["editor"])  # a typo: someone else's mailbox
    typo_link = link_in(mails_to(outbox, "ines@exampel.com")[-1])

    response = correct_address(admin, "ines@exampel.com", "ines@example.com")

    assert response.status_code == 302
    assert (
        "The invitation link mailed to ines@exampel.com no longer works. "
        "Re-send the invitation to reach ines@example.com."
    ) in flashed(admin.get(response.location))
    old = visitor.get(path_of(typo_link))
    assert old.status_code == 410
    assert accept(visitor, typo_link, PASSWORD).status_code == 410
    assert not can_log_in("ines@example.com", PASSWORD)
    assert ("invitation.withdraw", "admin@example.com") in audit_actions("ines@example.com")
    resend(admin, "ines@example.com")
    accept(visitor, link_in(mails_to(outbox, "ines@example.com")[-1]), PASSWORD)
    assert can_log_in("ines@example.com", PASSWORD)


def test_correcting_the_address_of_someone_who_accepted_says_nothing_of_invitations(
    admin, visitor, invitee_link, outbox
):
    accept(visitor, invitee_link, PASSWORD)

    response = correct_address(admin, "ines@example.com", "ines@example.org")

    assert not any("invitation" in message for message in flashed(admin.get(response.location)))
    assert ("invitation.withdraw", "admin@example.com") not in audit_actions("ines@example.org")


def test_a_revoked_invitation_can_be_sent_again(admin, visitor, invitee_link, outbox, can_log_in):
    revoke(admin, "ines@example.com")
    resend(admin, "ines@example.com")

    accept(visitor, link_in(mails_to(outbox, "ines@example.com")[-1]), PASSWORD)

    assert stored_user("ines@example.com").active is True
    assert can_log_in("ines@example.com", PASSWORD)


def expire(admin, frozen_clock):
    frozen_clock(frozen_clock.now + timedelta(days=365))


def keep_open(admin, frozen_clock):
    pass


def withdraw(admin, frozen_clock):
    revoke(admin, "ines@example.com")


@pytest.mark.parametrize("invitation", [keep_open, expire, withdraw])
def test_an_invitee_gets_no_reset_link_and_the_answer_for_an_unknown_address(
    admin, invitee_link, visitor, outbox, frozen_clock, invitation
):
    """A reset link must not stand in for the invitation: a year after an unaccepted one,
    /reset mailed a link, and the password chosen there logged the invitee in as an editor."""
    invitation(admin, frozen_clock)

    invitee = visitor.submit("/reset", {"email": "ines@example.com"})
    unknown = visitor.submit("/reset", {"email": "nobody@example.com"})

    assert len(mails_to(outbox, "ines@example.com")) == 1  # the invitation only
    assert invitee.status_code == unknown.status_code == 200
    assert same_page(invitee, "ines@example.com") == same_page(unknown, "nobody@example.com")


def test_an_open_invitation_still_works_after_a_reset_request(
    admin, invitee_link, visitor, outbox, can_log_in
):
    visitor.submit("/reset", {"email": "ines@example.com"})

    accept(visitor, invitee_link, PASSWORD)

    assert can_log_in("ines@example.com", PASSWORD)
    visitor.submit("/reset", {"email": "ines@example.com"})  # accepted: resets like anyone
    assert len(mails_to(outbox, "ines@example.com")) == 2


@pytest.mark.parametrize("who", ["editor", "admin"])
def test_users_with_a_password_get_no_invitation(admin, users, outbox, who):
    response = resend(admin, f"{who}@example.com")

    message = "has already chosen a password; send a password reset link instead."
    assert any(message in m for m in flashed(admin.get(response.headers["Location"])))
    assert outbox == []
    revoked = revoke(admin, f"{who}@example.com")
    assert any(
        "has no open invitation" in m for m in flashed(admin.get(revoked.headers["Location"]))
    )
    assert stored_user(f"{who}@example.com").active is True


def test_an_invitee_gets_no_reset_link_from_the_admin(admin, invitee_link, outbox):
    user = stored_user("ines@example.com")
    response = admin.post_with_token("/admin/users/send-reset-link/", {"id": user.id})

    assert any(
        "re-send the invitation" in m for m in flashed(admin.get(response.headers["Location"]))
    )
    assert len(mails_to(outbox, "ines@example.com")) == 1


@pytest.mark.parametrize("bad_id", ["999999", "abc", ""])
def test_buttons_for_a_missing_user_answer_404(admin, bad_id):
    for url in ("resend-invitation", "revoke-invitation", "send-reset-link"):
        assert admin.post_with_token(f"/admin/users/{url}/", {"id": bad_id}).status_code == 404


# --- Bad links -------------------------------------------------------------------------------


def forged(token: str) -> str:
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer("not our secret", salt="cms.invitation").dumps(token)


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "eyJpbnZpdGF0aW9uIjoxfQ.bad-signature",
        "%00",
        "a" * 2000,
    ],
    ids=["garbage", "bad signature", "nul byte", "very long"],
)
def test_a_bad_link_gets_a_clear_404(visitor, token):
    response = visitor.get(f"/invitation/{token}")

    assert response.status_code in (400, 404)  # a NUL byte is refused before any view
    if response.status_code == 404:
        assert problem_on(response) == "This invitation link is not valid."


def test_a_link_signed_with_another_key_or_naming_no_invitation_is_404(app, visitor):
    from itsdangerous import URLSafeSerializer

    ours = URLSafeSerializer(app.config["SECRET_KEY"], salt="cms.invitation")
    for token in (
        URLSafeSerializer("not our secret", salt="cms.invitation").dumps({"invitation": 1}),
        URLSafeSerializer(app.config["SECRET_KEY"], salt="cms.preview-link").dumps({"link": 1}),
        ours.dumps({"invitation": 999999, "nonce": "x"}),
        ours.dumps({"invitation": "1", "nonce": "x"}),
        ours.dumps(["a list"]),
    ):
        response = visitor.get(f"/invitation/{token}")
        assert response.status_code == 404
        assert problem_on(response) == "This invitation link is not valid."


def test_a_guessed_nonce_does_not_work(app, visitor, invitee_link):
    from itsdangerous import URLSafeSerializer

    invitation = invitation_of("ines@example.com")
    ours = URLSafeSerializer(app.config["SECRET_KEY"], salt="cms.invitation")
    token = ours.dumps({"invitation": invitation.id, "nonce": "guessed"})

    assert visitor.get(f"/invitation/{token}").status_code == 410
    assert accept(visitor, f"/invitation/{token}", PASSWORD).status_code == 410
    assert stored_user("ines@example.com").password is None


# --- The mail server is down -----------------------------------------------------------------


@pytest.fixture
def mail_server_down(app, monkeypatch):
    """Mail goes over SMTP to a port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    state = app.extensions["mailman"]
    monkeypatch.setattr(state, "backend", "smtp")
    monkeypatch.setattr(state, "server", "127.0.0.1")
    monkeypatch.setattr(state, "port", closed_port)
    monkeypatch.setattr(state, "timeout", 2)


def test_an_invitation_the_mail_server_refuses_is_not_kept(admin, mail_server_down):
    response = invite(admin, "ines@example.com", roles=["editor"])

    assert response.status_code == 200
    assert (
        "The mail to ines@example.com could not be sent (the mail server did not take it)."
        in flashed(response)
    )
    assert stored_user("ines@example.com") is None
    assert audit_actions("ines@example.com") == []


def test_a_re_send_the_mail_server_refuses_leaves_the_old_link_working(
    admin, invitee_link, mail_server_down, visitor, can_log_in
):
    response = resend(admin, "ines@example.com")

    assert any("could not be sent" in m for m in flashed(admin.get(response.location)))
    assert accept(visitor, invitee_link, PASSWORD).status_code == 302
    assert can_log_in("ines@example.com", PASSWORD)


# --- The edit page's buttons, and deleting an invitee -----------------------------------------


def buttons_on_edit_page(admin, email: str) -> list[str]:
    page = admin.get(f"/admin/users/edit/?id={stored_user(email).id}").get_data(as_text=True)
    access = page.split('class="card mb-3 account-access"', 1)[1].split("</section>", 1)[0]
    return re.findall(r"<button[^>]*>(.*?)</button>|<a [^>]*>(Change your password)</a>", access)


def test_each_user_gets_the_way_in_that_fits(admin, users, invitee_link):
    assert buttons_on_edit_page(admin, "ines@example.com") == [
        ("Re-send invitation", ""),
        ("Revoke invitation", ""),
    ]
    assert buttons_on_edit_page(admin, "editor@example.com") == [("Send a password reset link", "")]
    assert buttons_on_edit_page(admin, "admin@example.com") == [("", "Change your password")]
    revoke(admin, "ines@example.com")
    assert buttons_on_edit_page(admin, "ines@example.com") == [("Re-send invitation", "")]


def test_deleting_an_invitee_kills_the_link(admin, invitee_link, visitor):
    invitee = stored_user("ines@example.com")

    admin.submit("/admin/users/delete/", {"id": invitee.id}, form_url="/admin/users/")

    assert stored_user("ines@example.com") is None
    assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 0
    assert visitor.get(path_of(invitee_link)).status_code == 404


def emails_listed(admin, query: str) -> set[str]:
    page = admin.get(f"/admin/users/?{query}").get_data(as_text=True)
    return set(re.findall(r'<td class="col-email">\s*([^<\s]+)\s*</td>', page))


def test_the_users_list_filters_by_invitation(admin, users, outbox, frozen_clock):
    for name in ("waiting", "late", "withdrawn", "joined"):
        invite(admin, f"{name}@example.com", roles=["author"])
    revoke(admin, "withdrawn@example.com")
    accept(
        admin.application.test_client(),
        link_in(mails_to(outbox, "joined@example.com")[0]),
        PASSWORD,
    )
    frozen_clock(frozen_clock.now + timedelta(days=30))
    resend(admin, "waiting@example.com")  # a new period for this one only

    assert emails_listed(admin, "flt0_0=pending") == {"waiting@example.com"}
    assert emails_listed(admin, "flt0_0=expired") == {"late@example.com"}
    assert emails_listed(admin, "flt0_0=revoked") == {"withdrawn@example.com"}
    assert "joined@example.com" in emails_listed(admin, "")
    assert admin.get("/admin/users/?flt0_0=nonsense").status_code == 200


def test_the_invitation_state_is_the_same_rule_in_sql_and_in_python(
    admin, users, outbox, frozen_clock
):
    """The list's filter asks the database, its Access column asks the row: one rule."""
    from cms import clock
    from cms.accounts import service

    for name in ("waiting", "late", "withdrawn", "joined", "reset"):
        invite(admin, f"{name}@example.com", roles=["author"])
    revoke(admin, "withdrawn@example.com")
    accept(
        admin.application.test_client(),
        link_in(mails_to(outbox, "joined@example.com")[0]),
        PASSWORD,
    )
    service.set_password(stored_user("reset@example.com"), PASSWORD)  # as a reset link does
    db.session.commit()
    frozen_clock(frozen_clock.now + timedelta(days=30))
    resend(admin, "waiting@example.com")

    now = clock.utcnow()
    db.session.expire_all()
    in_sql = dict(db.session.execute(db.select(Invitation.id, Invitation.state_at(now))).all())
    in_python = {i.id: i.state_at(now) for i in db.session.scalars(db.select(Invitation))}
    assert in_sql == in_python
    assert sorted(in_python.values()) == [
        "accepted", "accepted", "expired", "pending", "revoked"
    ]  # fmt: skip
    assert "reset@example.com" not in emails_listed(admin, "flt0_0=expired")
