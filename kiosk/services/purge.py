"""Removing personal data the station no longer needs: people served long ago whose records were delivered.

A person is purged when every visit they made is before the cut-off (``--before``, and at least
``privacy.retention_days`` ago) and none of their records still waits for the central server
(pending, in flight or needing attention, for the central server or a venue hub). Their name, NIK, birth date and phone are replaced
and the acknowledged outbox rows about them lose their payload; ids, visits, doses, cards, the day
counters and the audit chain (which never held a NIK) stay, so reports and audits still add up.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import exists, update
from sqlmodel import Session, col, select

from kiosk.states import UNSETTLED, OutboxState
from kiosk.storage.tables import OutboxRow, Registration, Visit

PURGED_NAME = "(dihapus / purged)"
PURGED_BIRTH = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class PurgeReport:
    people: int
    records: int
    cutoff: dt.date
    kept_unsent: int  # people old enough but with records still waiting: kept until delivered


def purge(session: Session, before: dt.date, today: dt.date, retention_days: int) -> PurgeReport:
    """Purge in the caller's write transaction (see the module docstring)."""
    cutoff = min(before, today - dt.timedelta(days=retention_days))
    recent = exists().where(col(Visit.registration_id) == col(Registration.id), col(Visit.service_day) >= cutoff)
    served = exists().where(col(Visit.registration_id) == col(Registration.id))
    old = list(session.exec(select(Registration).where(served, ~recent, col(Registration.name) != PURGED_NAME)).all())
    waiting = set(session.exec(select(OutboxRow.patient_key).where(
        col(OutboxRow.state).in_(list(UNSETTLED) + [OutboxState.NEEDS_ATTENTION]),
        col(OutboxRow.patient_key).in_([str(p.id) for p in old]))).all())
    people = [p for p in old if str(p.id) not in waiting]
    records = 0
    for person in people:
        person.name, person.phone, person.birth_date = PURGED_NAME, "", PURGED_BIRTH
        person.nik = "X" + secrets.token_hex(8)[:15]  # unique and meaningless
        records += session.execute(update(OutboxRow).where(
            col(OutboxRow.patient_key) == str(person.id),
            col(OutboxRow.state).in_([OutboxState.ACKNOWLEDGED, OutboxState.SKIPPED])).values(payload_json="{}")).rowcount  # type: ignore[attr-defined]
    return PurgeReport(len(people), records, cutoff, len(old) - len(people))
