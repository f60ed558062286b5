"""The docs page in headless Chromium, clicked as a user would: on every GET operation, "Try it out" → Execute,
with what the page fills in by itself, must answer 200 with data. Writes a screenshot of one operation.

Usage: python .ci/docs_check.py http://127.0.0.1:PORT [screenshot.png]   (needs Debian's chromium and PyPI's playwright)
"""

from __future__ import annotations

import json
import sys
import urllib.request

from playwright.sync_api import sync_playwright

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def operations(base: str) -> list[tuple[str, str, str]]:
    with urllib.request.urlopen(base + "/openapi.json") as response:
        spec = json.loads(response.read())
    found = []
    for path, item in spec["paths"].items():
        operation = item.get("get")
        if operation and path not in ("/",) and "{name}" not in path:
            found.append((operation.get("tags", ["default"])[0], operation["operationId"], path))
    return found


def main(base: str, screenshot: str | None) -> int:
    failures = []
    checked = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base + "/docs")
        page.wait_for_selector(".opblock", timeout=60_000)
        for tag, operation_id, path in operations(base):
            block = page.locator(f"#operations-{tag}-{operation_id}")
            block.locator(".opblock-summary").first.click()
            block.locator(".try-out__btn").click()
            block.locator(".execute").click()
            # The table's header row has the same class ("Code"); the answer is the first body row.
            status = block.locator(".live-responses-table tbody .response-col_status").first
            status.wait_for(timeout=30_000)
            code = status.inner_text().strip()
            body = block.locator(".live-responses-table tbody .microlight").first.inner_text()
            checked += 1
            if path == "/v1/sources/{record_id}/history":  # a source never changes: an empty history, by design
                ok = code == "200" and '"data": []' in body
            elif path.endswith((".csv", ".ndjson")):
                ok = code == "200" and len(body.strip().splitlines()) > 1  # a header and rows, or records
            else:
                ok = code == "200" and ('"data": [\n    {' in body or '"data": {' in body or path in ("/v1", "/health", "/v1/downloads"))
            if not ok:
                failures.append(f"{path}: {code} {body[:120]!r}")
            print(f"{'ok  ' if ok else 'FAIL'} {code} {path}", flush=True)
            if screenshot and operation_id == "listModels":
                block.screenshot(path=screenshot)
            block.locator(".opblock-summary").first.click()  # fold it again
        browser.close()
    print(f"docs page: {checked} operations tried out, {len(failures)} failed")
    for failure in failures:
        print("  ", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
