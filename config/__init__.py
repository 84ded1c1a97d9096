"""Settings for the CMS, read from environment variables when the app is created.

One variable, ``CMS_CONFIG``, chooses the settings class: ``development``, ``testing`` or
``production`` (the default, so that a deployment that forgets to choose gets the strict one).
Every class reads the environment in ``__init__``, never at import time, so a test or a
command can build settings from any mapping it likes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from config.settings import (
    BaseConfig,
    ConfigError,
    DevelopmentConfig,
    ProductionConfig,
    TestingConfig,
)

CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

__all__ = ["CONFIGS", "BaseConfig", "ConfigError", "load_config"]


def load_config(instance_path: str | Path, environ: Mapping[str, str] | None = None) -> BaseConfig:
    """Build the settings object named by ``CMS_CONFIG``.

    :raise ConfigError: when ``CMS_CONFIG`` names no known class, or the chosen class finds
        a required variable missing.
    """
    environ = os.environ if environ is None else environ
    name = environ.get("CMS_CONFIG", "production").strip().lower()
    try:
        config_class = CONFIGS[name]
    except KeyError:
        known = ", ".join(CONFIGS)
        raise ConfigError(f"CMS_CONFIG={name!r} is not one of: {known}") from None
    return config_class(environ, Path(instance_path))
