"""Runtime settings: paths and limits, from defaults, environment variables or a mapping."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Environment variable → (config key, default, type). README documents each.
ENVIRONMENT: dict[str, tuple[str, Any, type]] = {
    "AIFACTS_DATABASE": ("DATABASE", PROJECT_ROOT / "data" / "facts.db", Path),
    "AIFACTS_FIXTURES": ("FIXTURES", PROJECT_ROOT / "fixtures", Path),
    "AIFACTS_SEEDS": ("SEEDS", PROJECT_ROOT / "seeds", Path),
    "AIFACTS_AUTO_BUILD": ("AUTO_BUILD", True, bool),
    "AIFACTS_CURSOR_SECRET": ("CURSOR_SECRET", "aifacts-cursor-v1", str),
    "AIFACTS_QUERY_TIMEOUT_MS": ("QUERY_TIMEOUT_MS", 2000, int),
    "AIFACTS_CACHE_MAX_AGE": ("CACHE_MAX_AGE", 300, int),
}


def _parse(value: str, kind: type) -> Any:
    if kind is bool:
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return kind(value)


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then environment variables, then explicit overrides (for tests and embedding)."""
    settings = {key: default for key, default, _ in ENVIRONMENT.values()}
    for env_name, (key, _, kind) in ENVIRONMENT.items():
        if env_name in os.environ:
            settings[key] = _parse(os.environ[env_name], kind)
    settings.update(overrides or {})
    for key in ("DATABASE", "FIXTURES", "SEEDS"):
        settings[key] = Path(settings[key])
    return settings
