"""As of any day: each record answers as it stood that day, and the changes between two days are the difference of their views.

Property tests over random records of the real dataset and random days (hypothesis).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from itertools import pairwise
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.queries import Store
from api.tables import COLLECTIONS, VALID_FROM, VALID_UNTIL, versions_table
from conftest import follow, get_json, session_app, session_database
from schema.fields import PrecisionDate, period_start

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
FIRST_DAY, LAST_DAY = dt.date(2014, 1, 1), dt.date(2027, 12, 31)
PROVENANCE = ("citations", "disputes", "claims", "cited_by")


@cache
def record_ids() -> list[tuple[str, str]]:
    store = Store(session_database())
    return [(name, row[0]) for name in COLLECTIONS for row in store.execute(f'SELECT id FROM "{name}" ORDER BY id')]


records = st.deferred(lambda: st.sampled_from(record_ids()))
days = st.dates(FIRST_DAY, LAST_DAY).map(dt.date.isoformat)


def item(client: FlaskClient, name: str, record_id: str, day: str) -> dict[str, Any] | None:
    response = client.get(f"/v1/{COLLECTIONS[name].path}/{record_id}?as_of={day}")
    assert response.status_code in (200, 404), response.get_data(as_text=True)[:300]
    return response.get_json()["data"] if response.status_code == 200 else None


def dates_shown(schema: Any, value: dict[str, Any]) -> list[str]:
    """Every precision date in a served record, nested roles and price points included."""
    found = []
    for name, f in schema.fields.items():
        if isinstance(f, PrecisionDate) and value.get(name):
            found.append(value[name])
        inner = getattr(getattr(f, "inner", None), "schema", None)
        if inner is not None and isinstance(value.get(name), list):
            for entry in value[name]:
                if isinstance(entry, dict):
                    found += dates_shown(inner, entry)
    return found


@PROPERTY
@given(records, days)
def test_the_view_of_a_day_shows_no_later_date(record: tuple[str, str], day: str) -> None:
    name, record_id = record
    view = item(session_app().test_client(), name, record_id, day)
    if view is not None:
        assert all(period_start(d) <= day for d in dates_shown(COLLECTIONS[name].schema, view)), (record, day)


@PROPERTY
@given(records, days)
def test_exactly_one_version_holds_on_a_day_and_it_is_the_one_served(record: tuple[str, str], day: str) -> None:
    name, record_id = record
    rows = Store(session_database()).execute(
        f'SELECT {VALID_FROM}, {VALID_UNTIL}, body FROM "{versions_table(COLLECTIONS[name])}" WHERE id = ? ORDER BY version', (record_id,)
    )
    holding = [body for start, end, body in rows if (start is None or start <= day) and (end is None or day < end)]
    assert len(holding) <= 1
    served = item(session_app().test_client(), name, record_id, day)
    assert served == (json.loads(holding[0]) if holding else None)
    for (_, end, _), (start, _, _) in pairwise(rows):
        assert end == start, "versions follow each other without gap or overlap"


def _plain(value: Any) -> str:
    return json.dumps(value if value not in ([], {}) else None, sort_keys=True)


@PROPERTY
@given(records, days, days)
def test_the_changes_between_two_days_are_the_difference_of_their_views(record: tuple[str, str], one: str, other: str) -> None:
    name, record_id = record
    start, end = sorted((one, other))
    client = session_app().test_client()
    before, after = item(client, name, record_id, start), item(client, name, record_id, end)
    changes = follow(client, f"/v1/{COLLECTIONS[name].path}/{record_id}/history?from={start}&to={end}&limit=200")
    assert all(start < c["date"] <= end for c in changes)
    if after is None:
        assert before is None and not changes, "a record never stops existing"
        return
    if before is None:
        assert any(c["field"] == "record" for c in changes) or start == end, "a record coming to exist is a change"
        return
    by_field: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        by_field.setdefault(change["field"], []).append(change)
    for field, value in after.items():
        if field in PROVENANCE or field.endswith("_precision") or field == "id":
            continue
        seen = by_field.get(field, [])
        if _plain(before[field]) != _plain(value):
            assert seen, f"{field} changed from {before[field]!r} to {value!r} without a change entry"
        if seen:
            assert _plain(seen[0]["old"]) == _plain(before[field]) and _plain(seen[-1]["new"]) == _plain(value), field


def test_a_policy_answers_with_its_status_of_the_day(client: FlaskClient) -> None:
    """The rescinded AI Diffusion Rule was in force on 1 February 2025: no revocation from its future is shown."""
    then = get_json(client, "/v1/policies/us-ai-diffusion-rule?as_of=2025-02-01")["data"]
    assert then["status"] == "in-force" and then["revoked"] is None and then["revoked_by"] == []
    now = get_json(client, "/v1/policies/us-ai-diffusion-rule")["data"]
    assert now["status"] == "revoked" and now["revoked"] == "2025-05-13" and now["revoked_by"]


def test_filters_apply_to_the_state_of_the_day(client: FlaskClient) -> None:
    in_force = {p["id"] for p in follow(client, "/v1/policies?as_of=2025-02-01&status=in-force&jurisdiction=US&limit=200")}
    revoked_then = {p["id"] for p in follow(client, "/v1/policies?as_of=2025-02-01&status=revoked&limit=200")}
    assert "us-ai-diffusion-rule" in in_force and "us-ai-diffusion-rule" not in revoked_then
    assert "us-eo-14110" in revoked_then, "a rule revoked by then is listed, as revoked"


def test_roles_are_those_held_that_day(client: FlaskClient) -> None:
    roles = get_json(client, "/v1/people/gina-raimondo?as_of=2024-06-01")["data"]["roles"]
    commerce = next(r for r in roles if r["organization"] == "us-department-of-commerce")
    assert commerce["end"] is None, "on 1 June 2024 she was still in office"
    assert get_json(client, "/v1/companies/us-department-of-commerce/people?as_of=2024-06-01&fields=id")["meta"]["total"] >= 1


def test_changes_in_us_chip_policy_in_the_first_half_of_2025(client: FlaskClient) -> None:
    changes = follow(client, "/v1/changes?from=2025-01-01&to=2025-06-30&record_type=policies&country=US&limit=200")
    assert all("2025-01-01" < c["date"] <= "2025-06-30" and c["country"] == "US" for c in changes)
    assert any(c["record_id"] == "us-ai-diffusion-rule" and c["field"] == "status" and c["new"] == "revoked" for c in changes)


@pytest.mark.parametrize("path", ["/v1/models", "/v1/events", "/v1/timeline", "/v1/changes", "/v1/companies/nvidia/events"])
def test_as_of_lists_hold_only_what_existed(client: FlaskClient, path: str) -> None:
    for record in follow(client, f"{path}?as_of=2024-01-01&limit=200"):
        shown = record.get("date") or record.get("release_date")
        assert shown is None or period_start(shown) <= "2024-01-01"
