"""TEST DOUBLE for the network between a station and the central server: a loopback HTTP proxy
that forwards to the real server and injects the faults a venue's uplink produces.

Faults, chosen per request by ``proxy.rule(request) -> action``:
- ``"forward"``: pass the request and answer through;
- ``("answer", status, headers, body)``: answer without forwarding (503 + Retry-After, 400...);
- ``"lost_ack"``: forward, let the server commit, then reset the client's connection;
- ``("delay", seconds)``: hold the request past the client's timeout, then forward it anyway;
and ``proxy.down()`` / ``proxy.up()`` stop and resume listening (connection refused).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Action = Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    raw: bytes

    def has(self, text: str) -> bool:
        return text.encode() in self.body


class FaultProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.rule: Callable[[Request], Action] = lambda request: "forward"
        self.seen: list[tuple[Request, str]] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._clients: set[socket.socket] = set()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.up()

    def url(self, path: str = "/fhir") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    # ---- listening

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        """Stop listening and drop open connections: new requests get 'connection refused'."""
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() thread; stops listening at once
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        with self._lock:
            for client in list(self._clients):
                _reset(client)
            self._clients.clear()

    def close(self) -> None:
        self.down()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._clients.add(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    # ---- one client connection, many requests (keep-alive)

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        buffer = b""
        try:
            while True:
                request, buffer = _read_request(client, buffer)
                if request is None:
                    return
                action = self.rule(request)
                name = action if isinstance(action, str) else action[0]
                with self._lock:
                    self.seen.append((request, name))
                if isinstance(action, tuple) and action[0] == "answer":
                    _, status, headers, body = action
                    client.sendall(_response(status, headers, body))
                    continue
                if isinstance(action, tuple) and action[0] == "delay":
                    time.sleep(action[1])
                if upstream is None:
                    upstream = socket.create_connection(self.upstream)
                upstream.sendall(request.raw)
                answer = _read_response(upstream)
                if action == "lost_ack":
                    _reset(client)  # the server has committed; the station never hears it
                    return
                client.sendall(answer)
        except OSError:
            return
        finally:
            with self._lock:
                self._clients.discard(client)
            client.close()
            if upstream is not None:
                upstream.close()


def operation_outcome(status: int, text: str, headers: dict[str, str] | None = None) -> tuple[str, int, dict[str, str], bytes]:
    body = json.dumps({"resourceType": "OperationOutcome",
                       "issue": [{"severity": "error", "code": "invalid", "diagnostics": text}]}).encode()
    return ("answer", status, {"Content-Type": "application/fhir+json", **(headers or {})}, body)


def _reset(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass


def _read_until_headers(sock: socket.socket, buffer: bytes) -> tuple[bytes | None, bytes]:
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    return head, rest


def _headers(head: bytes) -> tuple[str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return lines[0], headers


def _read_body(sock: socket.socket, headers: dict[str, str], rest: bytes) -> tuple[bytes, bytes]:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            while b"\r\n" not in rest:
                rest += sock.recv(65536)
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2:
                rest += sock.recv(65536)
            body += rest[:size]
            rest = rest[size + 2:]
            if size == 0:
                return body, rest
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("peer closed mid-body")
        rest += chunk
    return rest[:length], rest[length:]


def _read_request(sock: socket.socket, buffer: bytes) -> tuple[Request | None, bytes]:
    head, rest = _read_until_headers(sock, buffer)
    if head is None:
        return None, b""
    start, headers = _headers(head)
    body, rest = _read_body(sock, headers, rest)
    method, path, _ = start.split(" ", 2)
    raw = head + b"\r\n\r\n" + body
    if headers.get("transfer-encoding", "").lower() == "chunked":  # re-frame with a length for the server
        lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"transfer-encoding")]
        raw = b"\r\n".join(lines) + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    return Request(method, path, headers, body, raw), rest


def _read_response(sock: socket.socket) -> bytes:
    head, rest = _read_until_headers(sock, b"")
    if head is None:
        raise OSError("server closed the connection")
    _, headers = _headers(head)
    body, _ = _read_body(sock, headers, rest)
    if headers.get("transfer-encoding", "").lower() == "chunked":
        lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"transfer-encoding")]
        return b"\r\n".join(lines) + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    return head + b"\r\n\r\n" + body


def _response(status: int, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


_REASONS = {400: "Bad Request", 401: "Unauthorized", 409: "Conflict", 429: "Too Many Requests",
            500: "Internal Server Error", 503: "Service Unavailable"}
