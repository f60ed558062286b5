"""Query power: operators per type, facets, expansion, sparse fields, related lists, timeline, as-of, limits.

Property tests (hypothesis) check the invariants users rely on: following cursors yields the
full sorted result exactly once; adding a filter never grows the total; no parameter string
produces a server error.
"""

from __future__ import annotations

import string
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.queries import ListQuery, QueryTimeout, Store
from api.routes.params import facetable, filter_params, sortable
from api.tables import COLLECTIONS, RECORD_TABLES
from conftest import documented_parameters, follow, get_json, session_app

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def ids(records: list[dict[str, Any]]) -> set[str]:
    return {r["id"] for r in records}


ALL_MODELS = "/v1/models?limit=200"


@pytest.mark.parametrize(
    ("query", "predicate"),
    [
        ("parameters_total__gt=100000000000", lambda m: m["parameters_total"] is not None and m["parameters_total"] > 10**11),
        ("parameters_total__gte=671000000000", lambda m: m["parameters_total"] is not None and m["parameters_total"] >= 671 * 10**9),
        ("parameters_total__lt=10000000000", lambda m: m["parameters_total"] is not None and m["parameters_total"] < 10**10),
        ("parameters_total__lte=8000000000", lambda m: m["parameters_total"] is not None and m["parameters_total"] <= 8 * 10**9),
        ("parameters_total__isnull=true", lambda m: m["parameters_total"] is None),
        ("parameters_total__isnull=false", lambda m: m["parameters_total"] is not None),
        ("parameters_total__in=671000000000,405000000000", lambda m: m["parameters_total"] in (671 * 10**9, 405 * 10**9)),
        ("context_window__ne=128000", lambda m: m["context_window"] != 128000),
        ("category=reasoning", lambda m: m["category"] == "reasoning"),
        ("category__ne=reasoning", lambda m: m["category"] != "reasoning"),
        ("category__in=reasoning,multimodal", lambda m: m["category"] in ("reasoning", "multimodal")),
        ("open_weights=1", lambda m: m["open_weights"] is True),
        ("open_weights=false", lambda m: m["open_weights"] is False),
        ("name__contains=QWEN", lambda m: "qwen" in m["name"].lower()),
        ("license__isnull=false&license__ne=MIT", lambda m: m["license"] not in (None, "MIT")),
        ("developer__in=deepseek,openai", lambda m: m["developer"] in ("deepseek", "openai")),
        ("release_date=2024", lambda m: (m["release_date"] or "").startswith("2024")),
        ("release_date=2024-12", lambda m: (m["release_date"] or "").startswith("2024-12")),
        ("release_date__ne=2024", lambda m: not (m["release_date"] or "").startswith("2024")),
        ("release_date__gt=2024-12", lambda m: m["release_date"] is not None and m["release_date"] > "2024-12~"),
        ("release_date__gte=2024-12", lambda m: m["release_date"] is not None and m["release_date"] >= "2024-12"),
        ("release_date__lt=2024", lambda m: m["release_date"] is not None and m["release_date"] < "2024"),
        ("release_date__lte=2024-06", lambda m: m["release_date"] is not None and m["release_date"] + "~" <= "2024-06~"),
        ("release_date_precision=month", lambda m: m["release_date_precision"] == "month"),
    ],
)
def test_operator_matches_exactly_the_records_it_says(client: FlaskClient, query: str, predicate: Any) -> None:
    """Each operator returns every record satisfying it and no other (checked against all records)."""
    all_models = follow(client, ALL_MODELS)
    expected = {m["id"] for m in all_models if predicate(m)}
    got = follow(client, f"{ALL_MODELS}&{query}")
    assert ids(got) == expected
    assert expected, f"{query} should match something in the real data"


def test_year_precision_is_not_a_first_of_january(client: FlaskClient) -> None:
    """A date known only as "2023" is neither before nor after 2023-06-01: it is in neither range."""
    companies = follow(client, "/v1/companies?limit=200&founded_precision=year&founded=2023")
    assert companies, "the data has companies founded in a year known only to the year"
    year_only = ids(companies)
    after = ids(follow(client, "/v1/companies?limit=200&founded__gte=2023-06-01"))
    before = ids(follow(client, "/v1/companies?limit=200&founded__lt=2023-06-01"))
    assert not (year_only & after) and not (year_only & before)


