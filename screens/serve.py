"""`kiosk serve`: the station in a browser (chromium --kiosk under cage), one station at a time.

textual-serve starts a new app process for every page that connects. A station has one camera,
one printer and one database writer, so here a page that connects *takes over*: the app of the
page before is asked to quit (and killed if it has not gone within ``TAKEOVER_S``) before the new
one starts. A reload, a second tab or a browser restarted by systemd is still one station. The
page reloads itself when its app ends (screens/web/app_index.html), so a technician's quit or a
crash brings the station back without anyone pressing a button.

Only loopback addresses are served: the page is the station's own screen, with no login of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import shlex
import sys
from pathlib import Path
from typing import Any

from kiosk.config import Settings
from kiosk.errors import ConfigError
from kiosk.i18n import _

log = logging.getLogger("kiosk.serve")
TAKEOVER_S = 10.0
TAKEN_OVER = 4001  # the websocket close code a page gets when a newer page took the station: it does not reload
TEMPLATES = Path(__file__).parent / "web"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(settings: Settings, args: argparse.Namespace) -> int:
    """Serve the station on ``args.host``:``args.port`` until SIGTERM."""
    try:
        from textual_serve.server import Server  # noqa: F401 - an optional extra
    except ImportError:
        raise ConfigError(_("kiosk serve needs the `serve` extra: uv sync --extra serve (deploy/install.sh installs it)")) from None
    if not _loopback(args.host):
        raise ConfigError(_("kiosk serve --host {host}: only a loopback address (127.0.0.1): the page has no "
                            "login of its own and is the station's screen, not a web site", host=args.host))
    command = [sys.executable, "-m", "kiosk", *(["--config", args.config] if args.config else []), "run"]
    server = _one_station_server(shlex.join(["exec", *command]), args.host, args.port, f"Sentra — {settings.venue.name}")
    log.info("serving station %s on http://%s:%d", settings.station.id, args.host, args.port)
    server.serve()
    return 0


def _one_station_server(command: str, host: str, port: int, title: str) -> Any:
    from aiohttp import web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server, to_int

    class OneStation(Server):  # type: ignore[misc]
        """textual-serve with at most one app: the newest page takes the station over."""

        def __init__(self) -> None:
            super().__init__(command, host=host, port=port, title=title, templates_path=TEMPLATES)
            self._lock = asyncio.Lock()
            self._current: tuple[web.WebSocketResponse, AppService] | None = None
            self._sessions = 0

        def initialize_logging(self) -> None:  # the station's own log (kiosk/logs.py), not Rich on a console
            pass

        async def on_startup(self, app: web.Application) -> None:
            print(_("kiosk serve: the station is on http://{host}:{port}", host=host, port=port), flush=True)

        async def on_shutdown(self, app: web.Application) -> None:
            async with self._lock:
                if self._current is not None:
                    await _end(*self._current)
                    self._current = None

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            websocket = web.WebSocketResponse(heartbeat=15)
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            await websocket.prepare(request)
            async with self._lock:
                if self._current is not None:
                    log.info("a new page takes over the station: ending the app of the page before")
                    await _end(*self._current, code=TAKEN_OVER)
                service = AppService(self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                                     close=websocket.close, download_manager=self.download_manager, debug=False)
                await service.start(width, height)
                self._sessions += 1
                self._current = (websocket, service)
                log.info("session %d: station app started (pid %s)", self._sessions, _pid(service))
                watcher = asyncio.create_task(_close_when_gone(websocket, service))
            try:
                await self._process_messages(websocket, service)
            except ConnectionError:
                log.info("session %d: the page went away", self._sessions)
            except Exception:  # noqa: BLE001 - a broken page must not take the server down
                log.exception("session ended by an error")
            finally:
                watcher.cancel()
                if self._current is not None and self._current[1] is service:
                    async with self._lock:
                        if self._current is not None and self._current[1] is service:
                            await _end(websocket, service)
                            self._current = None
            return websocket

    return OneStation()


async def _close_when_gone(websocket: Any, service: Any) -> None:
    """An app that exits by itself (a crash, kill -9, a technician's quit) closes its page, which then reloads."""
    process = getattr(service, "_process", None)
    if process is None:
        return
    code = await process.wait()
    if not websocket.closed:
        (log.info if code == 0 else log.warning)("station app (pid %s) exited with status %s", process.pid, code)
        await websocket.close()


def _pid(service: Any) -> int | None:
    process = getattr(service, "_process", None)
    return process.pid if process is not None else None


async def _end(websocket: Any, service: Any, code: int = 1000) -> None:
    """Ask the app to quit, wait until its process has gone (killing it after TAKEOVER_S), close the page."""
    process = getattr(service, "_process", None)
    if code == TAKEN_OVER and not websocket.closed:  # first, so the page learns why before its app says "exit"
        await websocket.close(code=code, message=b"taken over by another page")
    try:
        await asyncio.wait_for(service.stop(), TAKEOVER_S)
        if process is not None:
            await asyncio.wait_for(process.wait(), TAKEOVER_S)
    except TimeoutError:
        log.warning("station app (pid %s) did not quit within %g s: killed", _pid(service), TAKEOVER_S)
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()
    log.info("station app (pid %s) ended", _pid(service))
    if not websocket.closed:
        await websocket.close()
