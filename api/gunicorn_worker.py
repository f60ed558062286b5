"""gunicorn's sync worker, sending each response's status line and headers in one write with its first body bytes.

gunicorn writes a response's head, then its body, in two writes. A server killed between them leaves the proxy in
front with a status line it has already passed on and no body: it cannot try another server, and its client gets a
cut response (1 request in ~17,000 when an app server was killed under load through nginx). Sent in one write, a
response is cut before its status line or not at all, and nginx retries the former on the next replica.
"""

from __future__ import annotations

from typing import Any

from gunicorn.http import wsgi
from gunicorn.workers.sync import SyncWorker


class HeadWithBody:
    """A client socket whose first write (a response's head) waits to go out with the next (its body) or the flush."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._held: bytes | None = None
        self._first = True

    def sendall(self, data: bytes) -> None:
        if self._first:
            self._first = False
            self._held = bytes(data)
        elif self._held is not None:
            held, self._held = self._held, None
            self._sock.sendall(held + bytes(data))
        else:
            self._sock.sendall(data)

    def sendfile(self, *args: Any, **kwargs: Any) -> Any:
        self.flush()
        return self._sock.sendfile(*args, **kwargs)

    def flush(self) -> None:
        """Send a head still held (a response without body bytes: HEAD, 304, empty)."""
        held, self._held = self._held, None
        if held:
            self._sock.sendall(held)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class HeadWithBodyResponse(wsgi.Response):  # type: ignore[misc]
    def __init__(self, req: Any, sock: Any, cfg: Any, *args: Any) -> None:
        super().__init__(req, HeadWithBody(sock), cfg, *args)

    def close(self) -> None:
        super().close()
        self.sock.flush()


class HeadWithBodySyncWorker(SyncWorker):  # type: ignore[misc]
    """The sync worker, its responses written by HeadWithBodyResponse."""

    def init_process(self) -> None:
        # What gunicorn.http.wsgi.create builds, in this worker process only.
        wsgi.Response = HeadWithBodyResponse
        super().init_process()
