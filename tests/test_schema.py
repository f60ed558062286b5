"""Schemas accept well-formed records and reject each kind of malformed field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from schema import RECORD_SCHEMAS, AIModelSchema, CompanySchema, EventSchema, PolicySchema, SourceSchema
from schema.fields import date_precision, parse_precision_date

CITE = [{"source": "some-source", "fields": []}]


def model(**overrides: Any) -> dict[str, Any]:
    return {"id": "deepseek-r1", "name": "DeepSeek-R1", "developer": "deepseek", "category": "reasoning", "citations": CITE, **overrides}


def test_valid_model_loads_with_defaults() -> None:
    loaded = AIModelSchema().load(model(release_date="2025-01", parameters_total=671_000_000_000))
    assert loaded["release_date"] == "2025-01"
    assert loaded["open_weights"] is None
    assert loaded["disputes"] == [] and loaded["claims"] == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id": "DeepSeek R1"}, "id"),
        ({"id": "a--b"}, "id"),
        ({"name": ""}, "name"),
        ({"category": "chatbot"}, "category"),
        ({"release_date": "2025-02-30"}, "release_date"),
        ({"release_date": "25-01-20"}, "release_date"),
        ({"release_date": dt.date(2025, 1, 20)}, "release_date"),
        ({"release_date": 2025}, "release_date"),
        ({"parameters_total": 0}, "parameters_total"),
        ({"parameters_total": 2**70}, "parameters_total"),
        ({"parameters_total": "7B"}, "parameters_total"),
        ({"open_weights": "yes"}, "open_weights"),
        ({"architecture": "transformer"}, "architecture"),
        ({"citations": []}, "citations"),
        ({"citations": [{"fields": []}]}, "citations"),
        ({"weights_url": "https://example.org"}, "weights_url"),
    ],
)
def test_model_rejects(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        AIModelSchema().load(model(**overrides))
    assert field in info.value.messages


def test_missing_required_fields_are_named() -> None:
    with pytest.raises(ValidationError) as info:
        AIModelSchema().load({"id": "x"})
    assert {"name", "developer", "category", "citations"} <= set(info.value.messages)


@pytest.mark.parametrize("code", ["CN", "US", "EU", "GB"])
def test_country_accepts_iso_codes(code: str) -> None:
    record = {"id": "x", "name": "X", "kind": "ai-lab", "country": code, "citations": CITE}
    assert CompanySchema().load(record)["country"] == code


@pytest.mark.parametrize("code", ["cn", "CHN", "XX", "UK", ""])
def test_country_rejects_non_codes(code: str) -> None:
    with pytest.raises(ValidationError) as info:
        CompanySchema().load({"id": "x", "name": "X", "kind": "ai-lab", "country": code, "citations": CITE})
    assert "country" in info.value.messages


@pytest.mark.parametrize("query", ["?utm_source=rss", "?id=7&fbclid=x1", "?srsltid=AfmB"])
def test_source_url_rejects_tracking_parameters(query: str) -> None:
    with pytest.raises(ValidationError) as info:
        SourceSchema().load({"id": "s", "title": "T", "kind": "news", "tier": "reporting", "language": "en", "url": f"https://example.org/x{query}"})
    assert "tracking parameter" in str(info.value.messages["url"])
    assert SourceSchema().load({"id": "s", "title": "T", "kind": "news", "tier": "reporting", "language": "en", "url": "https://example.org/x?id=7"})


def test_source_url_is_a_web_address() -> None:
    source = {"id": "s", "title": "T", "kind": "news", "tier": "reporting", "language": "en"}
    for bad in ("ftp://example.org/x", "javascript:alert(1)", "example.org/x"):
        with pytest.raises(ValidationError) as info:
            SourceSchema().load({**source, "url": bad})
        assert "url" in info.value.messages
    assert SourceSchema().load({**source, "url": "http://usa.chinadaily.com.cn/china/2011-05/04/content_12442599.htm"})


def test_policy_and_event_enums() -> None:
    policy = {"id": "p", "name": "P", "jurisdiction": "CN", "instrument": "plan", "status": "in-force", "citations": CITE}
    assert PolicySchema().load(policy)["status"] == "in-force"
    with pytest.raises(ValidationError):
        PolicySchema().load({**policy, "status": "active"})
    with pytest.raises(ValidationError):
        EventSchema().load({"id": "e", "title": "E", "date": "2025", "type": "party", "citations": CITE})


def test_every_schema_rejects_unknown_fields() -> None:
    for name, cls in RECORD_SCHEMAS.items():
        with pytest.raises(ValidationError) as info:
            cls().load({"id": "x", "surprise": 1})
        assert "surprise" in info.value.messages, name


@given(st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2099, 12, 31)), st.sampled_from([4, 7, 10]))
def test_precision_dates_round_trip(day: dt.date, length: int) -> None:
    text = day.isoformat()[:length]
    assert parse_precision_date(text) == text
    assert date_precision(text) == {4: "year", 7: "month", 10: "day"}[length]


@given(st.text(max_size=20))
def test_precision_date_parser_accepts_or_explains(text: str) -> None:
    """Any text either parses to itself or raises ValueError with a reason: nothing else."""
    try:
        parsed = parse_precision_date(text)
    except ValueError as exc:
        assert str(exc)
    else:
        assert parsed == text and date_precision(parsed) in ("year", "month", "day")
