"""A record as it stood on any day: its values that day, the versions the build stores for `as_of`, and the changes between them.

A date counts from the first day of the period it names ("2025-05" from 1 May: it may already have
happened). On a day, a record shows only what had happened by then: later dates are hidden, roles
and prices not yet begun are left out, a role's end or a price's last day still to come is hidden,
the name is the one it had, and derived states (a policy's status, the price in force, a model's
availability) are those of that day. Prose and citations are served as written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields

from api.tables import Collection
from schema.fields import HELD_SINCE, STARTS, PrecisionDate, period_end, period_start
from schema.record import PROVENANCE_FIELDS

# When a record (collection, id) came to exist, as a day; None if that is not known.
StartOf = Callable[[str, str], "str | None"]
NOT_DIFFED = (*PROVENANCE_FIELDS[1:], "cited_by")
BEFORE_ALL_DATES = "0001-01-01"  # the view of a record of unknown start before any of its dates


def happened(value: str | None, day: str) -> bool:
    """Whether a precision date had begun by ``day``."""
    return value is not None and period_start(value) <= day


def start_of(schema: Schema, data: dict[str, Any]) -> str | None:
    """The first day of the first known start date of a record or of a dated item (a role, a price)."""
    for name, f in schema.fields.items():
        if f.metadata.get(STARTS) and data.get(name):
            return period_start(data[name])
    return None


def _dated_items(f: fields.Field) -> Schema | None:
    """The schema of a list's items when they are dated values (roles, price points, former names)."""
    if isinstance(f, fields.List) and isinstance(f.inner, fields.Nested):
        schema: Schema = f.inner.schema
        if any(isinstance(g, PrecisionDate) for g in schema.fields.values()):
            return schema
    return None


def _hide_later_dates(schema: Schema, data: dict[str, Any], day: str) -> dict[str, Any]:
    return {k: (None if isinstance(schema.fields.get(k), PrecisionDate) and v and not happened(v, day) else v) for k, v in data.items()}


def _name_on(data: dict[str, Any], day: str) -> str:
    """The name a record had on ``day``: the former name in use then, or its present name."""
    in_use = [f for f in data.get("former_names", []) if period_end(f["until"]) >= day]
    return min(in_use, key=lambda f: period_start(f["until"]))["name"] if in_use else data["name"]


def view_on(collection: Collection, data: dict[str, Any], day: str, started: StartOf) -> dict[str, Any]:
    """The authored values of a record as known on ``day`` (derived states are the renderer's)."""
    schema = collection.schema
    out = _hide_later_dates(schema, data, day)
    for name, f in schema.fields.items():
        since = f.metadata.get(HELD_SINCE)
        if since and data.get(since) and not happened(data[since], day):
            out[name] = None  # not yet: the value holds from its date on
    for name, f in schema.fields.items():
        items = _dated_items(f)
        if items is not None and name in data and name != "former_names":
            begun = [i for i in data[name] if (start_of(items, i) or "") <= day]
            out[name] = [_hide_later_dates(items, i, day) for i in begun]
    if "former_names" in data:
        out["name"] = _name_on(data, day)
        out["former_names"] = [f for f in data["former_names"] if period_end(f["until"]) < day]
    for name, target in collection.list_refs.items():
        if name in out and target != "any":
            out[name] = [i for i in out[name] if (started(target, i) or "") <= day]
    out["disputes"] = [
        {**d, "alternatives": [a for a in d["alternatives"] if not (_is_date_field(schema, d["field"]) and not happened(a["value"], day))]}
        for d in data.get("disputes", [])
        if out.get(d["field"].split(".")[0]) is not None
    ]
    out["disputes"] = [d for d in out["disputes"] if d["alternatives"]]
    return out


def _is_date_field(schema: Schema, name: str) -> bool:
    return isinstance(schema.fields.get(name.split(".")[0]), PrecisionDate)


def dates_in(schema: Schema, data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, date) for every precision date of a record, its dated items (roles, price points) included."""
    for name, f in schema.fields.items():
        value = data.get(name)
        if isinstance(f, PrecisionDate) and value:
            yield name, value
        items = _dated_items(f)
        if items is not None and value:
            for item in value:
                for _, date in dates_in(items, item):
                    yield name, date


def _next_day(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def candidate_days(schema: Schema, data: dict[str, Any], related_starts: list[str]) -> list[str]:
    """Days on which a record's view may change: each of its dates begins and ends a period, and related records begin."""
    days = set(related_starts)
    for _, value in dates_in(schema, data):
        days.add(period_start(value))
        days.add(_next_day(period_end(value)))
    return sorted(days)


@dataclass
class Version:
    """A record's view, valid from one day (None: always) until the day before another (None: from then on)."""

    valid_from: str | None
    valid_until: str | None
    view: dict[str, Any]


def versions(
    collection: Collection, data: dict[str, Any], record_start: str | None, related_starts: list[str], view: Callable[[str], dict]
) -> list[Version]:
    """The maximal runs of days with the same view, from the day the record came to exist."""
    days = [d for d in candidate_days(collection.schema, data, related_starts) if record_start is None or d >= record_start]
    if record_start is not None and record_start not in days:
        days.insert(0, record_start)
    runs: list[Version] = []
    if record_start is None:
        runs.append(Version(None, None, view(BEFORE_ALL_DATES)))
    for day in days:
        current = view(day)
        if runs and _same(runs[-1].view, current):
            continue
        if runs:
            runs[-1].valid_until = day
        runs.append(Version(day, None, current))
    return runs


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """(field, old value, new value) for each served fact that differs between two views of a record."""
    for name, value in new.items():
        if name in NOT_DIFFED or name.endswith("_precision") or name == "id":
            continue
        before = old.get(name)
        if _plain(before) != _plain(value):
            yield name, before, value


def _plain(value: Any) -> str:
    """A value compared as JSON, with "none" and "empty" the same (a list that stays empty has not changed)."""
    return json.dumps(value if value not in ([], {}) else None, sort_keys=True, default=str)
