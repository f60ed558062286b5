"""gunicorn's access log as JSON lines that stay valid JSON whatever the request line holds (quotes, backslashes)."""

from __future__ import annotations

import json
from typing import Any

from gunicorn.glogging import Logger


class JsonAccessLogger(Logger):
    """One JSON object per request: time, client, request line, status, bytes, milliseconds.

    gunicorn's format strings paste raw values into the text, so a backslash or a quote in a request
    line made the line invalid JSON; here every value is encoded by json.
    """

    def access(self, resp: Any, req: Any, environ: dict, request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        line = {"time": atoms["t"], "remote": atoms["h"], "request": atoms["r"], "status": int(atoms["s"]), "bytes": atoms["B"], "ms": atoms["M"]}
        self.access_log.info(json.dumps(line, ensure_ascii=False))
