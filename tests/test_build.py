"""The build: every failure is reported with file, record and field, and leaves the old database as it was."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from api.app import create_app
from api.builder import BuildFailed, build, ensure_database, validate
from api.builder.checks import definitely_before, normalise_text
from api.builder.write import state_window
from api.config import PROJECT_ROOT
from api.database import read_meta
from conftest import FIXTURES, SEEDS
from data import FOUNDING_SOURCE

GOOD_COMPANY = """
- id: zz-test-lab
  name: ZZ Test Lab
  kind: ai-lab
  citations:
    - source: china-ai-breakthrough-article
      quote: "The Hangzhou-based AI lab"
"""


GOOD_MODEL = """
- id: zz-base-model
  name: ZZ Base Model
  developer: zz-test-lab
  category: reasoning
  release_date: "2025-01-20"
  citations:
    - source: china-ai-breakthrough-article
      quote: "The release of DeepSeek’s R1 model on January 20"
      locator: "January 20, 2025"
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def small_corpus(tmp_path: Path) -> tuple[Path, Path]:
    """The founding source and its seed: what a failing fixture needs around it, built in milliseconds.

    How the build fails does not depend on the size of the corpus; the real corpus is built once for the
    API tests (conftest) and validated whole by test_validate_counts_real_fixtures.
    """
    fixtures, seeds = tmp_path / "fixtures", tmp_path / "seeds"
    (fixtures / "sources").mkdir(parents=True)
    shutil.copy(FIXTURES / "sources" / "founding.yaml", fixtures / "sources")
    (fixtures / "companies").mkdir()
    (fixtures / "companies" / "zz-base.yaml").write_text(GOOD_COMPANY)  # cites the source, which must be cited
    (fixtures / "ai_models").mkdir()
    (fixtures / "ai_models" / "zz-base.yaml").write_text(GOOD_MODEL)
    shutil.copytree(SEEDS, seeds)
    return fixtures, seeds


@pytest.fixture
def live_db(small_corpus: tuple[Path, Path], tmp_path: Path) -> Path:
    fixtures, seeds = small_corpus
    db = tmp_path / "live.db"
    build(fixtures, seeds, db)
    return db