def test_relation_filters(client: FlaskClient) -> None:
    events = follow(client, "/v1/events?limit=200&companies=nvidia")
    assert events and all("nvidia" in e["companies"] for e in events)
    anywhere = follow(client, "/v1/events?limit=200&participant=deepseek-r1")
    assert anywhere and all("deepseek-r1" in e["models"] for e in anywhere)
    assert ids(follow(client, "/v1/events?limit=200&companies__ne=nvidia")).isdisjoint(ids(events))
    policies = follow(client, "/v1/policies?limit=200&jurisdiction=CN")
    assert policies and all(p["jurisdiction"] == "CN" for p in policies)


@pytest.mark.parametrize(
    ("url", "field", "values"),
    [
        ("/v1/companies/deepseek/models", "developer", {"deepseek"}),
        ("/v1/companies/nvidia/events", "companies", {"nvidia"}),
        ("/v1/companies/nvidia/chips", "manufacturer", {"nvidia"}),
        ("/v1/models/deepseek-r1/events", "models", {"deepseek-r1"}),
        ("/v1/policies/us-export-controls-2023-10/events", "policies", {"us-export-controls-2023-10"}),
        ("/v1/people/donald-trump/events", "people", {"donald-trump"}),
        ("/v1/models/deepseek-r1/models", "base_model,distilled_from,predecessor", {"deepseek-r1"}),
    ],
)
def test_related_collections(client: FlaskClient, url: str, field: str, values: set[str]) -> None:
    records = follow(client, f"{url}?limit=3")
    assert records
    for record in records:
        named = set()
        for name in field.split(","):  # any of the relations to the parent's collection
            value = record[name]
            named |= set(value) if isinstance(value, list) else {value}
        assert values & named


@pytest.mark.parametrize(
    "url",
    [
        "/v1/companies/nvidia/events?",  # one relation to the parent's collection
        "/v1/models/deepseek-r1/models?",  # three: a record naming it by two counts once
        "/v1/policies/us-export-controls-2023-10/policies?",
        "/v1/companies/tsmc/companies?",  # none
        "/v1/companies/nvidia/events?as_of=2024-01-01&",  # with a day or a filter, counted, not looked up
        "/v1/companies/deepseek/models?open_weights=true&",
        "/v1/events?participant=openai&",
        "/v1/events?participant__ne=openai&",  # the complement of the build's count
        "/v1/events?companies__ne=nvidia&",
    ],
)
def test_a_related_or_membership_total_is_the_number_of_its_records(client: FlaskClient, url: str) -> None:
    total = get_json(client, f"{url}limit=1")["meta"]["total"]
    gathered = [r["id"] for r in follow(client, f"{url}limit=200")]
    assert total == len(gathered)
    # Small pages of many members are read in order, testing each row (Store._walks_in_order): the same records.
    assert [r["id"] for r in follow(client, f"{url}limit=3")] == gathered


def test_related_list_of_unknown_record_is_404(client: FlaskClient) -> None:
    get_json(client, "/v1/companies/no-such-company/models", 404)


def test_sparse_fields_keep_the_id(client: FlaskClient) -> None:
    record = get_json(client, "/v1/models/deepseek-r1?fields=name,release_date")["data"]
    assert record == {"id": "deepseek-r1", "name": "DeepSeek-R1", "release_date": record["release_date"]}
    rows = get_json(client, "/v1/models?fields=developer&limit=5")["data"]
    assert all(set(r) == {"id", "developer"} for r in rows)


def test_expand_inlines_one_level(client: FlaskClient) -> None:
    record = get_json(client, "/v1/models/deepseek-r1?expand=developer,base_model")["data"]
    assert record["developer"]["id"] == "deepseek" and record["developer"]["backers"] == ["high-flyer"]
    assert record["base_model"]["id"] == "deepseek-v3-base"
    event = get_json(client, "/v1/events/deepseek-r1-release-2025-01-20?expand=models&fields=models")["data"]
    assert all(isinstance(m, dict) and m["developer"] == "deepseek" for m in event["models"])


