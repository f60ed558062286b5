"""A client generated from the live /openapi.json (openapi-python-client), used as a user would: .ci/client-smoke runs it."""

from __future__ import annotations

import sys
from urllib.parse import parse_qs, urlsplit

from aifacts_api_client import Client
from aifacts_api_client.api.downloads import get_download
from aifacts_api_client.api.events import list_events, list_events_csv, list_events_ndjson
from aifacts_api_client.api.models import get_model, list_models
from aifacts_api_client.models import Company, PolicyStatus
from aifacts_api_client.types import UNSET, Unset


def main(base: str) -> int:
    client = Client(base_url=base, raise_on_unexpected_status=False)
    item = get_model.sync_detailed(client=client, record_id="deepseek-r1")
    assert item.status_code == 200 and item.parsed.data.id == "deepseek-r1", item
    print("item:", item.parsed.data.id, "developer:", item.parsed.data.developer)

    both = list_models.sync_detailed(client=client, id_in=["gpt-4o", "deepseek-v3"])
    ids = sorted(m.id for m in both.parsed.data)
    assert ids == ["deepseek-v3", "gpt-4o"], ids
    print("id__in with two ids:", ids)

    expanded = list_models.sync_detailed(client=client, id_in=["deepseek-r1"], expand="developer")
    company = expanded.parsed.data[0].developer
    assert isinstance(company, Company) and company.id == "deepseek", company
    print("expanded developer:", type(company).__name__, company.id, company.country)

    seen: list[str] = []
    cursor: str | Unset = UNSET
    while True:
        page = list_events.sync_detailed(client=client, limit=200, cursor=cursor)
        assert page.status_code == 200, page
        seen += [e.id for e in page.parsed.data]
        if not page.parsed.links.next_:
            break
        cursor = parse_qs(urlsplit(page.parsed.links.next_).query)["cursor"][0]
    assert len(seen) == len(set(seen)) == page.parsed.meta.total, (len(seen), page.parsed.meta.total)
    print("events by cursor:", len(seen), "of", page.parsed.meta.total)

    csv = list_events_csv.sync(client=client, export=True, date_gte="2025-01-01")
    rows = csv.splitlines()
    assert rows[0].startswith("id,") and len(rows) > 100, csv[:100]
    print("csv export since 2025:", len(rows) - 1, "rows;", rows[0][:60], "…")
    lines = list_events_ndjson.sync_detailed(client=client, limit=3).content.decode().splitlines()
    assert len(lines) == 3, lines
    database = get_download.sync_detailed(client=client, name="facts.db")
    assert database.status_code == 200 and database.content.startswith(b"SQLite format 3"), database.content[:20]
    print("ndjson:", len(lines), "lines; facts.db:", len(database.content), "bytes")

    assert PolicyStatus("in-force") is PolicyStatus.IN_FORCE  # a vocabulary is one enum type, whatever field uses it
    missing = get_model.sync_detailed(client=client, record_id="no-such-model")
    assert missing.status_code == 404 and missing.parsed.status == 404 and missing.parsed.title == "Not Found", missing
    print("404 problem:", missing.parsed.detail)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
