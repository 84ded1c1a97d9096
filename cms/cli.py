"""``flask cms ...``: commands for operators. Bad input exits non-zero with one line."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from cms import clock
from cms.accounts import invitations, lockout, two_factor
from cms.accounts import service as accounts
from cms.accounts.mail import MailNotSent
from cms.accounts.models import User
from cms.accounts.roles import ADMIN
from cms.audit import service as audit
from cms.demo import add_demo_posts
from cms.extensions import db
from cms.posts import rendered, revisions
from cms.posts import service as posts
from cms.tokens.commands import token_cli

cms_cli = AppGroup(
    "cms",
    help="Manage the CMS: the first admin, two-factor resets, demo content, the trash, "
    "old revisions, rendered posts, API tokens.",
)
cms_cli.add_command(token_cli)


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _existing_user(email: str) -> User:
    """The user with this address, or exit with one line saying there is none."""
    user = accounts.find_user(email)
    if user is None:
        _fail(f"No user has the address {email}.")
    return user


@cms_cli.command("create-admin")
@click.argument("email")
@click.option(
    "--password",
    envvar="CMS_ADMIN_PASSWORD",
    help="The password (or set CMS_ADMIN_PASSWORD). Without it you are asked for one, or, "
    "when nobody can answer, one is generated and printed once.",
)
@click.option("--name", "full_name", default=None, help="The name readers see on posts.")
def create_admin(email: str, password: str | None, full_name: str | None) -> None:
    """Create an active user with the admin role."""
    generated = False
    if not password:
        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password, generated = accounts.generate_password(), True
    try:
        user = accounts.create_user(email, password, [ADMIN], full_name=full_name)
    except accounts.AccountError as error:
        db.session.rollback()
        _fail(str(error))
    db.session.commit()
    click.echo(f"Created admin {user.email}.")
    if generated:
        click.echo(f"Generated password (shown only now): {password}")


@cms_cli.command("invite")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    help="A role to give (admin, editor, author); repeat for several. None: no staff role.",
)
@click.option("--name", "full_name", default=None, help="The name readers see on posts.")
def invite(email: str, roles: tuple[str, ...], full_name: str | None) -> None:
    """Invite someone by mail: they choose their own password through the mailed link."""
    try:
        invitation = invitations.invite(email, list(roles), full_name=full_name, by=None)
    except (accounts.AccountError, MailNotSent) as error:
        db.session.rollback()
        _fail(str(error))
    db.session.commit()
    click.echo(
        f"Invited {invitation.user.email}; the link works until "
        f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC."
    )


@cms_cli.command("unlock")
@click.argument("email")
def unlock(email: str) -> None:
    """Let a user locked out by failed logins log in again now."""
    user = _existing_user(email)
    was_locked = lockout.unlock(user, by=None)
    db.session.commit()
    if was_locked:
        click.echo(f"Unlocked {user.email}: they can log in again.")
    else:
        click.echo(f"{user.email} was not locked.")


@cms_cli.command("reset-two-factor")
@click.argument("email")
def reset_two_factor(email: str) -> None:
    """Remove a user's two-factor sign-in (lost phone) and log them out everywhere."""
    user = _existing_user(email)
    try:
        two_factor.reset(user, by=None)
    except accounts.AccountError as error:
        db.session.rollback()
        _fail(str(error))
    db.session.commit()
    click.echo(
        f"Reset two-factor sign-in of {user.email}; they set it up again at their next login."
    )


@cms_cli.command("demo")
@click.option("--email", default="admin@example.com", show_default=True)
def demo(email: str) -> None:
    """Set up a local demo: an admin and a few posts. Safe to run again."""
    login_file = Path(current_app.instance_path) / "demo-login.txt"
    admin = accounts.find_user(email)
    if admin is None:
        password = accounts.generate_password()
        admin = accounts.create_user(email, password, [ADMIN], full_name="Demo Admin")
        db.session.commit()
        login_file.write_text(f"{email}\n{password}\n")
        login_file.chmod(0o600)
    added = add_demo_posts(admin)
    if added:
        click.echo(f"Added {added} demo posts.")
    if login_file.exists():
        saved_email, saved_password = login_file.read_text().split()[:2]
        click.echo(f"Log in at /login as {saved_email} with password {saved_password}")
        click.echo(f"(kept in {login_file}; it stops working if you change the password)")
    else:
        click.echo(f"Log in at /login as {email} with the password you set for it.")


@cms_cli.command("purge-trash")
@click.option(
    "--older-than-days",
    type=click.IntRange(min=0),
    default=None,
    help="Delete posts trashed more than this many days ago [default: TRASH_RETENTION_DAYS].",
)
def purge_trash(older_than_days: int | None) -> None:
    """Delete for good the posts that have been in the trash too long."""
    days = (
        current_app.config["TRASH_RETENTION_DAYS"] if older_than_days is None else older_than_days
    )
    count = posts.purge_trash(older_than=clock.utcnow() - timedelta(days=days))
    db.session.commit()
    click.echo(f"Deleted for good {count} post(s) trashed more than {days} day(s) ago.")


@cms_cli.command("prune-revisions")
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    default=None,
    help="How many of each post's newest revisions to keep [default: REVISIONS_KEPT].",
)
def prune_revisions(keep: int | None) -> None:
    """Delete each post's revisions beyond the newest few."""
    if keep is None:
        keep = current_app.config["REVISIONS_KEPT"]
    count = revisions.prune(keep)
    audit.record("revisions.prune", None, {"deleted": count, "kept_per_post": keep})
    db.session.commit()
    click.echo(f"Deleted {count} old revision(s); every post keeps its {keep} newest.")


@cms_cli.command("rerender")
@click.option(
    "--missing",
    is_flag=True,
    help="Only the posts not rendered yet (written around the app, or from before stored "
    "rendering): the release step runs this after the migrations.",
)
def rerender(missing: bool) -> None:
    """Render posts' bodies again and store them, a batch at a time: every post after the
    Markdown or sanitizer rules change (cms/posts/rendering.py), or with --missing only
    those not rendered yet."""
    count = rendered.rerender(only_missing=missing)
    if missing:
        click.echo(f"Rendered {count} post(s) not rendered yet.")
    else:
        click.echo(f"Rendered {count} post(s) again.")
