"""The HTTP contract: list and item bodies, filters, sort, cursors, search, caching and errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from api.routes.params import MAX_LIMIT
from api.tables import COLLECTIONS
from conftest import follow, get_json
from data import BACKER, EXAMPLE_IDS, LAB, LAB_FOUNDER, MODEL, POLICY_EU

PATHS = [c.path for c in COLLECTIONS.values()]


def test_index_lists_collections_with_counts(client: FlaskClient) -> None:
    body = get_json(client, "/v1")
    assert [c["name"] for c in body["collections"]] == PATHS
    for entry in body["collections"]:
        assert get_json(client, entry["url"] + "?limit=1")["meta"]["total"] == entry["count"]
    assert len(body["version"]) == 12


@pytest.mark.parametrize("path", PATHS)
def test_list_shape_and_link_header(client: FlaskClient, path: str) -> None:
    response = client.get(f"/v1/{path}?limit=2")
    body = response.get_json()
    assert set(body) == {"data", "links", "meta"}
    assert body["links"]["self"] == f"/v1/{path}?limit=2"
    assert len(body["data"]) == min(2, body["meta"]["total"])
    if body["meta"]["total"] > 2:
        assert response.headers["Link"] == f'<{body["links"]["next"]}>; rel="next"'
    else:
        assert body["links"]["next"] is None and "Link" not in response.headers


@pytest.mark.parametrize("path", PATHS)
def test_paging_returns_every_record_once_in_order(client: FlaskClient, path: str) -> None:
    total = get_json(client, f"/v1/{path}?limit=1")["meta"]["total"]
    large = follow(client, f"/v1/{path}?limit={MAX_LIMIT}")
    paged = follow(client, f"/v1/{path}?limit=7")
    assert [r["id"] for r in paged] == [r["id"] for r in large]
    assert len(paged) == total == len({r["id"] for r in paged})
    assert [r["id"] for r in paged] == sorted(r["id"] for r in paged)


@pytest.mark.parametrize("path", PATHS)
def test_item_matches_list_entry(client: FlaskClient, path: str) -> None:
    first = get_json(client, f"/v1/{path}?limit=1")["data"][0]
    assert get_json(client, f"/v1/{path}/{first['id']}") == {"data": first}


@pytest.mark.parametrize(("name", "record_id"), sorted(EXAMPLE_IDS.items()))
def test_documented_example_ids_exist(client: FlaskClient, name: str, record_id: str) -> None:
    get_json(client, f"/v1/{COLLECTIONS[name].path}/{record_id}")


def test_item_carries_citations_with_sources(client: FlaskClient) -> None:
    record = get_json(client, f"/v1/models/{MODEL}")["data"]
    assert record["developer"] == LAB and record["release_date_precision"] in ("day", "month", "year")
    cited = [c for c in record["citations"] if c["source"] == "china-ai-breakthrough-article"]
    assert cited and all(c["quote"] and c["source_title"] for c in cited)


def test_source_shows_what_cites_it(client: FlaskClient) -> None:
    source = get_json(client, "/v1/sources/china-ai-breakthrough-article")["data"]
    assert source["file"] and source["kind"] == "news-analysis"
    assert {"type": "models", "id": MODEL}.items() <= next(c for c in source["cited_by"] if c["id"] == MODEL).items()


def test_equality_and_relation_filters(client: FlaskClient) -> None:
    models = follow(client, f"/v1/models?developer={LAB}&limit=50")
    assert models and all(m["developer"] == LAB for m in models)
    assert MODEL in {m["id"] for m in models}
    companies = follow(client, "/v1/companies?country=CN&limit=50")
    assert companies and all(c["country"] == "CN" for c in companies)
    backed = follow(client, f"/v1/companies?backers={BACKER}")
    assert LAB in {c["id"] for c in backed}


def test_filters_narrow_and_compose(client: FlaskClient) -> None:
    total = get_json(client, "/v1/models?limit=1")["meta"]["total"]
    open_w = get_json(client, "/v1/models?open_weights=true&limit=1")["meta"]["total"]
    closed = get_json(client, "/v1/models?open_weights=false&limit=1")["meta"]["total"]
    unknown = get_json(client, "/v1/models?open_weights__isnull=true&limit=1")["meta"]["total"]
    assert open_w + closed + unknown == total
    both = follow(client, f"/v1/models?open_weights=true&developer={LAB}")
    assert all(m["open_weights"] is True and m["developer"] == LAB for m in both)


def test_date_filters_respect_precision(client: FlaskClient) -> None:
    in_2025 = follow(client, "/v1/models?release_date=2025&limit=100")
    assert in_2025 and all(m["release_date"].startswith("2025") for m in in_2025)
    after = follow(client, "/v1/models?release_date__gte=2025-01-20&limit=100")
    assert all(m["release_date"] >= "2025-01-20" for m in after)
    assert MODEL in {m["id"] for m in after}
    before = follow(client, "/v1/models?release_date__lt=2025-01-20&limit=100")
    assert MODEL not in {m["id"] for m in before}
    assert all(m["release_date"] + "~" < "2025-01-20" for m in before)


def test_sort_descending_with_nulls_last(client: FlaskClient) -> None:
    models = follow(client, "/v1/models?sort=-release_date,name&limit=7")
    dates = [m["release_date"] for m in models]
    assert models == follow(client, "/v1/models?sort=-release_date,name,-release_date&limit=50"), "a repeated key counts once"
    known = [d for d in dates if d is not None]
    assert known == sorted(known, reverse=True)
    assert dates == known + [None] * (len(dates) - len(known))


@pytest.mark.parametrize("sort", ["context_window", "-context_window", "parameters_total", "-license"])
@pytest.mark.parametrize("limit", [1, 4, 200])
def test_one_nullable_key_pages_known_values_then_unknown_by_id(client: FlaskClient, sort: str, limit: int) -> None:
    """Pages cross from the known values to the unknown ones without losing or repeating a record."""
    models = follow(client, f"/v1/models?sort={sort}&limit={limit}")
    name, desc = sort.lstrip("-"), sort.startswith("-")
    known = sorted((m for m in models if m[name] is not None), key=lambda m: (m[name], m["id"]), reverse=desc)
    unknown = sorted((m for m in models if m[name] is None), key=lambda m: m["id"], reverse=desc)
    assert known and unknown, "the case needs both known and unknown values"
    assert [m["id"] for m in models] == [m["id"] for m in known + unknown]
    assert len(models) == get_json(client, "/v1/models")["meta"]["total"]


def test_text_search_on_a_collection(client: FlaskClient) -> None:
    hits = follow(client, f"/v1/models?q={LAB}")
    assert MODEL in {m["id"] for m in hits}


def test_cross_type_search(client: FlaskClient) -> None:
    body = get_json(client, "/v1/search?q=DeepSeek")
    assert body["meta"]["counts"]["companies"] >= 1 and body["meta"]["counts"]["models"] >= 10
    assert sum(body["meta"]["counts"].values()) == body["meta"]["total"]
    assert any("<mark>" in hit["snippet"] for hit in body["data"])
    only = get_json(client, "/v1/search?q=DeepSeek&type=companies")
    assert {hit["type"] for hit in only["data"]} == {"companies"}


def test_search_pages_through_every_hit_in_the_documented_order(client: FlaskClient) -> None:
    """Records named exactly so, then records, then sources; by score within each; every hit once, by cursor."""
    hits = follow(client, "/v1/search?q=a&limit=100")
    total = get_json(client, "/v1/search?q=a&limit=1")["meta"]["total"]
    assert total > 100 and len(hits) == total == len({(h["type"], h["id"]) for h in hits})
    tiers = [h["type"] == "sources" for h in hits]
    assert tiers == sorted(tiers), "records come before the sources about them"
    records = [h["score"] for h in hits if h["type"] != "sources"]
    assert records[1:] == sorted(records[1:], reverse=True)


def test_search_finds_word_forms_and_snippets_are_safe_html(client: FlaskClient) -> None:
    assert get_json(client, "/v1/search?q=price&limit=1")["meta"]["total"] >= get_json(client, "/v1/search?q=pricing&limit=1")["meta"]["total"] > 0
    for hit in get_json(client, "/v1/search?q=%3Cb%3E%20AI&limit=50")["data"]:
        assert "<b>" not in hit["snippet"] and hit["snippet"].replace("<mark>", "").replace("</mark>", "").count("<") == 0


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("DeepSeek-R1", MODEL),
        ("deepseek r1", MODEL),
        ("DeepSeek", LAB),
        ("AI Act", POLICY_EU),
        ("Liang Wenfeng", LAB_FOUNDER),
    ],
)
def test_search_puts_the_record_named_so_first(client: FlaskClient, text: str, first: str) -> None:
    """Many sources and events mention a name; the record it names is what was looked for."""
    assert get_json(client, f"/v1/search?q={text}")["data"][0]["id"] == first


def test_search_matches_the_last_word_as_a_prefix(client: FlaskClient) -> None:
    names = {m["name"] for m in get_json(client, "/v1/models?q=qwen&limit=200")["data"]}
    assert "Qwen2.5-Max" in names, "qwen is a prefix of the token qwen2"
    assert get_json(client, "/v1/models?q=deepsee")["meta"]["total"] == get_json(client, f"/v1/models?q={LAB}")["meta"]["total"]


@pytest.mark.parametrize("text", ['"', "AND", "NOT OR", "*", "a:b", "(", "deep\"seek'", "\u2603", "x" * 500, "^", "NEAR(a b)"])
def test_search_survives_hostile_text(client: FlaskClient, text: str) -> None:
    response = client.get("/v1/search", query_string={"q": text})
    assert response.status_code == 200
    response = client.get("/v1/models", query_string={"q": text})
    assert response.status_code == 200


def test_etag_and_conditional_get(client: FlaskClient) -> None:
    first = client.get("/v1/models?limit=5")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["X-Data-Version"]
    assert "public" in first.headers["Cache-Control"]
    second = client.get("/v1/models?limit=5", headers={"If-None-Match": etag})
    assert second.status_code == 304 and second.data == b""
    other = client.get("/v1/models?limit=4", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_cors_and_security_headers(client: FlaskClient) -> None:
    response = client.get(f"/v1/models/{MODEL}")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Link" in response.headers["Access-Control-Expose-Headers"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_head_works_on_get_routes(client: FlaskClient) -> None:
    response = client.head("/v1/models")
    assert response.status_code == 200 and response.data == b""


def test_health(client: FlaskClient) -> None:
    body = get_json(client, "/health")
    assert body["status"] == "ok" and len(body["version"]) == 12


def test_health_is_503_problem_when_database_is_corrupt(tmp_path: Any) -> None:
    from api.app import create_app

    bad = tmp_path / "facts.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    client = create_app({"DATABASE": bad, "AUTO_BUILD": False, "CURSOR_SECRET": "a-test-key-of-length"}).test_client()
    response = client.get("/health")
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert client.get("/v1/models").status_code == 503


def test_docs_page_is_offline(client: FlaskClient) -> None:
    page = client.get("/docs").get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in page and "http" not in page.replace("http-equiv", "")
    with client.get("/docs/assets/swagger-ui-bundle.js") as bundle:
        assert bundle.status_code == 200 and len(bundle.data) > 100_000
    with client.get("/docs/assets/VERSION") as version:
        assert version.get_data(as_text=True).lstrip("v").startswith("5"), "Swagger UI 5 renders OpenAPI 3.1"
    with client.get("/docs/init.js") as init:
        assert b"data-spec-url" in init.data
    assert 'data-spec-url="/openapi.json"' in page


def test_list_body_is_valid_json_even_with_unicode(client: FlaskClient) -> None:
    raw = client.get(f"/v1/sources?limit={MAX_LIMIT}").get_data(as_text=True)
    assert json.loads(raw)["data"]
