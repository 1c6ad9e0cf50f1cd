"""FHIR R4 adapter in the shape of Indonesia's SATUSEHAT: one transaction Bundle per visit event.

Every bundle finds or creates the Patient by NIK and creates the event's resources with a
conditional create (``ifNoneExist``) on the record's own identifier, minted on the station when
the record was made. A retry after a lost answer therefore finds what the first attempt made
instead of making it again. The bundle is a pure function of the stored record: the same record
always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, TypeVar

from kiosk.config import SyncSettings
from kiosk.events import Event, ScreeningRecorded, VaccinationRecorded, VisitCheckedIn
from kiosk.i18n import _
from kiosk.identity import mask_nik
from kiosk.states import CertificateStatus
from kiosk.sync.http import HttpClient
from kiosk.sync.port import Ack, Certificate, PermanentFailure, SyncFailure, SyncRecord, TransientFailure

NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
RECORD_SYSTEM = "urn:ietf:rfc:3986"  # identifier values are urn:uuid:<the station's record id>
CERTIFICATE_SYSTEM = "https://fhir.kemkes.go.id/id/vaccination-certificate"
IMMUNIZATION_REASON_SYSTEM = "https://terminology.kemkes.go.id/CodeSystem/immunization-reason"
CVX_SYSTEM = "http://hl7.org/fhir/sid/cvx"
COVID_UNSPECIFIED_CVX = "213"  # SARS-COV-2 (COVID-19) vaccine, unspecified formulation
LOINC_SYSTEM = "http://loinc.org"
SCREENING_QUESTION_SYSTEM = "https://sentra.example/fhir/CodeSystem/screening-question"
SCREENING_OUTCOME_SYSTEM = "https://sentra.example/fhir/CodeSystem/screening-outcome"

# Screening outcomes that end a visit without a dose, as SATUSEHAT's statusReason codes.
NOT_DONE = {
    "postpone": ("IS000001", "Tunda"),
    "refer": ("IS000001", "Tunda"),  # referred to hospital: postponed until it clears them
    "not_given": ("IS000002", "Tidak Diberikan"),
}


def build_bundle(record: SyncRecord, patient: str | None = None) -> dict[str, Any] | None:
    """The transaction Bundle for one record, or None when the topic has no FHIR counterpart.

    ``patient`` is the server's own reference (``Patient/123``) when it was looked up by NIK; without
    it the bundle finds or creates the Patient itself (conditional create on the NIK).
    """
    resources = _RESOURCES.get(record.topic)
    if resources is None:
        return None
    if not record.person:
        raise PermanentFailure(_("record {record_id} names no person the station knows", record_id=record.record_id))
    if patient is not None:
        entries = resources(record, patient)
    else:
        patient_url = _urn(record.record_id, "patient")
        entries = [_patient_entry(record.person, patient_url)] + resources(record, patient_url)
    for entry in entries:
        entry["resource"] = _prune(entry["resource"])
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def _checked_in(record: SyncRecord, patient_url: str) -> list[dict[str, Any]]:
    p = _event(record, VisitCheckedIn)
    return [_entry("Encounter", record.record_id, {
        "resourceType": "Encounter",
        "identifier": [_identifier(record.record_id)],
        "status": "arrived",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory"},
        "serviceType": {"text": f"COVID-19 vaccination, dose {p.dose_number}"},
        "subject": {"reference": patient_url},
        "period": {"start": utc(p.checked_in_at)},
        "serviceProvider": {"display": record.venue_name},
    })]


def _screened(record: SyncRecord, patient_url: str) -> list[dict[str, Any]]:
    p = _event(record, ScreeningRecorded)
    entries = [_entry("Observation", record.record_id, _screening(record, patient_url))]
    reason = NOT_DONE.get(p.outcome)
    if reason is not None:
        entries.append(_entry("Immunization", record.record_id, _immunization(
            record, patient_url, "not-done", p.screened_at, p.dose_number or 1,
            statusReason={"coding": [{"system": IMMUNIZATION_REASON_SYSTEM, "code": reason[0], "display": reason[1]}],
                          "text": p.reasons or reason[1]},
            vaccineCode={"coding": [{"system": CVX_SYSTEM, "code": COVID_UNSPECIFIED_CVX}], "text": "COVID-19 vaccine"},
        ), suffix="not-done"))
    return entries


def _vaccinated(record: SyncRecord, patient_url: str) -> list[dict[str, Any]]:
    p = _event(record, VaccinationRecorded)
    return [_entry("Immunization", record.record_id, _immunization(
        record, patient_url, "completed", p.given_at, p.dose_number,
        vaccineCode={"coding": [{"system": CVX_SYSTEM, "code": p.cvx or COVID_UNSPECIFIED_CVX}], "text": p.product},
        lotNumber=p.lot, expirationDate=p.expiry.isoformat(),
        site={"text": p.site} if p.site else None,
        performer=[{"actor": {"display": p.vaccinator}}],
    ))]


E = TypeVar("E", bound=Event)


def _event(record: SyncRecord, kind: type[E]) -> E:
    """The record's event as the type its topic promises."""
    event = record.event()
    if not isinstance(event, kind):
        raise PermanentFailure(_("record {record_id} holds a {found}, not a {expected}", record_id=record.record_id, found=type(event).__name__,
                                 expected=kind.__name__))
    return event


