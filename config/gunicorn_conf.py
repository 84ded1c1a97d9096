"""gunicorn's settings for the Procfile's web process (``gunicorn -c config/gunicorn.py``).

The app is loaded once, in the master, and the workers are forked from it (``preload_app``):
the code and everything built at start are pages the workers share, so a worker adds only
what its own requests touch (its PSS fell from 80 MB to about 50 with two workers; README,
"HTTP throughput"). An app that cannot load stops the master at once, instead of each worker
failing in turn.

What the master opened and a worker must not share is dropped after the fork: the database
pools' connections (a socket used by two processes mixes their conversations). Redis
clients, the mail courier and the rate limiter's memory notice the new process themselves.
"""

from __future__ import annotations

preload_app = True


def post_fork(server, worker) -> None:
    app = getattr(worker.app, "callable", None)  # the preloaded app
    extensions = getattr(app, "extensions", {})
    database = extensions.get("sqlalchemy")
    if database is None:
        return
    with app.app_context():
        for engine in database.engines.values():
            # close=False: the master's connections stay open for the master alone.
            engine.dispose(close=False)
