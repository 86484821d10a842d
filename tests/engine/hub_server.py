"""A tiny Hugging Face Hub on 127.0.0.1, for testing the real huggingface_hub client.

It serves one model repository the way the Hub's HTTP API does as far as the client's download
path needs it: ``/api/models/<repo>/revision/<rev>`` (repo info), ``/api/models/<repo>/tree/<rev>``
(the file list, with LFS sha256 and sizes), and ``HEAD``/``GET /<repo>/resolve/<rev>/<file>``
(metadata headers, then the bytes, honouring ``Range`` so a dropped transfer can resume).

Loopback only; it stops by itself after ``lifetime_s`` even if a test forgets to stop it.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COMMIT = "1234567890abcdef1234567890abcdef12345678"
CHUNK = 16 * 1024


@dataclass
class Behaviour:
    """What the server does to the next transfers of one file (tests change it between runs).

    Attributes:
        drop_after: Close the connection after this many bytes of the first full GET.
        chunk_delay_s: Pause between chunks, so a test can cancel mid-transfer.
        served: Override the bytes sent (a tampered file), keeping the listed size and sha256.
    """

    drop_after: int | None = None
    chunk_delay_s: float = 0.0
    served: bytes | None = None


@dataclass
class HubState:
    repo: str
    files: dict[str, bytes]
    behaviour: dict[str, Behaviour] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)

    def listing(self) -> list[dict[str, Any]]:
        return [
            {
                "type": "file",
                "path": name,
                "size": len(data),
                "oid": hashlib.sha1(data).hexdigest(),
                "lfs": {
                    "oid": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "pointerSize": 134,
                },
            }
            for name, data in self.files.items()
        ]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: HubState  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest shows failures
        pass

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def _serve(self, *, body: bool) -> None:
        state = self.state
        path = self.path.split("?", 1)[0]
        state.requests.append(f"{self.command} {path}")
        repo = re.escape(state.repo)
        if re.fullmatch(rf"/api/models/{repo}/revision/[^/]+", path):
            info = {"id": state.repo, "sha": COMMIT, "siblings": []}
            info["siblings"] = [{"rfilename": n} for n in state.files]
            return self._json(info, body)
        if re.fullmatch(rf"/api/models/{repo}/tree/[^/]+(/.*)?", path):
            return self._json(state.listing(), body)
        match = re.fullmatch(rf"/{repo}/resolve/([^/]+)/(.+)", path)
        if match and match[2] in state.files:
            return self._file(match[2], body)
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.send_header("X-Error-Code", "RepoNotFound")
        self.end_headers()
        return None

    def _json(self, value: Any, body: bool) -> None:
        data = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _file(self, name: str, body: bool) -> None:
        data = self.state.files[name]
        behaviour = self.state.behaviour.get(name, Behaviour())
        sent = behaviour.served if behaviour.served is not None else data
        start = 0
        if (wanted := self.headers.get("Range")) and body:
            self.state.ranges.append(f"{name} {wanted}")
            start = int(re.fullmatch(r"bytes=(\d+)-", wanted)[1])  # type: ignore[index]
        self.send_response(206 if start else 200)
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("X-Linked-Etag", f'"{hashlib.sha256(data).hexdigest()}"')
        self.send_header("X-Linked-Size", str(len(data)))
        self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
        self.send_header("Content-Length", str(len(sent) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(sent) - 1}/{len(sent)}")
        self.end_headers()
        if not body:
            return
        drop = behaviour.drop_after if not start else None
        behaviour.drop_after = None  # only the first transfer is cut
        for at in range(start, len(sent), CHUNK):
            if drop is not None and at >= drop:
                self.close_connection = True
                return
            self.wfile.write(sent[at : at + CHUNK])
            if behaviour.chunk_delay_s:
                time.sleep(behaviour.chunk_delay_s)


class LocalHub:
    """The server, running in a thread until `stop` or ``lifetime_s``, whichever comes first."""

    def __init__(self, state: HubState, lifetime_s: float = 120.0) -> None:
        handler = type("Handler", (_Handler,), {"state": state})
        self.state = state
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._deadline = threading.Timer(lifetime_s, self.stop)
        self._deadline.daemon = True

    def __enter__(self) -> LocalHub:
        self._thread.start()
        self._deadline.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._deadline.cancel()
        if self._thread.is_alive():
            self.server.shutdown()
            self._thread.join(timeout=10)
        self.server.server_close()
