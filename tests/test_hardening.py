"""Findings of the attack review (#10), each pinned: cursor keys, forged cursors, streamed failures, deadlines, odd requests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.accesslog import JsonAccessLogger
from api.app import create_app
from api.config import CURSOR_SECRET_FILE, InsecureConfiguration, load_settings
from api.queries import ListQuery, QueryTimeout, Store
from conftest import session_database
from data import MODEL


def test_no_public_cursor_key(tmp_path: Path) -> None:
    with pytest.raises(InsecureConfiguration):
        load_settings({"DATABASE": tmp_path / "facts.db", "CURSOR_SECRET": "aifacts-cursor-v1"})
    with pytest.raises(InsecureConfiguration):
        load_settings({"DATABASE": tmp_path / "facts.db", "CURSOR_SECRET": "short"})
    first = load_settings({"DATABASE": tmp_path / "facts.db"})["CURSOR_SECRET"]
    again = load_settings({"DATABASE": tmp_path / "facts.db"})["CURSOR_SECRET"]
    assert first == again and len(first) >= 32, "workers of one server share the key generated beside the database"
    assert (tmp_path / CURSOR_SECRET_FILE).stat().st_mode & 0o077 == 0, "the key file is private"


def _signed(app: Flask, after: Any, query: ListQuery) -> str:
    """A cursor signed with the app's own key: what someone holding the key could forge."""
    payload = json.dumps(after, separators=(",", ":")).encode()
    tag = hmac.new(app.config["CURSOR_SECRET"].encode(), query.fingerprint().encode() + b"\0" + payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(tag + payload).rstrip(b"=").decode()


@pytest.mark.parametrize("after", [[{"id": "x"}], [["x"]], [10**30], [True], ["a", "b"], [1.5e400]])
def test_forged_cursor_values_are_a_400(app: Flask, client: FlaskClient, after: Any) -> None:
    cursor = _signed(app, after, ListQuery("ai_models"))
    response = client.get(f"/v1/models?cursor={cursor}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert "cursor" in response.get_json()["errors"]


def test_a_failure_before_the_first_byte_of_an_export_is_a_problem(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    store = app.extensions["aifacts_store"]

    def failing(*_: Any, **__: Any) -> Any:
        raise QueryTimeout("the query ran past its time budget")
        yield  # a generator, like the real scan

    monkeypatch.setattr(store, "scan", failing)
    response = app.test_client().get("/v1/events.csv?export=true")
    assert response.status_code == 503 and response.mimetype == "application/problem+json"


def test_a_failure_after_the_first_byte_cuts_the_transfer_and_is_logged(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = app.extensions["aifacts_store"]
    real_scan = store.scan

    def breaking(query: ListQuery, batch: int = 500) -> Any:
        rows = real_scan(query, batch)
        yield next(rows)
        raise RuntimeError("disk went away")

    monkeypatch.setattr(store, "scan", breaking)
    monkeypatch.setattr("api.routes.collections.EXPORT_BATCH", 1)  # the first record is sent before the failure
    response = app.test_client().get("/v1/events.ndjson?export=true")
    assert response.status_code == 200
    with caplog.at_level(logging.ERROR), pytest.raises(RuntimeError):
        response.get_data()  # the body ends early: the server cannot send its last chunk
    assert "transfer cut short" in caplog.text


def test_one_deadline_for_all_the_queries_of_a_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """The budget is the request's, not each query's: time spent by earlier queries counts against later ones."""
    store = Store(session_database())
    clock = [1000.0]
    monkeypatch.setattr("api.queries.time.monotonic", lambda: clock[0])
    slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT count(*) FROM c"
    with store.snapshot(budget_ms=150):
        store.execute(slow)
        clock[0] += 0.1  # the first query took 100 ms: the second starts with 50 ms left
        store.execute(slow)
        clock[0] += 0.1
        with pytest.raises(QueryTimeout):
            store.execute(slow)  # each took less than the budget; together they spent it
    store.execute(slow)  # a new request has a new budget


def test_refused_encoding_is_not_used(client: FlaskClient) -> None:
    response = client.get("/v1/models?limit=50", headers={"Accept-Encoding": "br;q=0, gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    plain = client.get("/v1/models?limit=50", headers={"Accept-Encoding": "br;q=0"})
    assert "Content-Encoding" not in plain.headers


def test_doubled_slashes_are_not_redirected_to_a_foreign_host(client: FlaskClient) -> None:
    # The raw path as a server passes it (the test client would read "//v1" as a host).
    response = client.get("/", environ_overrides={"PATH_INFO": "//v1//models"}, headers={"Host": "evil.example"})
    assert response.status_code == 404 and "Location" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_if_match_mismatch_is_a_412_problem(client: FlaskClient) -> None:
    response = client.get(f"/v1/models/{MODEL}", headers={"If-Match": '"nope"'})
    assert response.status_code == 412 and response.mimetype == "application/problem+json"
    assert response.headers["Cache-Control"] == "no-store" and "data" not in response.get_json()
    etag = client.get(f"/v1/models/{MODEL}").headers["ETag"]
    assert client.get(f"/v1/models/{MODEL}", headers={"If-Match": etag}).status_code == 200


@pytest.mark.parametrize("value", ["٢٠٢٥", "２０２５", "1_000", "+1", " 1", "1e3"])
def test_numbers_are_ascii_digits(client: FlaskClient, value: str) -> None:
    assert client.get("/v1/models", query_string={"parameters_total": value}).status_code == 400
    assert client.get("/v1/models", query_string={"limit": value}).status_code == 400


@pytest.mark.parametrize("value", ["٢٠٢٥", "２０２５-01", "2025-٠١"])
def test_dates_are_ascii_digits(client: FlaskClient, value: str) -> None:
    assert client.get("/v1/models", query_string={"release_date": value}).status_code == 400


def test_different_bytes_have_different_etags(client: FlaskClient) -> None:
    one = client.get("/v1/models?limit=2&sort=name")
    other = client.get("/v1/models?sort=name&limit=2")
    assert one.get_json()["links"]["self"] != other.get_json()["links"]["self"]
    assert one.headers["ETag"] != other.headers["ETag"]


def test_access_log_lines_are_json_whatever_the_request_line(capsys: pytest.CaptureFixture[str]) -> None:
    class Config:
        accesslog = "-"
        errorlog = "-"
        loglevel = "info"
        syslog = False
        disable_redirect_access_to_syslog = False
        logconfig = logconfig_dict = logconfig_json = None
        capture_output = False
        user = group = umask = 0
        access_log_format = ""
        statsd_host = None

    logger = JsonAccessLogger(Config())  # type: ignore[arg-type]

    class Response:
        status = "200 OK"
        sent = 10
        headers = ()

    environ = {"REQUEST_METHOD": "GET", "RAW_URI": '/v1/models?q=\\"x\\', "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    logger.access(Response(), {}, environ, __import__("datetime").timedelta(milliseconds=3))
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(line)["request"] == 'GET /v1/models?q=\\"x\\ HTTP/1.1'


def test_connect_and_posts_are_405_with_allow(client: FlaskClient) -> None:
    for response in (client.open("/v1/models", method="CONNECT"), client.post("/v1/models", data=b"x" * 100)):
        assert response.status_code == 405 and response.mimetype == "application/problem+json"
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_a_page_cursor_survives_a_new_dataset_by_keyset(tmp_path: Path) -> None:
    """A client paging while the data is swapped under it continues from its keyset in the new build."""
    import shutil

    database = tmp_path / "facts.db"
    shutil.copy(session_database(), database)
    app = create_app({"DATABASE": database, "AUTO_BUILD": False})
    client = app.test_client()
    first = client.get("/v1/models?limit=5").get_json()
    replacement = tmp_path / "replacement.db"
    shutil.copy(session_database(), replacement)
    replacement.replace(database)  # a rollout: a new file under the same name
    second = client.get(first["links"]["next"])
    assert second.status_code == 200
    assert second.get_json()["data"][0]["id"] > first["data"][-1]["id"]


class RecordingSocket:
    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def sendfile(self, *_args: Any, **_kwargs: Any) -> int:
        self.writes.append(b"<file>")
        return 0


def test_a_response_head_goes_out_with_its_body_in_one_write() -> None:
    """A server killed mid-response cuts it before its status line (which nginx retries elsewhere), never after."""
    from api.gunicorn_worker import HeadWithBody

    sock = RecordingSocket()
    wrapped = HeadWithBody(sock)
    wrapped.sendall(b"HTTP/1.1 200 OK\r\n\r\n")
    assert sock.writes == []
    wrapped.sendall(b"{}")
    wrapped.sendall(b"more")
    wrapped.flush()
    assert sock.writes == [b"HTTP/1.1 200 OK\r\n\r\n{}", b"more"]

    no_body = RecordingSocket()  # HEAD, 304: the head alone, when the response closes
    wrapped = HeadWithBody(no_body)
    wrapped.sendall(b"HTTP/1.1 304 Not Modified\r\n\r\n")
    wrapped.flush()
    assert no_body.writes == [b"HTTP/1.1 304 Not Modified\r\n\r\n"]

    file = RecordingSocket()  # sendfile: the head first, then the file
    wrapped = HeadWithBody(file)
    wrapped.sendall(b"HTTP/1.1 200 OK\r\n\r\n")
    wrapped.sendfile(None, offset=0, count=1)
    assert file.writes == [b"HTTP/1.1 200 OK\r\n\r\n", b"<file>"]