BROKEN = {
    "bad type": (
        "ai_models/zz.yaml",
        "- id: zz-model\n  name: ZZ\n  developer: zz-test-lab\n  category: language\n  parameters_total: lots\n"
        "  citations: [{source: china-ai-breakthrough-article, quote: V2}]\n",
        ("zz-model", "parameters_total", "Not a valid integer"),
    ),
    "unknown field": (
        "companies/zz-extra.yaml",
        "- id: zz-other\n  name: ZZ Other\n  kind: ai-lab\n  mascot: whale\n  citations: [{source: china-ai-breakthrough-article, quote: V2}]\n",
        ("zz-other", "mascot", "Unknown field"),
    ),
    "dangling reference": (
        "ai_models/zz.yaml",
        "- id: zz-model\n  name: ZZ\n  developer: no-such-company\n  category: language\n"
        "  citations: [{source: china-ai-breakthrough-article, quote: V2}]\n",
        ("zz-model", "developer", "unknown companies id 'no-such-company'"),
    ),
    "duplicate id": (
        "companies/zz-dup.yaml",
        GOOD_COMPANY.replace("ZZ Test Lab", "ZZ Test Lab Again"),
        ("zz-test-lab", "id", "duplicate id"),
    ),
    "quote not in seed": (
        "companies/zz-extra.yaml",
        "- id: zz-other\n  name: ZZ Other\n  kind: ai-lab\n"
        "  citations: [{source: china-ai-breakthrough-article, quote: DeepSeek was founded on the Moon}]\n",
        ("zz-other", "citations.0.quote", "not found verbatim"),
    ),
    "missing quote for a seed": (
        "companies/zz-extra.yaml",
        "- id: zz-other\n  name: ZZ Other\n  kind: ai-lab\n  citations: [{source: china-ai-breakthrough-article}]\n",
        ("zz-other", "citations.0.quote", "needs a verbatim quote"),
    ),
    "malformed YAML": (
        "companies/zz-extra.yaml",
        "- id: zz-other\n  name: [unclosed\n",
        ("-", "-", "malformed YAML"),
    ),
    "truncated YAML": (
        "companies/zz-extra.yaml",
        '- id: zz-other\n  name: "ZZ Oth',  # cut off inside a quoted string
        ("-", "-", "malformed YAML"),
    ),
    "duplicate key": (
        "companies/zz-extra.yaml",
        "- id: zz-other\n  name: A\n  name: B\n  kind: ai-lab\n",
        ("-", "-", "duplicate key 'name'"),
    ),
    "uncited field": (
        "companies/zz-extra.yaml",
        "- id: zz-other\n  name: ZZ Other\n  kind: ai-lab\n  country: CN\n"
        "  citations: [{source: china-ai-breakthrough-article, fields: [kind], quote: AI lab}]\n",
        ("zz-other", "country", "no citation supports"),
    ),
    "effective before signed": (
        "policies/zz.yaml",
        "- id: zz-policy\n  name: ZZ Policy\n  jurisdiction: CN\n  instrument: plan\n  status: in-force\n"
        "  signed: '2020-05'\n  effective: '2020-04-30'\n  citations: [{source: china-ai-breakthrough-article, quote: Since 2017}]\n",
        ("zz-policy", "effective", "before signed"),
    ),
    "dispute of a field the record lacks": (
        "companies/zz-extra.yaml",
        "- id: zz-other\n  name: ZZ Other\n  kind: ai-lab\n  citations: [{source: china-ai-breakthrough-article, quote: AI lab}]\n"
        "  disputes: [{field: mascot, reason: r, alternatives: [{value: x, citations: [{source: china-ai-breakthrough-article, quote: V2}]}]}]\n",
        ("zz-other", "disputes.0.field", "'mascot' is not a field"),
    ),
    "number its quote does not state": (
        "ai_models/zz.yaml",
        "- id: zz-model\n  name: ZZ\n  developer: zz-test-lab\n  category: language\n  parameters_total: 7000000000\n"
        "  citations: [{source: china-ai-breakthrough-article, fields: [name, developer, category, parameters_total], quote: V2}]\n",
        ("zz-model", "citations.0.fields", "parameters_total 7000000000 is not stated"),
    ),
    "release event on another day than the release": (
        "events/zz.yaml",
        "- id: zz-model-release\n  title: ZZ released\n  date: '2025-01-21'\n  type: model-release\n  models: [zz-base-model]\n"
        "  citations: [{source: china-ai-breakthrough-article, quote: 'January 20'}]\n",
        ("zz-model-release", "models.0", "not on this event's date"),
    ),
    "revoked with nothing that revoked it": (
        "policies/zz.yaml",
        "- id: zz-policy\n  name: ZZ Policy\n  jurisdiction: US\n  instrument: plan\n  status: revoked\n  revoked: '2025'\n"
        "  citations: [{source: china-ai-breakthrough-article, quote: AI lab}]\n",
        ("zz-policy", "status", "no policy names it in `revokes`"),
    ),
    "suspended without its date": (
        "policies/zz.yaml",
        "- id: zz-policy\n  name: ZZ Policy\n  jurisdiction: CN\n  instrument: plan\n  status: suspended\n"
        "  citations: [{source: china-ai-breakthrough-article, quote: AI lab}]\n",
        ("zz-policy", "suspended", "needs the date it happened"),
    ),
    "two people in one seat at once": (
        "people/zz.yaml",
        "- id: zz-one\n  name: ZZ One\n  roles: [{title: CEO, organization: zz-test-lab, start: '2020'}]\n"
        "  citations: [{source: china-ai-breakthrough-article, quote: AI lab}]\n"
        "- id: zz-two\n  name: ZZ Two\n  roles: [{title: CEO, organization: zz-test-lab, start: '2023'}]\n"
        "  citations: [{source: china-ai-breakthrough-article, quote: AI lab}]\n",
        ("zz-one", "roles.0.end", "holds 'CEO' at zz-test-lab from 2023"),
    ),
    "folder that is no record type": (
        "widgets/zz.yaml",
        "[]\n",
        ("-", "-", "folder named after a record type"),
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_bad_fixture_fails_closed(case: str, small_corpus: tuple[Path, Path], live_db: Path) -> None:
    fixtures, seeds = small_corpus
    (fixtures / "companies").mkdir(exist_ok=True)
    (fixtures / "companies" / "zz-base.yaml").write_text(GOOD_COMPANY)
    rel, text, (record, field, reason) = BROKEN[case]
    (fixtures / rel).parent.mkdir(exist_ok=True)
    (fixtures / rel).write_text(text)

    before = sha256(live_db)
    with pytest.raises(BuildFailed) as info:
        build(fixtures, seeds, live_db)
    messages = [str(p) for p in info.value.problems]
    expected_file = f"fixtures/{rel}"
    assert any(p.file == expected_file and p.record == record and p.field == field and reason in p.reason for p in info.value.problems), messages
    assert sha256(live_db) == before
    assert not list(live_db.parent.glob(".*.tmp")), "no temporary file is left behind"


def test_cli_reports_every_problem_and_exits_non_zero(small_corpus: tuple[Path, Path], live_db: Path) -> None:
    fixtures, seeds = small_corpus
    (fixtures / "companies").mkdir(exist_ok=True)
    (fixtures / "companies" / "zz-a.yaml").write_text("- id: zz-a\n  name: A\n  kind: spaceship\n  citations: []\n")
    (fixtures / "companies" / "zz-b.yaml").write_text("- id: zz-b\n  name: B\n  kind: ai-lab\n  founded: '2023-13'\n")
    before = sha256(live_db)
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "build", "--fixtures", str(fixtures), "--seeds", str(seeds), "--database", str(live_db)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert "fixtures/companies/zz-a.yaml: record zz-a: field kind:" in result.stderr
    assert "fixtures/companies/zz-a.yaml: record zz-a: field citations:" in result.stderr
    assert "fixtures/companies/zz-b.yaml: record zz-b: field founded:" in result.stderr
    assert "fixtures/companies/zz-b.yaml: record zz-b: field citations:" in result.stderr
    assert "Traceback" not in result.stderr
    assert sha256(live_db) == before


def test_build_stores_metadata_counts_and_indexes(database: Path) -> None:
    meta = read_meta(database)
    assert len(meta["content_hash"]) == 64 and len(meta["version"]) == 12
    assert meta["states_since"] <= meta["built_at"][:10] < (meta["current_until"] or "9999")
    assert meta["schema_version"] == "1"
    counts = json.loads(meta["counts"])
    conn = sqlite3.connect(database)
    for table, n in counts.items():
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == n
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "idx_ai_models_release_date_id" in indexes and "idx_ai_models_developer_id" in indexes
    fts = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE '%_fts'")}
    assert {"ai_models_fts", "companies_fts", "events_fts", "policies_fts"} <= fts
    fks = conn.execute("SELECT * FROM pragma_foreign_key_list('ai_models')").fetchall()
    assert any(row[2] == "companies" and row[3] == "developer" for row in fks)


def test_build_is_repeatable_and_ensure_skips_fresh_database(small_corpus: tuple[Path, Path], tmp_path: Path) -> None:
    fixtures, seeds = small_corpus
    db = tmp_path / "x.db"
    assert ensure_database(fixtures, seeds, db) is True
    first = read_meta(db)["content_hash"]
    assert ensure_database(fixtures, seeds, db) is False
    (fixtures / "companies" / "zz-more.yaml").write_text(GOOD_COMPANY.replace("zz-test-lab", "zz-more").replace("ZZ Test Lab", "ZZ More"))
    assert ensure_database(fixtures, seeds, db) is True, "a changed fixture makes the database stale"
    assert read_meta(db)["content_hash"] != first


def test_version_changes_only_when_a_served_state_does() -> None:
    """Bodies without as_of show the build day's states: builds between two changes are the same data, across one not."""
    changes = {"2025-01-13", "2025-05-13", "2027-01-01"}
    december, january = state_window("f" * 64, changes, "2026-12-01"), state_window("f" * 64, changes, "2026-12-31")
    assert december == january and december["current_until"] == "2027-01-01" and december["states_since"] == "2025-05-13"
    after = state_window("f" * 64, changes, "2027-01-01")
    assert after["version"] != december["version"] and after["current_until"] == ""
    assert state_window("e" * 64, changes, "2026-12-01")["version"] != december["version"]


def test_ensure_rebuilds_once_a_scheduled_change_is_due(small_corpus: tuple[Path, Path], tmp_path: Path) -> None:
    fixtures, seeds = small_corpus
    db = tmp_path / "x.db"
    assert ensure_database(fixtures, seeds, db) is True
    for until, rebuilds in (("2999-01-01", False), ("2000-01-01", True)):
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'current_until'", (until,))
        conn.close()
        assert ensure_database(fixtures, seeds, db) is rebuilds, until
    assert read_meta(db)["current_until"] != "2000-01-01"


def test_corrupt_database_is_rebuilt_by_ensure(small_corpus: tuple[Path, Path], tmp_path: Path) -> None:
    fixtures, seeds = small_corpus
    db = tmp_path / "x.db"
    db.write_bytes(b"this is not sqlite" * 100)
    assert ensure_database(fixtures, seeds, db) is True
    assert read_meta(db)["content_hash"]


def test_validate_counts_real_fixtures() -> None:
    report = validate(PROJECT_ROOT / "fixtures", PROJECT_ROOT / "seeds")
    assert report.counts["sources"] >= 1 and sum(report.counts.values()) == len(report.records)


@pytest.mark.parametrize(
    ("a", "b", "before"),
    [("2024", "2025", True), ("2025", "2025-01-20", False), ("2025-01-19", "2025-01-20", True), ("2025-02", "2025-01-31", False)],
)
def test_definitely_before_respects_precision(a: str, b: str, before: bool) -> None:
    assert definitely_before(a, b) is before


def test_quote_normalisation_folds_only_whitespace_and_quote_style() -> None:
    assert normalise_text("DeepSeek’s  R1\nmodel “quoted”") == 'DeepSeek\'s R1 model "quoted"'
    assert normalise_text("R1") != normalise_text("r1")


def test_service_keeps_the_previous_database_when_fixtures_break(small_corpus: tuple[Path, Path], live_db: Path) -> None:
    fixtures, seeds = small_corpus
    before = sha256(live_db)
    (fixtures / "companies").mkdir(exist_ok=True)
    (fixtures / "companies" / "zz-broken.yaml").write_text("- id: zz-broken\n  name: [unclosed\n")
    app = create_app({"DATABASE": live_db, "FIXTURES": fixtures, "SEEDS": seeds})
    assert app.test_client().get(f"/v1/sources/{FOUNDING_SOURCE}").status_code == 200
    assert sha256(live_db) == before


def test_service_without_any_database_refuses_broken_fixtures(small_corpus: tuple[Path, Path], tmp_path: Path) -> None:
    fixtures, seeds = small_corpus
    (fixtures / "companies").mkdir(exist_ok=True)
    (fixtures / "companies" / "zz-broken.yaml").write_text("- id: zz-broken\n  name: [unclosed\n")
    with pytest.raises(BuildFailed):
        create_app({"DATABASE": tmp_path / "none.db", "FIXTURES": fixtures, "SEEDS": seeds})
    assert not (tmp_path / "none.db").exists()
