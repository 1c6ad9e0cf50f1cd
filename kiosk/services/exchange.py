"""The card-exchange desk: a local card in, the national certificate out, the local card withdrawn.

Staff scan the temporary card the station printed. Its signature is checked, the person and the
dose are shown with where the dose record stands on the national server, and once the server
reports a national certificate the local card is marked exchanged (withdrawn), audited. Forged,
unknown-venue, unknown and already-exchanged cards are refused with the reason.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from kiosk.credentials import Verdict, verify
from kiosk.errors import KioskError
from kiosk.i18n import _
from kiosk.identity import SignedCredential, mask_nik, parse_payload
from kiosk.services.context import StationContext
from kiosk.services.outbox import audit
from kiosk.states import CardStatus, OutboxState
from kiosk.storage.tables import Card, OutboxRow, Registration, Vaccination, Visit
from kiosk.sync.port import SyncRecord
from kiosk.sync.records import Venue, load_record


class ExchangeRefused(KioskError):
    """The scanned card cannot be exchanged; ``reason`` is a stable code, the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class CardForExchange:
    """What the exchange desk shows about a scanned local card."""

    card_id: uuid.UUID
    short_id: str
    name: str
    nik_masked: str
    dose_number: int
    product: str
    lot: str
    given_at: dt.datetime  # local time
    record_state: str  # acknowledged | pending | in_flight | needs_attention | missing
    record_error: str
    record_row_id: uuid.UUID | None

    @property
    def on_server(self) -> bool:
        return self.record_state == OutboxState.ACKNOWLEDGED


class ExchangeService:
    """Look up, and withdraw, local cards at the exchange desk."""

    def __init__(self, ctx: StationContext, venue: Venue) -> None:
        self.ctx = ctx
        self.venue = venue

    def look_up(self, scanned: str) -> CardForExchange:
        """The card behind a scanned slip, or ``ExchangeRefused`` saying why it cannot be exchanged."""
        credential = parse_payload(scanned)
        if not isinstance(credential, SignedCredential) or credential.kind != "card":
            raise ExchangeRefused("not_a_card", _("Not a local vaccination card"))
        verdict, _credential = verify(self.ctx.keys, credential)
        if verdict is Verdict.UNKNOWN_VENUE:
            raise ExchangeRefused("unknown_venue", _("Card from another venue ({venue}): exchange it there", venue=credential.venue))
        if verdict is not Verdict.VALID:
            raise ExchangeRefused("forged", _("Signature invalid: forged card"))
        with self.ctx.db.read() as session:
            card = session.exec(select(Card).where(col(Card.short_id) == credential.credential_id)).first()
            if card is None:
                raise ExchangeRefused("unknown_card", _("Card {card} is not recorded at this venue's stations",
                                                        card=credential.credential_id))
            if card.status == CardStatus.EXCHANGED:
                when = self.ctx.clock.local(card.exchanged_at) if card.exchanged_at else None
                raise ExchangeRefused("already_exchanged", _("Already exchanged {when:%d-%m-%Y %H:%M} by {who} for {certificate}",
                                                             when=when, who=card.exchanged_by, certificate=card.certificate_id)
                                      if when else _("Already exchanged"))
            return self._view(session, card)

    def certificate_record(self, view: CardForExchange) -> SyncRecord | None:
        """The dose record to ask the national server about (None until it was acknowledged)."""
        if view.record_row_id is None or not view.on_server:
            return None
        with self.ctx.db.read() as session:
            row = session.get(OutboxRow, view.record_row_id)
            return load_record(session, row, self.venue) if row is not None else None

    def exchange(self, card_id: uuid.UUID, staff: str, certificate_id: str) -> Card:
        """Withdraw the local card against the national certificate; audited."""
        if not certificate_id.strip():
            raise KioskError(_("no national certificate yet: the local card stays valid"))
        if not staff.strip():
            raise KioskError(_("the name of the staff member exchanging the card is required"))
        now = self.ctx.clock.now()
        with self.ctx.db.write() as session:
            card = session.get(Card, card_id)
            if card is None:
                raise ExchangeRefused("unknown_card", _("no such card"))
            if card.status == CardStatus.EXCHANGED:  # another desk got there first
                raise ExchangeRefused("already_exchanged", _("Already exchanged for {certificate}", certificate=card.certificate_id))
            card.status, card.certificate_id = CardStatus.EXCHANGED, certificate_id.strip()
            card.exchanged_by, card.exchanged_at = staff.strip(), now
            audit(session, staff.strip(), "card.exchanged", card.id, f"{card.short_id} -> {card.certificate_id}", now,
                  self.ctx.station_id)
            return card

    def _view(self, session: Session, card: Card) -> CardForExchange:
        visit = session.get(Visit, card.visit_id)
        dose = session.exec(select(Vaccination).where(col(Vaccination.visit_id) == card.visit_id)).first()
        person = session.get(Registration, visit.registration_id) if visit else None
        if visit is None or dose is None or person is None:
            raise ExchangeRefused("unknown_card", _("Card without a dose record"))
        row = session.exec(select(OutboxRow).where(col(OutboxRow.aggregate_id) == dose.id,
                                                   col(OutboxRow.destination) == "central")).first()
        return CardForExchange(card.id, card.short_id, person.name, mask_nik(person.nik), dose.dose_number, dose.product,
                               dose.lot, self.ctx.clock.local(dose.given_at), row.state if row else "missing",
                               row.last_error if row else "", row.id if row else None)
