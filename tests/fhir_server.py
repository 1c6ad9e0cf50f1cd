"""A real FHIR R4 server for the tests: sekmet-fhir (FastAPI + SQLite) on 127.0.0.1, own data folder."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

NIK = "https://fhir.kemkes.go.id/id/nik"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sekmet_command() -> list[str]:
    """The sekmet console script installed beside this interpreter (a dev dependency)."""
    beside = Path(sys.executable).parent / "sekmet"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("sekmet")
    if found is None:
        raise RuntimeError("sekmet-fhir is not installed: run `uv sync` (it is a dev dependency)")
    return [found]


class FhirTestServer:
    """Start with ``start()``; ``url`` is the FHIR base. Counting helpers ask the server itself."""

    def __init__(self, folder: Path, auth: dict[str, Any] | None = None) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/fhir"
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        lines = [f"base_url: {self.url}", f"data_dir: {folder / 'data'}", "log_inbound: false",
                 "simulator:", "  enabled: false"]
        auth = auth or {}
        if auth:
            lines += ["server_auth:", f"  types: [{', '.join(auth['types'])}]",
                      f"  token_lifetime: {auth.get('token_lifetime', 3600)}"]
            if auth.get("tokens"):
                lines += ["  tokens:"] + [f"    - {t}" for t in auth["tokens"]]
            if auth.get("clients"):
                lines += ["  smart_clients:"]
                for client_id, secret in auth["clients"].items():
                    lines += [f"    - client_id: {client_id}", f"      client_secret: {secret}", "      scopes: system/*.*"]
        (folder / "settings.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def start(self, timeout: float = 120.0) -> FhirTestServer:
        """Start the server and wait until it answers ``/metadata`` (bounded, generous for a busy machine)."""
        log = open(self.folder / "server.log", "ab")
        self.process = subprocess.Popen(
            [*sekmet_command(), "serve", "--config", str(self.folder / "settings.yaml"), "--host", "127.0.0.1",
             "--port", str(self.port)], cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:  # a listening server is waited for; its answer may take seconds on a loaded machine
                if httpx.get(f"{self.url}/metadata", timeout=30).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            try:  # not listening yet: wait on the process itself (returns at once if it died)
                self.process.wait(0.1)
            except subprocess.TimeoutExpired:
                continue
            raise RuntimeError(f"sekmet exited: {(self.folder / 'server.log').read_text()[-2000:]}")
        self.stop()
        raise RuntimeError(f"sekmet did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    # ---- asking the server (direct, never through the fault proxy)

    def search(self, resource_type: str, headers: dict[str, str] | None = None, **params: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        url: str | None = f"{self.url}/{resource_type}"
        query: dict[str, str] | None = {**params, "_count": "500"}
        while url:
            bundle = httpx.get(url, params=query, headers=headers or {}, timeout=30).raise_for_status().json()
            found += [e["resource"] for e in bundle.get("entry", []) if e.get("search", {}).get("mode") == "match"]
            url = next((link["url"] for link in bundle.get("link", []) if link["relation"] == "next"), None)
            query = None
        return found

    def count(self, resource_type: str, **params: str) -> int:
        bundle = httpx.get(f"{self.url}/{resource_type}", params={**params, "_summary": "count"}, timeout=30)
        return int(bundle.raise_for_status().json()["total"])
