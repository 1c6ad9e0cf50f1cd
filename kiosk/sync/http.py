"""HTTP plumbing shared by the adapters: authentication and turning failures into retry decisions."""

from __future__ import annotations

import email.utils
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import httpx

from kiosk.config import SyncSettings
from kiosk.i18n import _
from kiosk.sync.port import AuthFailure, PermanentFailure, TransientFailure

MAX_RETRY_AFTER = 86_400.0


class TokenSource:
    """Bearer tokens: none, a static token, or OAuth2 client credentials refreshed before they expire.

    The token request itself is Authlib's OAuth2 client (client id and secret in the form body,
    ``client_secret_post``, as the national platform's published clients send them; or HTTP Basic,
    ``client_secret_basic``); this class keeps the token, refreshes it early, and turns the
    endpoint's failures into retry decisions.
    """

    def __init__(self, settings: SyncSettings, client: httpx.Client, clock: Callable[[], float] = time.monotonic,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.client = client
        self.clock = clock
        self._transport = transport
        self._oauth: Any = None
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

    def close(self) -> None:
        if self._oauth is not None:
            self._oauth.close()

    def _client(self) -> Any:
        if self._oauth is None:
            with warnings.catch_warnings():  # Authlib's notice about a future httpx package, not ours to act on
                warnings.simplefilter("ignore")
                from authlib.integrations.httpx_client import OAuth2Client
            s = self.settings
            self._oauth = OAuth2Client(client_id=s.client_id, client_secret=s.client_secret.get_secret_value(),
                                       token_endpoint_auth_method=s.client_auth, scope=s.scope or None,
                                       timeout=httpx.Timeout(s.timeout_seconds), transport=self._transport,
                                       headers={"User-Agent": "sentra-kiosk"},
                                       event_hooks={"response": [_token_endpoint_trouble]})
        return self._oauth

    def _fetch(self) -> None:
        from authlib.integrations.base_client import OAuthError

        s = self.settings
        try:
            token = self._client().fetch_token(s.token_url, grant_type="client_credentials")
        except (TransientFailure, AuthFailure):
            raise
        except httpx.HTTPError as exc:
            raise TransientFailure(_("cannot reach the token endpoint {token_url}: {exc}", token_url=s.token_url, exc=_describe(exc))) from None
        except OAuthError as exc:
            raise AuthFailure(_("the token endpoint refused client {client_id!r}: {value}; check sync.client_id, "
                                "sync.client_secret and sync.client_auth", client_id=s.client_id, value=exc.description or exc.error)) from None
        except ValueError:
            raise TransientFailure(_("the token endpoint answered something that is not a token")) from None
        access = token.get("access_token") if isinstance(token, dict) else None
        if not isinstance(access, str) or not access:
            raise TransientFailure(_("token endpoint answered without an access_token"))
        lifetime = float(token.get("expires_in") or 300)
        self._token = access
        self._expires = self.clock() + max(lifetime - min(30.0, lifetime / 10), 1.0)


def _token_endpoint_trouble(response: httpx.Response) -> None:
    """Before Authlib reads the answer: an endpoint that is down is retried, a refusal is said plainly."""
    if response.status_code in (429,) or response.status_code >= 500:
        raise TransientFailure(_("token endpoint answered HTTP {status_code}", status_code=response.status_code), retry_after(response))
    if response.status_code in (400, 401, 403):
        response.read()
        raise AuthFailure(_("the token endpoint refused client (HTTP {status_code}): {response}; check "
                            "sync.client_id, sync.client_secret and sync.client_auth",
                            status_code=response.status_code, response=_oauth_error(response)))


class HttpClient:
    """One keep-alive connection pool with auth, a timeout, and failure classification."""

    def __init__(self, settings: SyncSettings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        timeout = httpx.Timeout(settings.timeout_seconds)
        self.client = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False,
                                   headers={"User-Agent": "sentra-kiosk"})
        self.tokens = TokenSource(settings, self.client, transport=transport)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send once (twice after a 401 with a refreshable token); return a 2xx response or raise."""
        for attempt in (1, 2):
            headers = {**kwargs.pop("headers", {}), **self.tokens.header()}
            try:
                response = self.client.request(method, url, headers=headers, **kwargs)
            except httpx.TimeoutException as exc:
                raise TransientFailure(_("no answer from {url} within {timeout_seconds:g} s ({kind})",
                                         url=_host(url), timeout_seconds=self.settings.timeout_seconds, kind=type(exc).__name__)) from None
            except httpx.HTTPError as exc:
                raise TransientFailure(_("cannot reach {url}: {exc}", url=_host(url), exc=_describe(exc))) from None
            kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
            if response.status_code in (401, 403):
                if attempt == 1 and self.tokens.invalidate():
                    continue
                raise AuthFailure(_("the server refused our credentials (HTTP {status_code}): {response}; check the "
                                    "sync.auth settings", status_code=response.status_code, response=server_message(response)))
            classify(response)
            return response
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.client.close()
        self.tokens.close()


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
            value = body.get(key)
            if isinstance(value, str):
                return value[:2000]
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
        return _("connection refused")
    if "reset" in text.lower() or isinstance(exc, httpx.RemoteProtocolError):
        return _("connection dropped ({text})", text=text)
    return text


def _host(url: str) -> str:
    try:
        return httpx.URL(url).netloc.decode()
    except Exception:  # noqa: BLE001 - only for the message
        return url
