"""aifacts: a typed, sourced facts API about the AI landscape.

The data layer (``api.queries``, ``api.builder``) loads no Flask; ``create_app`` (in ``api.app``) is
imported from here on first use, so ``from api import create_app`` keeps working.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from api.app import create_app

        return create_app
    raise AttributeError(f"module 'api' has no attribute {name!r}")
