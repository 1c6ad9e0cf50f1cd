"""sync.patients = "lookup": Patients come from the civil registry, found by NIK, never created by the station.

A fresh FHIR server (sekmet-fhir) plays the national platform with one person already registered;
the fault proxy (a TEST DOUBLE for the network) counts the lookups.
"""

from __future__ import annotations

import httpx
import pytest

from kiosk.config import SyncSettings
from kiosk.services.sync_desk import needing_attention
from kiosk.sync.drainer import Backoff, Drainer
from kiosk.sync.fhir import NIK_SYSTEM, FhirServer
from kiosk.sync.records import Venue
from tests.fault_proxy import FaultProxy
from tests.fhir_server import FhirTestServer
from tests.sync_helpers import drain_until_settled, identifier, serve


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    server = FhirTestServer(tmp_path_factory.mktemp("fhir-registry")).start()
    yield server
    server.stop()


def register(server: FhirTestServer, nik: str, name: str) -> str:
    """The civil registry's Patient (made directly on the server, as the platform's own would be)."""
    patient = {"resourceType": "Patient", "identifier": [{"system": NIK_SYSTEM, "value": nik}],
               "name": [{"text": name}], "gender": "female"}
    return httpx.post(f"{server.url}/Patient", json=patient, timeout=30).raise_for_status().json()["id"]


def test_known_niks_are_referenced_and_an_unknown_one_needs_attention(station, clock, registry):
    proxy = FaultProxy(registry.port)
    try:
        served = serve(station, clock, ["REG-0030", "REG-0031"])
        registered = register(registry, served.niks[0], "Registered Person")
        server = FhirServer(SyncSettings(server="fhir", url=proxy.url(), timeout_seconds=5, patients="lookup"))
        drainer = Drainer(station.ctx.db, server, Venue("KRW", "Stadion", "ST-01"), backoff=Backoff(0.05, 0.5))
        drain_until_settled(drainer)
        lookups = [r for r, _ in proxy.seen if r.method == "GET" and r.path.startswith("/fhir/Patient")]
    finally:
        proxy.close()
    assert len(registry.search("Patient", identifier=f"{NIK_SYSTEM}|{served.niks[0]}")) == 1  # none made by us
    assert registry.search("Patient", identifier=f"{NIK_SYSTEM}|{served.niks[1]}") == []
    [dose] = registry.search("Immunization", identifier=identifier(served.doses[0]))
    assert dose["patient"]["reference"] == f"Patient/{registered}"
    assert len(registry.search("Encounter", subject=f"Patient/{registered}")) == 1
    assert len([r for r in lookups if served.niks[0] in r.path]) == 1  # asked once for three records
    unknown = needing_attention(station.ctx.db)
    assert len(unknown) == 3 and all("national registry has no Patient with NIK 3215" in i.error for i in unknown)
    assert served.niks[1] not in unknown[0].error  # masked in the message
