"""HTTP for clients, caches and proxies: formats, export streaming, compression, conditional requests, CORS."""

from __future__ import annotations

import csv
import gzip
import io
import json

import brotli
import pytest
from flask.testing import FlaskClient

from api.routes.params import MAX_LIMIT


def test_csv_page_has_header_and_escapes_commas_quotes_newlines(client: FlaskClient) -> None:
    response = client.get("/v1/models.csv?limit=200&fields=name,description,modalities&sort=id")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["id", "name", "description", "modalities"]
    by_id = {row[0]: row for row in rows[1:]}
    as_json = {m["id"]: m for m in client.get("/v1/models?limit=200&sort=id").get_json()["data"]}
    tricky = [i for i, m in as_json.items() if m["description"] and ("," in m["description"] or '"' in m["description"])]
    assert tricky, "the data has descriptions with commas or quotes"
    for model_id in tricky:
        assert by_id[model_id][2] == as_json[model_id]["description"]
    assert by_id["deepseek-r1"][3] == "; ".join(as_json["deepseek-r1"]["modalities"])
    assert response.headers["X-Total-Count"] == client.get("/v1/models?limit=1").headers["X-Total-Count"]


def test_default_csv_columns_put_precision_after_each_date(client: FlaskClient) -> None:
    header = client.get("/v1/policies.csv?limit=1").get_data(as_text=True).splitlines()[0].split(",")
    assert header[header.index("signed") + 1] == "signed_precision"
    assert "citations" not in header


def test_ndjson_by_accept_header(client: FlaskClient) -> None:
    response = client.get("/v1/events?limit=5", headers={"Accept": "application/x-ndjson"})
    assert response.mimetype == "application/x-ndjson"
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == 5 and all(json.loads(line)["id"] for line in lines)
    assert 'rel="next"' in response.headers["Link"]


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_export_streams_every_record_once(client: FlaskClient, fmt: str) -> None:
    path = "/v1/sources" if fmt == "json" else f"/v1/sources.{fmt}"
    response = client.get(f"{path}?export=true&limit=1")
    assert response.is_streamed
    text = response.get_data(as_text=True)
    total = int(response.headers["X-Total-Count"])
    assert total > MAX_LIMIT, "the export is not capped by the page limit"
    if fmt == "json":
        ids = [r["id"] for r in json.loads(text)["data"]]
    elif fmt == "ndjson":
        ids = [json.loads(line)["id"] for line in text.splitlines()]
    else:
        ids = [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]
    assert len(ids) == len(set(ids)) == total and ids == sorted(ids)


def test_export_honours_filters_sort_and_conditional_get(client: FlaskClient) -> None:
    url = "/v1/events.ndjson?export=1&companies=nvidia&sort=-date"
    first = client.get(url)
    dates = [json.loads(line)["date"] for line in first.get_data(as_text=True).splitlines()]
    assert dates == sorted(dates, reverse=True)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_compressed_export_revalidates(client: FlaskClient, encoding: str) -> None:
    url = "/v1/sources.csv?export=true"
    first = client.get(url, headers={"Accept-Encoding": encoding}, buffered=True)
    assert first.headers["Content-Encoding"] == encoding and first.headers["ETag"].endswith(f':{encoding}"')
    again = client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == first.headers["ETag"]
    plain = client.get(url, headers={"If-None-Match": first.headers["ETag"]}, buffered=True)
    assert plain.status_code == 200, "a compressed ETag does not validate the uncompressed body"


@pytest.mark.parametrize(("encoding", "decode"), [("gzip", gzip.decompress), ("br", brotli.decompress)])
def test_compression_by_accept_encoding(client: FlaskClient, encoding: str, decode: object) -> None:
    plain = client.get("/v1/models?limit=50")
    packed = client.get("/v1/models?limit=50", headers={"Accept-Encoding": encoding})
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert decode(packed.data) == plain.data  # type: ignore[operator]
    assert packed.headers["ETag"] != plain.headers["ETag"], "each representation has its own strong ETag"
    again = client.get("/v1/models?limit=50", headers={"Accept-Encoding": encoding, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_small_bodies_are_not_compressed(client: FlaskClient) -> None:
    response = client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers


def test_last_modified_and_if_modified_since(client: FlaskClient) -> None:
    response = client.get("/v1/models/deepseek-r1")
    assert response.headers["Last-Modified"]
    again = client.get("/v1/models/deepseek-r1", headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert again.status_code == 304


def test_cors_preflight(client: FlaskClient) -> None:
    response = client.options("/v1/models", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert set(response.headers["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_security_headers_and_no_reflection(client: FlaskClient) -> None:
    response = client.get("/v1/models/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status_code == 404
    assert "<script>" not in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    docs = client.get("/docs")
    assert "script-src 'self'" in docs.headers["Content-Security-Policy"]


def test_a_list_as_text_is_its_own_operation(client: FlaskClient) -> None:
    """CSV and NDJSON live at the list's path + .csv / .ndjson; the path decides, whatever Accept says."""
    csv = client.get("/v1/timeline.csv?limit=3", headers={"Accept": "application/json"})
    assert csv.mimetype == "text/csv" and len(csv.get_data(as_text=True).splitlines()) == 4
    assert client.get("/v1/changes.ndjson?limit=2").mimetype == "application/x-ndjson"
    assert client.get("/v1/models?format=csv&limit=1").mimetype == "text/csv", "the deprecated parameter still answers"
    assert client.get("/v1/models.csv?format=json").status_code == 400, "a text operation has no format parameter"
