"""Schemathesis hooks for the CLI run against gunicorn (SCHEMATHESIS_HOOKS=tests.schemathesis_hooks)."""

from __future__ import annotations

import schemathesis


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    """Drop generated cursors from valid requests.

    A cursor is opaque: any string fits its schema, but only one the API issued is valid, so a
    generated one can only exercise the documented 400 (tests/test_errors.py covers forged
    cursors). Negative cases keep theirs: those must be rejected.
    """
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    if case.query and not negative:
        case.query.pop("cursor", None)
    return case
