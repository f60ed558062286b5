"""Runtime settings: paths and limits, from defaults, environment variables or a mapping; the cursor key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Fixtures and seeds ship inside the package (api/data links to them in a checkout), so an installed wheel serves the data too.
PACKAGED_DATA = Path(__file__).resolve().parent / "data"
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()


def _data_home() -> Path:
    """Where the built database goes: data/ in a checkout, else the user's data folder (XDG)."""
    if IN_CHECKOUT:
        return PROJECT_ROOT / "data"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "aifacts"


# A cursor key that was once the published default: anyone could forge cursors with it.
PUBLIC_CURSOR_SECRETS = frozenset({"aifacts-cursor-v1"})
CURSOR_SECRET_FILE = ".cursor-secret"  # noqa: S105 - a file name, not a secret

# Environment variable → (config key, default, type). README documents each.
ENVIRONMENT: dict[str, tuple[str, Any, type]] = {
    "AIFACTS_DATABASE": ("DATABASE", _data_home() / "facts.db", Path),
    "AIFACTS_FIXTURES": ("FIXTURES", PACKAGED_DATA / "fixtures", Path),
    "AIFACTS_SEEDS": ("SEEDS", PACKAGED_DATA / "seeds", Path),
    "AIFACTS_AUTO_BUILD": ("AUTO_BUILD", True, bool),
    "AIFACTS_CURSOR_SECRET": ("CURSOR_SECRET", None, str),
    "AIFACTS_QUERY_TIMEOUT_MS": ("QUERY_TIMEOUT_MS", 2000, int),
    "AIFACTS_EXPORT_TIMEOUT_MS": ("EXPORT_TIMEOUT_MS", 20000, int),
    "AIFACTS_CACHE_MAX_AGE": ("CACHE_MAX_AGE", 300, int),
    "AIFACTS_TRUSTED_PROXIES": ("TRUSTED_PROXIES", 0, int),
}


class InsecureConfiguration(RuntimeError):
    """A setting that would let anyone forge what the service signs."""


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
    settings["CURSOR_SECRET"] = cursor_secret(settings["CURSOR_SECRET"], settings["DATABASE"])
    return settings


def cursor_secret(configured: str | None, database: Path) -> str:
    """The key that signs cursors: the configured one, or one generated once beside the database.

    Every worker of a server reads the same generated file, so a cursor from one is valid on the
    others; replicas share a key by setting AIFACTS_CURSOR_SECRET (or shipping the same file).
    A publicly known or short key is refused.
    """
    if configured is not None:
        if configured in PUBLIC_CURSOR_SECRETS or len(configured) < 16:
            raise InsecureConfiguration("AIFACTS_CURSOR_SECRET is publicly known or shorter than 16 characters; set a random one")
        return configured
    path = database.parent / CURSOR_SECRET_FILE
    if not path.exists():
        database.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under a private name, then linked into place: a worker never reads a half-written key.
        temp = path.with_name(f"{CURSOR_SECRET_FILE}.{os.getpid()}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
        try:
            os.link(temp, path)
        except FileExistsError:
            pass  # another worker got there first: use its key
        finally:
            temp.unlink()
    return path.read_text().strip()
