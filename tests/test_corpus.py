"""The dataset itself: coverage of the founding article and the landscape, disputes, provenance."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from api.builder import validate
from api.builder.checks import iter_citations, normalise_text
from conftest import FIXTURES, SEEDS

FOUNDING = "china-ai-breakthrough-article"
MINIMUM_COUNTS = {"ai_models": 60, "companies": 40, "policies": 25, "events": 60, "people": 20}
REQUIRED_IDS = {
    "ai_models": [
        "deepseek-v2", "deepseek-v3", "deepseek-r1", "deepseek-r1-zero", "deepseek-r1-distill-qwen-32b",
        "deepseek-r1-distill-llama-70b", "gpt-4-turbo", "gpt-4o", "o1", "claude-3-5-sonnet", "llama-3-70b",
        "llama-3-1-405b", "gemini-1-5-pro",
    ],
    "companies": [
        "deepseek", "high-flyer", "alibaba", "baidu", "tencent", "bytedance", "moonshot-ai", "zhipu-ai",
        "openai", "anthropic", "meta", "google-deepmind", "nvidia", "huawei", "intel",
    ],
    "chips": ["nvidia-a100", "nvidia-h100", "nvidia-a800", "nvidia-h800", "nvidia-h20", "huawei-ascend-910b"],
    "policies": [
        "cn-new-generation-ai-development-plan", "cn-generative-ai-interim-measures", "us-export-controls-2022-10",
        "us-export-controls-2023-10", "us-export-controls-2024-12", "us-ai-diffusion-rule", "us-eo-14110",
        "us-eo-14148", "us-eo-14179", "stargate-project", "eu-ai-act",
    ],
    "people": ["liang-wenfeng", "pat-gelsinger", "donald-trump"],
}  # fmt: skip


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, dict[str, Any]]]:
    by_type: dict[str, dict[str, dict[str, Any]]] = {}
    for record in validate(FIXTURES, SEEDS).records:
        by_type.setdefault(record.collection, {})[record.id] = record.data
    return by_type


def test_counts_reach_the_corpus_targets(records: dict) -> None:
    for name, minimum in MINIMUM_COUNTS.items():
        assert len(records[name]) >= minimum, name


@pytest.mark.parametrize(("collection", "record_id"), [(c, i) for c, ids in REQUIRED_IDS.items() for i in ids])
def test_landscape_records_exist(records: dict, collection: str, record_id: str) -> None:
    assert record_id in records[collection]


def test_every_sentence_of_the_founding_article_is_quoted(records: dict) -> None:
    """Each sentence of the article (its title aside) is covered, nearly whole, by verbatim quotes."""
    article = normalise_text((SEEDS / "2025-deepseek-r1-us-china-ai-rivalry.txt").read_text(encoding="utf-8").split("\n", 1)[1])
    covered = [False] * len(article)
    for by_id in records.values():
        for data in by_id.values():
            for _, citation in iter_citations(data):
                if citation["source"] == FOUNDING and citation.get("quote"):
                    quote = normalise_text(citation["quote"])
                    for match in re.finditer(re.escape(quote), article):
                        covered[match.start() : match.end()] = [True] * len(quote)
    position = 0
    for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z“\"])", article):
        start = article.index(sentence, position)
        position = start + len(sentence)
        share = sum(covered[start:position]) / len(sentence)
        assert share >= 0.9, f"{share:.0%} quoted: {sentence}"


def test_article_only_assertions_are_claims_not_facts(records: dict) -> None:
    r1_claims = " ".join(c["statement"] for c in records["ai_models"]["deepseek-r1"]["claims"])
    assert "Llama" in r1_claims and "Claude 3.5 Sonnet" in r1_claims
    v2_claims = [c for c in records["ai_models"]["deepseek-v2"]["claims"] if "1%" in json.dumps(c, ensure_ascii=False)]
    assert v2_claims and all(cit["source"] == FOUNDING for c in v2_claims for cit in c["citations"])


def test_every_record_is_cited_and_every_source_is_used(records: dict) -> None:
    cited = set()
    for collection, by_id in records.items():
        for record_id, data in by_id.items():
            citations = list(iter_citations(data))
            assert collection == "sources" or citations, record_id
            cited |= {c["source"] for _, c in citations}
    assert set(records["sources"]) <= cited


def test_sources_are_described(records: dict) -> None:
    for source_id, source in records["sources"].items():
        assert source["file"] or source["url"], f"{source_id} has neither a public URL nor a local file"
        assert source["url"] is None or source["url"].startswith(("https://", "http://")), source_id


def test_disputes_are_recorded_and_served(records: dict, client: FlaskClient) -> None:
    disputed = [(c, i, d) for c, by_id in records.items() for i, data in by_id.items() for d in data["disputes"]]
    assert len(disputed) >= 5
    collection, record_id, dispute = disputed[0]
    path = {"ai_models": "models"}.get(collection, collection)
    served = client.get(f"/v1/{path}/{record_id}").get_json()["data"]
    field = dispute["field"].split(".")[0]
    assert served["disputes"][0]["field"] == dispute["field"] and field in served
    alternative = served["disputes"][0]["alternatives"][0]
    assert alternative["citations"][0]["source_title"]


def test_source_item_lists_citing_records_by_role(client: FlaskClient) -> None:
    cited_by = client.get(f"/v1/sources/{FOUNDING}").get_json()["data"]["cited_by"]
    roles = {entry["role"] for entry in cited_by}
    assert {"citation", "claim"} <= roles
    assert any(entry["type"] == "policies" and entry["id"] == "cn-new-generation-ai-development-plan" for entry in cited_by)
