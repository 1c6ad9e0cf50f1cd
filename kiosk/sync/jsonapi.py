"""A plain JSON adapter: each record POSTed to one endpoint, its id as the idempotency key.

It shows the ``CentralServer`` port is not FHIR-shaped: a regional dashboard or a venue's own
collector can take the records as they are.
"""

from __future__ import annotations

import json
from typing import Any

from kiosk.config import SyncSettings
from kiosk.i18n import _
from kiosk.states import CertificateStatus
from kiosk.sync.http import HttpClient
from kiosk.sync.port import Ack, Certificate, SyncFailure, SyncRecord


def record_document(record: SyncRecord) -> dict[str, Any]:
    """The JSON body for one record."""
    return {
        "id": record.row_id,
        "record_id": record.record_id,
        "sequence": record.seq,
        "topic": record.topic,
        "venue": record.venue_code,
        "station": record.station_id,
        "recorded_at": record.created_at.isoformat(),
        "person": record.person,
        "data": record.event().to_payload(),  # the versioned event, "v" included
    }


class JsonServer:
    """``CentralServer`` that POSTs JSON documents; the server deduplicates on ``Idempotency-Key``."""

    name = "json"

    def __init__(self, settings: SyncSettings, http: HttpClient | None = None) -> None:
        self.url = settings.url.rstrip("/")
        self.http = http or HttpClient(settings)

    def send(self, record: SyncRecord) -> Ack:
        body = json.dumps(record_document(record), sort_keys=True, default=str)
        response = self.http.request("POST", self.url, content=body,
                                     headers={"Content-Type": "application/json", "Idempotency-Key": record.row_id})
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        server_id = answer.get("id") if isinstance(answer, dict) else None
        return Ack(server_ids=(str(server_id),) if server_id else ())

    def certificate(self, record: SyncRecord) -> Certificate:
        try:
            response = self.http.request("GET", f"{self.url}/{record.row_id}")
        except SyncFailure as exc:
            if "HTTP 404" in str(exc):
                return Certificate(CertificateStatus.NOT_YET, detail=_("the server has no record of this dose yet"))
            return Certificate(CertificateStatus.UNREACHABLE, detail=str(exc))
        answer = response.json() if response.content else {}
        certificate_id = answer.get("certificate_id") if isinstance(answer, dict) else None
        if certificate_id:
            return Certificate(CertificateStatus.ISSUED, str(certificate_id))
        return Certificate(CertificateStatus.NOT_YET, detail=_("received, no certificate issued yet"))

    def close(self) -> None:
        self.http.close()
