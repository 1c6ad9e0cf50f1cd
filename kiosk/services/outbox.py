"""The transactional outbox: rows for every sync destination, in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlmodel import Session, func, select

from kiosk.events import Event, RegistrationCreated
from kiosk.storage.tables import OutboxRow

# What the central server receives: the clinical record of a visit. Registrations, cards, passes and
# no-shows are the station's own bookkeeping and never leave for it (the venue hub gets everything).
CENTRAL_TOPICS = frozenset({"visit.checked_in", "screening.recorded", "vaccination.recorded"})


def record_event(session: Session, destinations: tuple[str, ...], event: Event, aggregate_id: uuid.UUID,
                 now: dt.datetime) -> list[OutboxRow]:
    """Add one pending row per destination that takes ``topic``; committed (or not) with the change itself.

    Rows are numbered in the order they are made (the write transaction holds the database's
    write lock, so the numbers cannot collide) and tagged with the person they concern.
    """
    topic = event.TOPIC
    destinations = tuple(d for d in destinations if d != "central" or topic in CENTRAL_TOPICS)
    if not destinations:
        return []
    body = json.dumps(event.to_payload(), sort_keys=True)
    person = getattr(event, "registration_id", None) or (aggregate_id if isinstance(event, RegistrationCreated) else "")
    last = session.exec(select(func.max(OutboxRow.seq))).one() or 0
    rows = [
        OutboxRow(seq=last + n, destination=d, topic=topic, aggregate_id=aggregate_id, patient_key=str(person),
                  payload_json=body, created_at=now)
        for n, d in enumerate(destinations, start=1)
    ]
    session.add_all(rows)
    return rows


def audit(session: Session, actor: str, action: str, subject_id: uuid.UUID | None, detail: str, now: dt.datetime,
          station: str = "") -> None:
    """Record who did what, as the next link of the audit chain (kiosk.audit)."""
    from kiosk.audit import append

    append(session, station, actor, action, subject_id, detail, now)