def _immunization(record: SyncRecord, patient_url: str, status: str, occurred: Any, dose: int,
                  **fields: Any) -> dict[str, Any]:
    """An Immunization, given or not; ``fields`` are the status-specific parts."""
    return {"resourceType": "Immunization", "identifier": [_identifier(record.record_id)], "status": status,
            "patient": {"reference": patient_url}, "occurrenceDateTime": utc(occurred), "primarySource": True,
            "location": {"display": record.venue_name}, "protocolApplied": [{"doseNumberPositiveInt": dose}], **fields}


_RESOURCES = {"visit.checked_in": _checked_in, "screening.recorded": _screened, "vaccination.recorded": _vaccinated}


def _patient_entry(person: dict[str, Any], full_url: str) -> dict[str, Any]:
    nik = str(person["nik"])
    resource = {
        "resourceType": "Patient",
        "identifier": [{"use": "official", "system": NIK_SYSTEM, "value": nik}],
        "active": True,
        "name": [{"use": "official", "text": str(person["name"])}],
        "gender": {"M": "male", "F": "female"}.get(str(person.get("sex", "")).upper(), "unknown"),
        "birthDate": str(person["birth_date"]),
        "telecom": [{"system": "phone", "value": str(person["phone"]), "use": "mobile"}] if person.get("phone") else None,
    }
    return {"fullUrl": full_url, "resource": resource,
            "request": {"method": "POST", "url": "Patient", "ifNoneExist": f"identifier={NIK_SYSTEM}|{nik}"}}


# Vital signs on the screening form, as LOINC components; the yes/no questions use the rule set's ids.
VITALS = {
    "temperature_c": ("8310-5", "Body temperature", "Cel"),
    "systolic": ("8480-6", "Systolic blood pressure", "mm[Hg]"),
    "diastolic": ("8462-4", "Diastolic blood pressure", "mm[Hg]"),
    "weight_kg": ("29463-7", "Body weight", "kg"),
    "pulse": ("8867-4", "Heart rate", "/min"),
}
RECHECKS = {"recheck_systolic": "8480-6", "recheck_diastolic": "8462-4"}
OUTCOME_WORDS = {"proceed": "LANJUT", "postpone": "TUNDA", "refer": "RUJUK", "not_given": "TIDAK DIBERIKAN"}


def _screening(record: SyncRecord, patient_url: str) -> dict[str, Any]:
    """The screening as one Observation: vitals and answers as components, the outcome as its value."""
    p = _event(record, ScreeningRecorded)
    try:
        measured = json.loads(p.answers_json or "{}")
    except ValueError:
        raise PermanentFailure(_("screening {record_id} has unreadable answers", record_id=record.record_id)) from None
    components: list[dict[str, Any]] = []
    for key, (loinc, display, unit) in VITALS.items():
        if measured.get(key) is not None:
            components.append({"code": {"coding": [{"system": LOINC_SYSTEM, "code": loinc, "display": display}]},
                               "valueQuantity": _quantity(measured[key], unit)})
    for key, loinc in RECHECKS.items():
        if measured.get(key) is not None:
            components.append({"code": {"coding": [{"system": LOINC_SYSTEM, "code": loinc}], "text": f"{key} (second reading)"},
                               "valueQuantity": _quantity(measured[key], "mm[Hg]")})
    for question, yes in sorted((measured.get("answers") or {}).items()):
        components.append({"code": {"coding": [{"system": SCREENING_QUESTION_SYSTEM, "code": str(question)}]},
                           "valueBoolean": bool(yes)})
    outcome = p.outcome
    return {
        "resourceType": "Observation",
        "identifier": [_identifier(record.record_id)],
        "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "survey"}]}],
        "code": {"coding": [{"system": SCREENING_QUESTION_SYSTEM, "code": "screening",
                             "display": f"COVID-19 pre-vaccination screening ({p.rule_set_version})"}]},
        "subject": {"reference": patient_url},
        "effectiveDateTime": utc(p.screened_at),
        "performer": [{"display": p.screened_by}],
        "valueCodeableConcept": {"coding": [{"system": SCREENING_OUTCOME_SYSTEM, "code": outcome,
                                             "display": OUTCOME_WORDS.get(outcome, outcome)}],
                                 "text": p.reasons or OUTCOME_WORDS.get(outcome, outcome)},
        "note": [{"text": f"override: {p.override_reason}"}] if p.override_reason else None,
        "component": components,
    }


def _quantity(value: Any, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}


def _entry(resource_type: str, record_id: str, resource: dict[str, Any], suffix: str = "") -> dict[str, Any]:
    return {"fullUrl": _urn(record_id, resource_type + suffix), "resource": resource,
            "request": {"method": "POST", "url": resource_type,
                        "ifNoneExist": f"identifier={RECORD_SYSTEM}|urn:uuid:{record_id}"}}


