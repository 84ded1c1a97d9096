"""Which version of the site readers see, and moving it on after every change.

Every cached page, ETag and Last-Modified comes from one small record, the *version* of
what readers can see, so a change makes every page fresh at once, with no keys to hunt:

- the **generation**: a random token and the moment it was made, replaced after each
  commit that changed something readers see (``cms.public.changes`` notices those, whatever
  code made them);
- the **schedule** under that generation: the newest publish time readers can see and the
  next moment a scheduled post goes live (``publication.publication_moments``, one
  indexed statement), kept beside it. When that moment comes, the schedule is read again
  and the version moves on by itself: a scheduled post appears on time, cached or not.

With ``REDIS_URL`` both live in Redis, read with one MGET per request and shared by every
instance. Without it the generation lives in a small file (``PAGE_CACHE_VERSION_FILE``)
that every process on the machine reads at each request, so gunicorn's workers see each
other's changes at once, and the schedule in each process's memory. Several machines
need Redis.

The generation is replaced *after* the commit, and read *before* the page's own
statements: a page cached under a generation was read after the generation was made, so
it never holds what a later change replaced. A random token, not a counter: a counter
that is lost (Redis restarted, the key evicted, the file deleted) starts again at numbers
old pages were cached under; a new token never names an old page.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from flask import Flask, current_app
from flask_caching import Cache
from redis.exceptions import RedisError

from cms import clock
from cms.extensions import db
from cms.posts import publication
from cms.public import reading

log = logging.getLogger(__name__)

EXTENSION = "cms_site_version"
#: What a store that does not answer raises (Redis, or the generation's file).
UNAVAILABLE = (RedisError, OSError)
#: After a failure, how long requests leave the store alone (a Redis that hangs would
#: otherwise cost every request its timeout).
_REST_SECONDS = 5.0
_WARN_EVERY_SECONDS = 60.0


class Generation(NamedTuple):
    token: str
    made_at: datetime


class Schedule(NamedTuple):
    token: str  # the generation it was read under
    newest: datetime | None  # the newest publish time readers could see when it was read
    upcoming: datetime | None  # the next moment a post goes live by itself

    def covers(self, generation: Generation, now: datetime) -> bool:
        return (
            self.token == generation.token
            and (self.newest is None or self.newest <= now)
            and (self.upcoming is None or now < self.upcoming)
        )


@dataclass(frozen=True)
class Version:
    """What readers see now: ``tag`` names it in cache keys and ETags; ``since`` is the last
    moment it changed (Last-Modified); ``until``, the next scheduled publication, ends it."""

    tag: str
    since: datetime
    until: datetime | None


class SiteVersion:
    """One app's view of the version (``app.extensions[EXTENSION]``)."""

    def __init__(self, app: Flask, cache: Cache, release: str) -> None:
        self._cache = cache
        self._release = release
        # Several sites on one Redis, even under one CACHE_KEY_PREFIX, never read each
        # other's records or pages: the keys name the database (hashed: it holds a password).
        database = app.config["SQLALCHEMY_DATABASE_URI"]
        self.namespace = f"public:{hashlib.sha256(database.encode()).hexdigest()[:12]}:"
        self._generation_key = self.namespace + "generation"
        self._schedule_key = self.namespace + "schedule"
        redis = app.config["CACHE_TYPE"] == "RedisCache"
        self._file = None if redis else Path(app.config["PAGE_CACHE_VERSION_FILE"])
        self._schedule_seconds = app.config["PAGE_CACHE_SECONDS"]
        self._pending = False  # a change whose new generation could not be stored yet
        self._resting_until = 0.0
        self._warned_at = -_WARN_EVERY_SECONDS

    def current(self) -> Version | None:
        """The version now; None while the store does not answer (logged), when nothing
        may be cached or validated. Reads the schedule when the one kept has run out."""
        if time.monotonic() < self._resting_until:
            return None
        try:
            if self._pending:
                self._store_generation(_new_generation())
                self._pending = False
            generation, schedule = self._read()
            if generation is None:
                generation = self._first_generation()
            now = clock.utcnow()
            if schedule is None or not schedule.covers(generation, now):
                schedule = Schedule(generation.token, *_publication_moments(now))
                self._cache.set(self._schedule_key, tuple(schedule), timeout=self._schedule_seconds)
        except UNAVAILABLE as error:
            self.unavailable(error)
            return None
        since = max(filter(None, (generation.made_at, schedule.newest)))
        name = f"{self._release}|{generation.token}|{since.isoformat()}"
        tag = hashlib.sha256(name.encode()).hexdigest()[:24]
        return Version(tag, since, schedule.upcoming)

    def content_changed(self) -> None:
        """Start a new generation: every page cached so far is out of date. Never raises:
        it runs after a commit, whose request must still be answered."""
        try:
            self._store_generation(_new_generation())
            self._pending = False
        except UNAVAILABLE as error:
            # Tried again before this process next reads the version; the other processes
            # serve what they cached until then, or until PAGE_CACHE_SECONDS runs out.
            self._pending = True
            log.error("The public pages could not be marked out of date: %s", error)

    def _read(self) -> tuple[Generation | None, Schedule | None]:
        if self._file is None:
            generation, schedule = self._cache.get_many(self._generation_key, self._schedule_key)
        else:
            generation, schedule = self._read_file(), self._cache.get(self._schedule_key)
        return _record(Generation, generation), _record(Schedule, schedule)

    def _first_generation(self) -> Generation:
        generation = _new_generation()
        if self._file is not None:
            self._write_file(generation)
            return generation
        # Another instance may make the first one at the same moment: theirs or ours, one.
        if self._cache.add(self._generation_key, tuple(generation), timeout=0):
            return generation
        return _record(Generation, self._cache.get(self._generation_key)) or generation

    def _store_generation(self, generation: Generation) -> None:
        if self._file is None:
            self._cache.set(self._generation_key, tuple(generation), timeout=0)
        else:
            self._write_file(generation)

    def _read_file(self) -> Generation | None:
        # Read at every request: the plainest read there is (no text layer, no buffer).
        try:
            handle = os.open(self._file, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            content = os.read(handle, 256)
        finally:
            os.close(handle)
        try:
            token, made_at = content.decode().split()
            return Generation(token, datetime.fromisoformat(made_at))
        except ValueError:  # not what _write_file writes: start afresh
            return None

    def _write_file(self, generation: Generation) -> None:
        # A whole new file put in place in one step: readers see the old one or this one.
        self._file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self._file.parent, prefix=".version-")
        try:
            with os.fdopen(handle, "w") as written:
                written.write(f"{generation.token} {generation.made_at.isoformat()}\n")
            os.replace(temporary, self._file)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def unavailable(self, error: Exception) -> None:
        """Leave the store alone for a few seconds, and say so in the log (once a minute)."""
        now = time.monotonic()
        self._resting_until = now + _REST_SECONDS
        if now - self._warned_at >= _WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning(
                "The page cache does not answer (%s): public pages are rendered for every "
                "request until it does",
                error,
            )


def _record(kind: type[Generation] | type[Schedule], stored: object):
    """A stored record as ``kind``; None for none, or for one this code cannot read (another
    release wrote it): it is then made again."""
    try:
        return kind(*stored) if stored else None
    except TypeError:
        return None


def _new_generation() -> Generation:
    return Generation(secrets.token_hex(8), clock.utcnow())


def _publication_moments(now: datetime) -> tuple[datetime | None, datetime | None]:
    # The first read of the request, when the view has not read yet: as public pages read.
    if not db.session().in_transaction():
        reading.read_outside_a_transaction()
    return publication.publication_moments(now)


def site_version() -> SiteVersion | None:
    """The current app's, or None where the page cache is off."""
    return current_app.extensions.get(EXTENSION)
