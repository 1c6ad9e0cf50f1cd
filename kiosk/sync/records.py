"""Outbox rows as every adapter sees them: the stored payload, the person as stored now, who sent it."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlmodel import Session

from kiosk.storage.tables import OutboxRow, Registration
from kiosk.sync.port import SyncRecord


@dataclass(frozen=True)
class Venue:
    """Who is sending: goes into every record."""

    code: str
    name: str
    station_id: str


def load_record(session: Session, row: OutboxRow, venue: Venue) -> SyncRecord:
    """An outbox row as the adapters see it: the stored payload plus the person as stored now."""
    person = None
    if row.patient_key:
        found = session.get(Registration, uuid.UUID(row.patient_key))
        if found is not None:
            person = {"id": str(found.id), "nik": found.nik, "name": found.name,
                      "birth_date": found.birth_date.isoformat(), "sex": found.sex, "phone": found.phone}
    return SyncRecord(row_id=str(row.id), record_id=str(row.aggregate_id), seq=row.seq, topic=row.topic,
                      payload=json.loads(row.payload_json), person=person, venue_code=venue.code,
                      venue_name=venue.name, station_id=venue.station_id, created_at=row.created_at)
