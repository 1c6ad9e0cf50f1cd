"""A fake network receipt printer on 127.0.0.1 — a TEST DOUBLE for the hardware.

It speaks raw ESC/POS over TCP like a printer on port 9100: keeps every byte it is sent as
"paper", answers DLE EOT status queries, and can be told to go paper-out, cover-open,
near-end, silent (never answers status), or to drop the connection part-way through a slip.
"""

from __future__ import annotations

import socket
import threading

# DLE EOT replies (Epson): fixed bits 0x12, plus the bits of the fault.
REPLIES = {
    "ready": {1: 0x12, 2: 0x12, 4: 0x12},
    "near_end": {1: 0x12, 2: 0x12, 4: 0x1E},
    "paper_out": {1: 0x1A, 2: 0x32, 4: 0x72},
    "cover_open": {1: 0x1A, 2: 0x16, 4: 0x12},
}


class FakeNetworkPrinter:
    def __init__(self) -> None:
        self.mode = "ready"  # a key of REPLIES, or "silent"
        self.drop_after: int | None = None  # close the connection after this many slip bytes
        self.paper = bytearray()
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        self._server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        pending = bytearray()
        with conn:
            conn.settimeout(5)
            while not self._stop.is_set():
                try:
                    data = conn.recv(4096)
                except OSError:
                    return
                if not data:
                    return
                pending += data
                if not self._consume(conn, pending):
                    return

    def _consume(self, conn: socket.socket, pending: bytearray) -> bool:
        """Answer status queries, move slip bytes to paper; False when the link is dropped."""
        while pending:
            at = pending.find(b"\x10\x04")
            chunk = bytes(pending if at < 0 else pending[:at])
            if chunk:
                if self.drop_after is not None and len(chunk) > self.drop_after:
                    self.paper += chunk[: self.drop_after]
                    self.drop_after = None
                    return False
                if self.drop_after is not None:
                    self.drop_after -= len(chunk)
                self.paper += chunk
            if at < 0:
                pending.clear()
                return True
            if len(pending) < at + 3:
                del pending[:at]
                return True
            n = pending[at + 2]
            del pending[: at + 3]
            if self.mode != "silent":
                conn.sendall(bytes([REPLIES[self.mode].get(n, 0x12)]))
        return True

    def close(self) -> None:
        self._stop.set()
        self._server.close()
