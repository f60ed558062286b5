"""The README stays true: its commands are what CI runs, and its examples still answer."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from api.config import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def quickstart_commands() -> list[str]:
    return re.findall(r"```sh\n(python3 -m venv .venv && .+?)\n```", README)


def test_readme_opens_with_two_quickstart_commands() -> None:
    serve, test = quickstart_commands()[:2]
    assert serve.endswith("aifacts serve") and "pip install -e ." in serve
    assert test.endswith("pytest") and "'.[test]'" in test
    assert README.index(serve) < README.index(test) < README.index("## The API")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quickstart_commands()[1] in ci.splitlines()


@pytest.mark.parametrize("url", sorted(set(re.findall(r"curl -s\w* '?127\.0\.0\.1:8000(/[^'\s]*)", README))))
def test_readme_examples_answer(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    expected = 400 if "limit=0" in url else 200
    assert response.status_code == expected, url


def test_readme_configuration_lists_every_environment_variable() -> None:
    from api.config import ENVIRONMENT

    for name in ENVIRONMENT:
        assert f"`{name}`" in README, name
    for name in re.findall(r"AIFACTS_[A-Z_]+", (PROJECT_ROOT / "api" / "gunicorn_conf.py").read_text()):
        assert f"`{name}`" in README, name


def test_readme_dataset_counts_are_current() -> None:
    from api.builder import validate

    counts = validate(PROJECT_ROOT / "fixtures", PROJECT_ROOT / "seeds").counts
    header, _, values = README.split("<!-- counts:")[1].split("\n")[1:4]
    names = [c.strip() for c in header.strip("|").split("|")]
    numbers = [int(v) for v in values.strip("|").split("|")]
    table = {"models": "ai_models"}
    assert {table.get(n, n): v for n, v in zip(names, numbers, strict=True)} == counts


def test_readme_citations_per_tier_are_current() -> None:
    from collections import Counter

    from api.builder import validate
    from api.builder.checks import iter_citations

    records = validate(PROJECT_ROOT / "fixtures", PROJECT_ROOT / "seeds").records
    tiers = {r.id: r.data["tier"] for r in records if r.collection == "sources"}
    counted = Counter(tiers[c["source"]] for r in records for _, c in iter_citations(r.data))
    header, _, values = README.split("<!-- tiers:")[1].split("\n")[1:4]
    names = [c.strip() for c in header.strip("|").split("|")][1:]
    numbers = [int(v) for v in values.strip("|").split("|")[1:]]
    assert dict(zip(names, numbers, strict=True)) == {**counted, "all": sum(counted.values())}
