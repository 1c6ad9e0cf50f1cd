"""The pieces of sync that need no server: bundles from stored rows, backoff, how answers are read."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from sqlmodel import select

from kiosk.config import SyncSettings
from kiosk.storage.tables import OutboxRow
from kiosk.sync.drainer import Backoff, Drainer
from kiosk.sync.fhir import NIK_SYSTEM, build_bundle, utc
from kiosk.sync.http import HttpClient, retry_after
from kiosk.sync.port import AuthFailure, PermanentFailure, SyncRecord, TransientFailure
from kiosk.sync.records import Venue
from tests.sync_helpers import serve


def records(station, clock, codes, fever=frozenset()):
    served = serve(station, clock, codes, set(fever))
    drainer = Drainer(station.ctx.db, server=None, venue=Venue("KRW", "Stadion", "ST-01"))  # type: ignore[arg-type]
    with station.ctx.db.read() as s:
        rows = s.exec(select(OutboxRow).where(OutboxRow.topic != "registration.created").order_by(OutboxRow.seq)).all()
        return served, {row.topic + ("!" if '"outcome": "postpone"' in row.payload_json else ""): drainer._record(s, row)
                        for row in rows}


def test_bundle_is_the_same_bytes_on_every_retry(station, clock):
    _, by_topic = records(station, clock, ["REG-0001"])
    for record in by_topic.values():
        assert json.dumps(build_bundle(record)) == json.dumps(build_bundle(record))


def test_dose_bundle_finds_the_patient_by_nik_and_creates_the_dose_once(station, clock):
    served, by_topic = records(station, clock, ["REG-0001"])
    bundle = build_bundle(by_topic["vaccination.recorded"])
    patient, immunization = bundle["entry"]
    assert bundle["type"] == "transaction"
    assert patient["request"] == {"method": "POST", "url": "Patient",
                                  "ifNoneExist": f"identifier={NIK_SYSTEM}|{served.niks[0]}"}
    dose = immunization["resource"]
    assert immunization["request"]["ifNoneExist"] == f"identifier=urn:ietf:rfc:3986|urn:uuid:{served.doses[0]}"
    assert dose["identifier"] == [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{served.doses[0]}"}]
    assert dose["patient"] == {"reference": patient["fullUrl"]} and dose["status"] == "completed"
    # recorded at 08:02 in Karawang (UTC+7): the original time, in UTC
    assert dose["occurrenceDateTime"] == "2021-08-05T01:02:00.000Z"
    assert (dose["lotNumber"], dose["vaccineCode"]["coding"][0]["code"]) == ("SNV-2107", "511")
    assert dose["protocolApplied"] == [{"doseNumberPositiveInt": 1}]


def test_postponed_screening_is_a_not_done_immunization_tunda(station, clock):
    _, by_topic = records(station, clock, ["REG-0002"], fever={"REG-0002"})
    entries = build_bundle(by_topic["screening.recorded!"])["entry"]
    assert [e["resource"]["resourceType"] for e in entries] == ["Patient", "Observation", "Immunization"]
    observation, not_done = entries[1]["resource"], entries[2]["resource"]
    assert not_done["status"] == "not-done"
    assert not_done["statusReason"]["coding"][0]["code"] == "IS000001"
    assert not_done["statusReason"]["coding"][0]["display"] == "Tunda"
    assert observation["valueCodeableConcept"]["coding"][0]["display"] == "TUNDA"
    temperature = next(c for c in observation["component"] if c["code"]["coding"][0]["code"] == "8310-5")
    assert temperature["valueQuantity"]["value"] == 38.2


def test_local_records_have_no_central_row_and_no_bundle(station, clock):
    served, _ = records(station, clock, ["REG-0001"])
    card = station.clinic.issue_card(served.visits[0])
    with station.ctx.db.read() as s:
        assert s.exec(select(OutboxRow).where(OutboxRow.topic == "card.issued")).all() == []
    record = SyncRecord(str(card.id), str(card.id), 1, "card.issued", {}, {"nik": "x"}, "KRW", "S", "ST-01",
                        card.issued_at)
    assert build_bundle(record) is None  # an old row from before 0003 would be kept local


def test_times_without_a_zone_are_refused():
    assert utc("2021-08-05 01:00:00+00:00") == "2021-08-05T01:00:00.000Z"
    with pytest.raises(PermanentFailure):
        utc("2021-08-05 01:00:00")


def test_backoff_doubles_with_jitter_up_to_the_cap_and_obeys_retry_after():
    backoff = Backoff(base=2, cap=60)
    assert [backoff.delay(n, rng=lambda: 1.0) for n in (1, 2, 3, 6, 40)] == [2, 4, 8, 60, 60]
    assert backoff.delay(3, rng=lambda: 0.0) == 4  # jitter keeps at least half
    assert backoff.delay(9, retry_after=120) == 120


def respond(status, headers=None, body=b""):
    return httpx.Response(status, headers=headers or {}, content=body)


def test_retry_after_in_seconds_or_as_a_date():
    assert retry_after(respond(503, {"Retry-After": "7"})) == 7
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 25 < retry_after(respond(503, {"Retry-After": later})) <= 30
    assert retry_after(respond(503, {"Retry-After": "soon"})) is None


@pytest.mark.parametrize("status, failure, server_wide", [
    (503, TransientFailure, True), (500, TransientFailure, True), (429, TransientFailure, True),
    (409, TransientFailure, False), (400, PermanentFailure, None), (422, PermanentFailure, None),
])
def test_answers_are_sorted_into_retry_or_attention(status, failure, server_wide):
    outcome = json.dumps({"resourceType": "OperationOutcome", "issue": [{"diagnostics": "NIK tidak terdaftar"}]})
    client = HttpClient(SyncSettings(), transport=httpx.MockTransport(lambda request: respond(status, body=outcome.encode())))
    with pytest.raises(failure) as raised:
        client.request("POST", "http://127.0.0.1:9/fhir")
    assert f"HTTP {status}: NIK tidak terdaftar" in str(raised.value)
    if server_wide is not None:
        assert raised.value.server_wide is server_wide


def test_401_fetches_a_new_token_once_then_needs_attention():
    tokens, seen = iter(["t1", "t2", "t3"]), []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return httpx.Response(200, json={"access_token": next(tokens), "expires_in": 3600})
        seen.append(request.headers["Authorization"])
        return httpx.Response(401, json={"resourceType": "OperationOutcome", "issue": [{"diagnostics": "expired"}]})

    settings = SyncSettings(server="fhir", url="http://127.0.0.1:9/fhir", auth="oauth2",
                            token_url="http://127.0.0.1:9/token", client_id="kiosk", client_secret="s")
    client = HttpClient(settings, transport=httpx.MockTransport(handler))
    with pytest.raises(AuthFailure, match="refused our credentials"):
        client.request("POST", settings.url)
    assert seen == ["Bearer t1", "Bearer t2"]


def test_every_bundle_kind_is_valid_fhir_r4b(station, clock):
    """Checked by fhir.resources (pydantic models of the R4B specification), so a shape error needs no server."""
    from fhir.resources.R4B.bundle import Bundle

    _, by_topic = records(station, clock, ["REG-0001", "REG-0002"], fever={"REG-0002"})
    assert set(by_topic) == {"visit.checked_in", "screening.recorded", "screening.recorded!", "vaccination.recorded"}
    for topic, record in by_topic.items():
        bundle = Bundle.model_validate(build_bundle(record))
        kinds = [entry.resource.__resource_type__ for entry in bundle.entry]
        assert kinds[0] == "Patient" and len(kinds) >= 2, (topic, kinds)
