"""HTTP plumbing shared by the adapters: authentication and turning failures into retry decisions."""

from __future__ import annotations

import email.utils
import threading
import time
from typing import Any, Callable

import httpx

from kiosk.config import SyncSettings
from kiosk.sync.port import AuthFailure, PermanentFailure, TransientFailure

MAX_RETRY_AFTER = 86_400.0


class TokenSource:
    """Bearer tokens: none, a static token, or OAuth2 client credentials refreshed before they expire."""

    def __init__(self, settings: SyncSettings, client: httpx.Client, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.client = client
        self.clock = clock
        self._token = ""
        self._expires = 0.0
        self._lock = threading.Lock()

    def header(self) -> dict[str, str]:
        if self.settings.auth == "none":
            return {}
        if self.settings.auth == "token":
            return {"Authorization": f"Bearer {self.settings.token.get_secret_value()}"}
        with self._lock:
            if not self._token or self.clock() >= self._expires:
                self._fetch()
            return {"Authorization": f"Bearer {self._token}"}

    def invalidate(self) -> bool:
        """Forget the token after a 401; True when a fresh one can be asked for."""
        with self._lock:
            self._token, self._expires = "", 0.0
        return self.settings.auth == "oauth2"

    def _fetch(self) -> None:
        s = self.settings
        form = {"grant_type": "client_credentials"}
        if s.scope:
            form["scope"] = s.scope
        try:
            response = self.client.post(s.token_url, data=form, auth=(s.client_id, s.client_secret.get_secret_value()))
        except httpx.HTTPError as exc:
            raise TransientFailure(f"cannot reach the token endpoint {s.token_url}: {_describe(exc)}") from None
        if response.status_code in (400, 401, 403):
            raise AuthFailure(f"the token endpoint refused client {s.client_id!r} (HTTP {response.status_code}): "
                              f"{_oauth_error(response)}; check sync.client_id and sync.client_secret")
        if response.status_code != 200:
            raise TransientFailure(f"token endpoint answered HTTP {response.status_code}", retry_after(response))
        body = _json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise TransientFailure("token endpoint answered without an access_token")
        lifetime = float(body.get("expires_in") or 300)
        self._token = token
        self._expires = self.clock() + max(lifetime - min(30.0, lifetime / 10), 1.0)


class HttpClient:
    """One keep-alive connection pool with auth, a timeout, and failure classification."""

    def __init__(self, settings: SyncSettings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        timeout = httpx.Timeout(settings.timeout_seconds)
        self.client = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False,
                                   headers={"User-Agent": "sentra-kiosk"})
        self.tokens = TokenSource(settings, self.client)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send once (twice after a 401 with a refreshable token); return a 2xx response or raise."""
        for attempt in (1, 2):
            headers = {**kwargs.pop("headers", {}), **self.tokens.header()}
            try:
                response = self.client.request(method, url, headers=headers, **kwargs)
            except httpx.TimeoutException as exc:
                raise TransientFailure(f"no answer from {_host(url)} within {self.settings.timeout_seconds:g} s "
                                       f"({type(exc).__name__})") from None
            except httpx.HTTPError as exc:
                raise TransientFailure(f"cannot reach {_host(url)}: {_describe(exc)}") from None
            kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
            if response.status_code in (401, 403):
                if attempt == 1 and self.tokens.invalidate():
                    continue
                raise AuthFailure(f"the server refused our credentials (HTTP {response.status_code}): "
                                  f"{server_message(response)}; check the sync.auth settings")
            classify(response)
            return response
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.client.close()


def classify(response: httpx.Response) -> None:
    """Raise the failure a non-2xx answer means; return for success."""
    status = response.status_code
    if 200 <= status < 300:
        return
    message = f"HTTP {status}: {server_message(response)}"
    if status == 429 or status >= 500:
        raise TransientFailure(message, retry_after(response), server_wide=True)
    if status in (408, 409, 423, 425):
        raise TransientFailure(message, retry_after(response), server_wide=False)
    raise PermanentFailure(message)


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (a number or an HTTP date), capped at a day."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def server_message(response: httpx.Response) -> str:
    """The server's own words: OperationOutcome diagnostics, a JSON error, or the start of the body."""
    body = _json(response)
    if isinstance(body, dict):
        if body.get("resourceType") == "OperationOutcome":
            texts = [i.get("diagnostics") or i.get("details", {}).get("text") or i.get("code", "")
                     for i in body.get("issue", []) if isinstance(i, dict)]
            if texts:
                return "; ".join(str(t) for t in texts)[:2000]
        for key in ("error_description", "message", "detail", "error"):
            if isinstance(body.get(key), str):
                return body[key][:2000]
    text = response.text.strip().replace("\n", " ")
    return text[:300] or response.reason_phrase or "no details"


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _oauth_error(response: httpx.Response) -> str:
    body = _json(response)
    if isinstance(body, dict):
        return str(body.get("error_description") or body.get("error") or "refused")
    return "refused"


def _describe(exc: httpx.HTTPError) -> str:
    cause = exc.__cause__ or exc.__context__
    text = str(exc) or type(exc).__name__
    if "refused" in text.lower() or (cause and "refused" in str(cause).lower()):
        return "connection refused"
    if "reset" in text.lower() or isinstance(exc, httpx.RemoteProtocolError):
        return f"connection dropped ({text})"
    return text


def _host(url: str) -> str:
    try:
        return httpx.URL(url).netloc.decode()
    except Exception:  # noqa: BLE001 - only for the message
        return url