def test_facets_count_the_filtered_records(client: FlaskClient) -> None:
    page = get_json(client, "/v1/models?facet=developer&facet=release_date&facet=open_weights&limit=1")
    facets, total = page["meta"]["facets"], page["meta"]["total"]
    assert sum(f["count"] for f in facets["developer"]) == total
    assert sum(f["count"] for f in facets["open_weights"]) == total
    assert all(f["value"] is None or len(f["value"]) == 4 for f in facets["release_date"])
    deepseek = next(f["count"] for f in facets["developer"] if f["value"] == "deepseek")
    assert deepseek == get_json(client, "/v1/models?developer=deepseek&limit=1")["meta"]["total"]
    narrowed = get_json(client, "/v1/models?developer=deepseek&facet=developer&limit=1")["meta"]["facets"]["developer"]
    assert narrowed == [{"value": "deepseek", "count": deepseek}]
    participants = get_json(client, "/v1/events?facet=participant&facet=companies&limit=1")["meta"]["facets"]
    assert participants["participant"][0]["count"] >= participants["companies"][0]["count"]


def test_timeline_merges_events_models_and_policy_milestones(client: FlaskClient) -> None:
    entries = follow(client, "/v1/timeline?limit=200")
    kinds = {e["kind"] for e in entries}
    assert {"model-release", "policy-signed", "policy-effective", "policy-revoked", "market-reaction"} <= kinds
    assert {e["record_type"] for e in entries} == {"events", "models", "policies"}
    dates = [e["date"] for e in entries]
    assert dates == sorted(dates)
    eo = [e for e in entries if e["record_id"] == "us-eo-14110"]
    assert {"policy-signed", "policy-revoked"} <= {e["kind"] for e in eo}
    january = follow(client, "/v1/timeline?limit=50&date__gte=2025-01&date__lte=2025-01&participant=deepseek")
    assert january and all(e["date"].startswith("2025-01") and "deepseek" in e["participants"] for e in january)
    us = follow(client, "/v1/timeline?limit=50&country=US&kind__in=policy-signed,policy-revoked")
    assert us and all(e["country"] == "US" for e in us)


def test_as_of_shows_the_world_then(client: FlaskClient) -> None:
    before_r1 = ids(follow(client, "/v1/models?limit=200&as_of=2025-01-19&developer=deepseek"))
    after_r1 = ids(follow(client, "/v1/models?limit=200&as_of=2025-01-20&developer=deepseek"))
    assert "deepseek-r1" not in before_r1 and "deepseek-r1" in after_r1 and before_r1 < after_r1
    in_2024 = ids(follow(client, "/v1/policies?limit=200&as_of=2024-06-01"))
    in_2025 = ids(follow(client, "/v1/policies?limit=200&as_of=2025-02-01"))
    assert "us-eo-14110" in in_2024 and "us-eo-14110" in in_2025, "a revoked rule is still listed, as revoked"
    assert "us-eo-14179" in in_2025 and "us-eo-14179" not in in_2024
    assert get_json(client, "/v1/policies/us-eo-14110?as_of=2025-02-01")["data"]["status"] == "revoked"
    get_json(client, "/v1/policies/us-eo-14179?as_of=2024-02-01", 404)
    events = follow(client, "/v1/events?limit=200&as_of=2024-12-31")
    assert events and all(e["date"] <= "2024-12-31~" for e in events)


def test_query_time_limit_interrupts(database: Any) -> None:
    """A runaway statement is interrupted by SQLite's progress handler; the next query runs normally."""
    store = Store(database, timeout_ms=50)
    runaway = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT count(*) FROM c"
    with pytest.raises(QueryTimeout):
        store.execute(runaway)
    assert store.page(ListQuery("ai_models", limit=1)).total > 0


# --- properties -------------------------------------------------------------

