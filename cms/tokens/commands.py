"""``flask cms token ...``: make, list and revoke a user's API tokens from the shell, acting
as the system (as every ``flask cms`` command does). Bad input exits non-zero with one line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from cms import clock
from cms.accounts import service as accounts
from cms.dates import format_utc
from cms.extensions import db
from cms.tokens import service as tokens

token_cli = AppGroup("token", help="Personal API tokens: create, list, revoke.")


class OneLineErrors(click.Command):
    """A command whose mistyped arguments (a missing --user, an id that is no number) end
    in one line, as its other refusals do, not in Click's usage text."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise click.ClickException(error.format_message()) from None


@token_cli.command("create", cls=OneLineErrors)
@click.option("--user", "email", required=True, help="The address of the token's owner.")
@click.option("--name", required=True, help="What the token is for, e.g. the program using it.")
@click.option(
    "--expires-in-days",
    type=click.IntRange(min=1, max=tokens.MAX_EXPIRY_DAYS),
    default=None,
    help="Stop working after this many days [default: never].",
)
def create(email: str, name: str, expires_in_days: int | None) -> None:
    """Make a token that acts as the user, with their roles; it is printed once."""
    owner = _existing_user(email)
    try:
        token, raw = tokens.create(owner, name, expires_in_days=expires_in_days, by=None)
    except tokens.TokenError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    until = f", until {format_utc(token.expires_at)}" if token.expires_at else ""
    click.echo(f"Created token {token.id} ({token.name!r}) for {owner.email}{until}.")
    click.echo("The token, shown only now (only its hash is kept):")
    click.echo(raw)


@token_cli.command("list", cls=OneLineErrors)
@click.option("--user", "email", required=True, help="The address of the tokens' owner.")
def list_tokens(email: str) -> None:
    """List a user's tokens: id, start of the token, state, name (never the token)."""
    owner = _existing_user(email)
    now = clock.utcnow()
    found = tokens.tokens_of(owner)
    if not found:
        click.echo(f"{owner.email} has no API tokens.")
    for token in found:
        used = format_utc(token.last_used_at) or "never"
        expires = format_utc(token.expires_at) or "never"
        click.echo(
            f"{token.id}\t{token.prefix}…\t{token.state_at(now)}\t{token.name}\t"
            f"created {format_utc(token.created_at)}, expires {expires}, last used {used}"
        )


@token_cli.command("revoke", cls=OneLineErrors)
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke a token by its id (see `list`): programs using it are refused at once."""
    token = tokens.find(token_id)
    if token is None:
        raise click.ClickException(f"No API token has the id {token_id}.")
    if tokens.revoke(token, by=None):
        db.session.commit()
        click.echo(f"Revoked token {token.id} ({token.name!r}) of {token.user.email}.")
    else:
        click.echo(f"Token {token.id} ({token.name!r}) was already revoked.")


def _existing_user(email: str):
    user = accounts.find_user(email)
    if user is None:
        raise click.ClickException(f"No user has the address {email}.")
    return user
