"""Authentication against a real FHIR server that demands it: a static token, OAuth2 client credentials."""

from __future__ import annotations

import time

import pytest

from kiosk.config import SyncSettings
from kiosk.services.sync_desk import needing_attention, sync_status
from kiosk.sync.drainer import Backoff, Drainer
from kiosk.sync.fhir import FhirServer
from kiosk.sync.records import Venue
from tests.fault_proxy import FaultProxy, operation_outcome
from tests.fhir_server import FhirTestServer
from tests.sync_helpers import assert_exactly_once_in_order, drain_until_settled, serve

STATIC = "venue-token-7f3a"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    server = FhirTestServer(tmp_path_factory.mktemp("fhir-auth"), auth={
        "types": ["bearer", "smart"], "tokens": [STATIC], "clients": {"sentra-krw": "s3cret-krw"}, "token_lifetime": 3})
    yield server.start()
    server.stop()


@pytest.fixture
def guarded_proxy(guarded):
    p = FaultProxy(guarded.port)
    yield p
    p.close()


QUICK = Backoff(0.05, 0.5)


def drainer(station, backoff: Backoff = QUICK, **sync) -> Drainer:
    settings = SyncSettings(server="fhir", timeout_seconds=5, patients="create", **sync)
    return Drainer(station.ctx.db, FhirServer(settings), Venue("KRW", "Stadion", "ST-01"), batch_size=5, backoff=backoff)


def test_static_token(station, clock, guarded):
    served = serve(station, clock, ["REG-0001", "REG-0002"])
    drain_until_settled(drainer(station, url=guarded.url, auth="token", token=STATIC))
    assert_exactly_once_in_order(_authorised(guarded), served)


def test_a_wrong_static_token_needs_attention_and_pauses(station, clock, guarded):
    serve(station, clock, ["REG-0001"])
    d = drainer(station, url=guarded.url, auth="token", token="stolen-laptop", backoff=Backoff(5, 50))
    report = d.drain()
    assert report.sent == 0 and report.needs_attention == 1 and report.paused_for > 0
    [item] = needing_attention(station.ctx.db)
    assert "refused our credentials (HTTP 401)" in item.error and "check the sync.auth settings" in item.error
    assert sync_status(station.ctx.db).backlog == 2  # the rest wait; they were not tried against a known-bad token


@pytest.mark.parametrize("method", ["client_secret_post", "client_secret_basic"])
def test_oauth2_tokens_are_fetched_refreshed_and_renewed_after_a_401(station, clock, guarded, guarded_proxy, method):
    served = serve(station, clock, ["REG-0001", "REG-0002", "REG-0003"])
    rejected_once = []

    def rule(request):
        if request.method == "POST" and request.path.endswith("/fhir") and not rejected_once:
            rejected_once.append(request.headers.get("authorization"))
            return operation_outcome(401, "Access token expired")  # as if the server restarted and forgot it
        return "forward"

    guarded_proxy.rule = rule
    d = drainer(station, url=guarded_proxy.url(), auth="oauth2", token_url=guarded_proxy.url("/auth/token"),
                client_id="sentra-krw", client_secret="s3cret-krw", client_auth=method)
    while d.drain(max_batches=1).sent == 0:  # the imported registrations stay local: no request for them
        pass
    time.sleep(3.1)  # the token's lifetime: the next batch must fetch a new one before sending
    drain_until_settled(d)
    assert_exactly_once_in_order(_authorised(guarded), served)
    token_requests = [r for r, _ in guarded_proxy.seen if r.path == "/auth/token"]
    assert len(token_requests) == 3  # first token, a fresh one after the 401, one after expiry
    if method == "client_secret_basic":
        assert all(r.headers["authorization"].startswith("Basic ") and b"s3cret" not in r.body for r in token_requests)
    else:  # the secret in the form body, no Basic header
        assert all("authorization" not in r.headers and b"client_secret=s3cret-krw" in r.body for r in token_requests)
    assert needing_attention(station.ctx.db) == []


def test_oauth2_wrong_secret_says_which_settings_to_check(station, clock, guarded):
    serve(station, clock, ["REG-0001"])
    d = drainer(station, url=guarded.url, auth="oauth2", token_url=guarded.url.replace("/fhir", "/auth/token"),
                client_id="sentra-krw", client_secret="wrong", backoff=Backoff(5, 50))  # a pause that outlasts two token requests
    report = d.drain()
    assert report.sent == 0 and report.paused_for > 0
    [item] = needing_attention(station.ctx.db)
    assert "token endpoint refused client (HTTP 401): Invalid client credentials" in item.error
    assert "check sync.client_id, sync.client_secret and sync.client_auth" in item.error


class _authorised:
    """The guarded server, counted with the static token."""

    def __init__(self, server: FhirTestServer) -> None:
        self.server = server

    def count(self, resource_type: str, **params: str) -> int:
        import httpx

        answer = httpx.get(f"{self.server.url}/{resource_type}", params={**params, "_summary": "count"},
                           headers={"Authorization": f"Bearer {STATIC}"}, timeout=30).raise_for_status()
        return int(answer.json()["total"])

    def search(self, resource_type: str, **params: str) -> list[dict]:
        return self.server.search(resource_type, headers={"Authorization": f"Bearer {STATIC}"}, **params)


def test_diagnostics_ask_the_central_server_with_the_station_credentials(guarded):
    from kiosk.config import Settings
    from kiosk.diagnostics import central_reach

    def reach(**sync):
        return central_reach(Settings.model_construct(sync=SyncSettings(server="fhir", timeout_seconds=3, **sync)))

    assert reach(url=guarded.url, auth="token", token=STATIC) == (True, "reachable, credentials accepted")
    ok, what = reach(url=guarded.url, auth="token", token="stolen-laptop")
    assert not ok and "refused our credentials (HTTP 401)" in what
    ok, what = reach(url=guarded.url, auth="oauth2", client_id="sentra-krw", client_secret="wrong",
                     token_url=guarded.url.rsplit("/", 1)[0] + "/auth/token")
    assert not ok and "token endpoint" in what
    ok, what = reach(url="http://127.0.0.1:9/fhir", auth="none")
    assert not ok and what.startswith("not reachable")