SORTS = {name: sortable(c) for name, c in RECORD_TABLES.items()}


@st.composite
def list_queries(draw: st.DrawFn) -> tuple[str, str, int]:
    name = draw(st.sampled_from(sorted(RECORD_TABLES)))
    keys = draw(st.lists(st.sampled_from(SORTS[name]), max_size=3, unique=True))
    sort = ",".join(("-" if draw(st.booleans()) else "") + k for k in keys)
    return name, sort, draw(st.integers(8, 60))  # pages of every size class without a thousand requests per example


def path_of(name: str) -> str:
    return f"/v1/{RECORD_TABLES[name].path}"


@PROPERTY
@given(list_queries())
def test_cursor_traversal_is_the_full_sorted_result(query: tuple[str, str, int]) -> None:
    name, sort, limit = query
    client = session_app().test_client()
    params = {"sort": sort} if sort else {}
    whole = client.get(f"{path_of(name)}?{urlencode({**params, 'limit': 200})}").get_json()
    if whole["meta"]["total"] > 200:
        expected = [r["id"] for r in follow(client, f"{path_of(name)}?{urlencode({**params, 'limit': 200})}")]
    else:
        expected = [r["id"] for r in whole["data"]]
    paged = [r["id"] for r in follow(client, f"{path_of(name)}?{urlencode({**params, 'limit': limit})}")]
    assert paged == expected
    assert len(paged) == len(set(paged)) == whole["meta"]["total"]


def filter_values(name: str) -> st.SearchStrategy[tuple[str, str]]:
    collection = RECORD_TABLES[name]
    params = filter_params(collection)
    values = {
        "eq": st.sampled_from(["deepseek", "CN", "US", "2025", "2024-12", "true", "reasoning", "news", "0", "128000", "nvidia"]),
        "isnull": st.sampled_from(["true", "false"]),
    }
    return st.sampled_from(sorted(params)).flatmap(lambda p: st.tuples(st.just(p), values["isnull"] if params[p][1] == "isnull" else values["eq"]))


@PROPERTY
@given(st.sampled_from(sorted(COLLECTIONS)).flatmap(lambda n: st.tuples(st.just(n), st.lists(filter_values(n), min_size=1, max_size=3))))
def test_adding_a_filter_never_grows_the_total(case: tuple[str, list[tuple[str, str]]]) -> None:
    name, filters = case
    client = session_app().test_client()
    previous = client.get(f"{path_of(name)}?limit=1").get_json()["meta"]["total"]
    applied: list[tuple[str, str]] = []
    for param, value in filters:
        applied.append((param, value))
        response = client.get(f"{path_of(name)}?{urlencode([*applied, ('limit', 1)])}")
        if response.status_code == 400:  # a value of the wrong type for this field
            applied.pop()
            continue
        total = response.get_json()["meta"]["total"]
        assert total <= previous
        previous = total


PARAM_NAMES = sorted(
    {p for c in RECORD_TABLES.values() for p in filter_params(c)} | {"limit", "cursor", "sort", "q", "fields", "expand", "facet", "as_of"}
)


@PROPERTY
@given(
    st.sampled_from(["/v1/models", "/v1/events", "/v1/timeline", "/v1/companies/deepseek/models", "/v1/search", "/v1/policies/eu-ai-act"]),
    st.lists(
        st.tuples(
            st.one_of(st.sampled_from(PARAM_NAMES), st.text(string.ascii_letters + "_", min_size=1, max_size=12)),
            st.text(max_size=40),
        ),
        max_size=5,
    ),
)
def test_random_parameters_never_give_a_server_error(path: str, params: list[tuple[str, str]]) -> None:
    response = session_app().test_client().get(f"{path}?{urlencode(params)}")
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert response.mimetype in ("application/json", "application/problem+json")


def test_facetable_and_sortable_fields_are_documented(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    params = documented_parameters(spec, "/v1/events")
    assert set(facetable(RECORD_TABLES["events"])) == set(params["facet"]["schema"]["items"]["enum"])
    assert {"participant", "participant__in", "as_of", "fields", "expand", "facet"} <= set(params)
