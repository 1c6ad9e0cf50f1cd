"""The transactional outbox: rows for every sync destination, in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlmodel import Session

from kiosk.storage.tables import OutboxRow


def record_event(session: Session, destinations: tuple[str, ...], topic: str, aggregate_id: uuid.UUID,
                 payload: dict[str, Any], now: dt.datetime) -> list[OutboxRow]:
    """Add one pending row per destination; committed (or not) with the change itself."""
    body = json.dumps(payload, sort_keys=True, default=str)
    rows = [
        OutboxRow(destination=d, topic=topic, aggregate_id=aggregate_id, payload_json=body, created_at=now)
        for d in destinations
    ]
    session.add_all(rows)
    return rows


def audit(session: Session, actor: str, action: str, subject_id: uuid.UUID | None, detail: str, now: dt.datetime) -> None:
    """Record who did something that needed a reason."""
    from kiosk.storage.tables import AuditEntry

    session.add(AuditEntry(actor=actor, action=action, subject_id=subject_id, detail=detail, at=now))
