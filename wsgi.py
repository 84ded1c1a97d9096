"""The WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi ...``."""

import sys

from cms import create_app
from config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    # One clear line instead of a traceback: the operator has a variable to set. Exit code 4
    # is gunicorn's "application failed to load": the master stops instead of restarting
    # workers that can never boot.
    print(f"cms: configuration error: {error}", file=sys.stderr)
    sys.exit(4)