def _identifier(record_id: str) -> dict[str, str]:
    return {"system": RECORD_SYSTEM, "value": f"urn:uuid:{record_id}"}


def _urn(record_id: str, what: str) -> str:
    """A bundle-local fullUrl, the same on every retry of the record."""
    return f"urn:uuid:{uuid.uuid5(uuid.UUID(record_id), what)}"


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def utc(value: Any) -> str:
    """A stored instant as FHIR dateTime in UTC: 2021-08-05T01:00:00.000Z."""
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        raise PermanentFailure(_("time {value!r} has no zone; the station stores UTC instants", value=value))
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FhirServer:
    """``CentralServer`` for a FHIR R4 server (SATUSEHAT or any R4 store with transactions)."""

    name = "fhir"

    def __init__(self, settings: SyncSettings, http: HttpClient | None = None) -> None:
        self.base = settings.url.rstrip("/")
        self.http = http or HttpClient(settings)
        self.lookup = settings.patients == "lookup"
        self._patients: dict[str, str] = {}  # NIK -> "Patient/<id>": asked once per person while the sender runs

    def send(self, record: SyncRecord) -> Ack:
        try:
            patient = self._patient(record) if self.lookup and record.topic in _RESOURCES else None
            bundle = build_bundle(record, patient)
        except (KeyError, ValueError, TypeError) as exc:
            raise PermanentFailure(_("record {record_id} ({topic}) is incomplete: {exc!r}",
                                     record_id=record.record_id, topic=record.topic, exc=exc)) from None
        if bundle is None:
            return Ack(skipped=f"{record.topic} stays on the station (no FHIR counterpart)")
        response = self.http.request("POST", self.base, content=json.dumps(bundle, separators=(",", ":")),
                                     headers={"Content-Type": "application/fhir+json", "Accept": "application/fhir+json",
                                              "Prefer": "return=minimal"})
        try:
            body = response.json()
        except ValueError:
            raise TransientFailure(_("the server acknowledged with a body that is not JSON"), server_wide=False) from None
        return Ack(server_ids=_created_ids(body, len(bundle["entry"])))

    def _patient(self, record: SyncRecord) -> str:
        """The server's Patient for the record's NIK; refused (needs attention) when the registry has none."""
        nik = str((record.person or {}).get("nik") or "")
        if not nik:
            raise PermanentFailure(_("record {record_id} names no person the station knows", record_id=record.record_id))
        if nik not in self._patients:
            response = self.http.request("GET", f"{self.base}/Patient", params={"identifier": f"{NIK_SYSTEM}|{nik}"},
                                         headers={"Accept": "application/fhir+json"})
            found = [e["resource"]["id"] for e in (response.json().get("entry") or [])
                     if e.get("resource", {}).get("resourceType") == "Patient"]
            if not found:
                raise PermanentFailure(_("the national registry has no Patient with NIK {nik}: check the NIK with the person "
                                         "(a typo at registration?), correct it, then resend", nik=mask_nik(nik)))
            if len(found) > 1:
                raise PermanentFailure(_("the national registry has {count} Patients with NIK {nik}: ask the registry to merge "
                                         "them, then resend", count=len(found), nik=mask_nik(nik)))
            self._patients[nik] = f"Patient/{found[0]}"
        return self._patients[nik]

    def certificate(self, record: SyncRecord) -> Certificate:
        try:
            response = self.http.request("GET", f"{self.base}/Immunization", params={
                "identifier": f"{RECORD_SYSTEM}|urn:uuid:{record.record_id}"}, headers={"Accept": "application/fhir+json"})
        except SyncFailure as exc:
            return Certificate(CertificateStatus.UNREACHABLE, detail=str(exc))
        found = [e.get("resource", {}) for e in response.json().get("entry", [])
                 if e.get("resource", {}).get("resourceType") == "Immunization"]
        if not found:
            return Certificate(CertificateStatus.NOT_YET, detail="the national server has no record of this dose yet")
        immunization = found[0]
        for identifier in immunization.get("identifier", []):
            if identifier.get("system") == CERTIFICATE_SYSTEM and identifier.get("value"):
                return Certificate(CertificateStatus.ISSUED, identifier["value"])
        return Certificate(CertificateStatus.ISSUED, f"Immunization/{immunization['id']}")

    def close(self) -> None:
        self.http.close()


def _created_ids(body: Any, expected: int) -> tuple[str, ...]:
    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        raise TransientFailure(_("the server acknowledged without a transaction-response Bundle"), server_wide=False)
    entries = body.get("entry") or []
    if len(entries) != expected:
        raise TransientFailure(_("the server answered {count} entries for {expected}", count=len(entries), expected=expected), server_wide=False)
    ids = []
    for entry in entries:
        response = entry.get("response") or {}
        status = str(response.get("status", ""))
        if not status.startswith(("200", "201")):
            raise PermanentFailure(_("the server refused an entry: {status}", status=status))
        location = str(response.get("location", ""))
        parts = location.split("/_history")[0].rstrip("/").split("/")
        ids.append("/".join(parts[-2:]) if len(parts) >= 2 else location)
    return tuple(ids)
