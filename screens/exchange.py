"""The card-exchange desk: scan the local card, see the person and the national certificate, withdraw it."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from kiosk.errors import KioskError
from kiosk.i18n import N_, _
from kiosk.services.exchange import CardForExchange, ExchangeRefused
from kiosk.states import CertificateStatus, OutboxState
from kiosk.sync.port import Certificate
from screens.host import HostedScreen, in_desk_language
from screens.messages import Scanned

RECORD_STATES = {
    OutboxState.ACKNOWLEDGED: N_("on the national server"),
    OutboxState.PENDING: N_("waiting to be sent"),
    OutboxState.IN_FLIGHT: N_("being sent"),
    OutboxState.NEEDS_ATTENTION: N_("refused by the server, needs attention"),
    "missing": N_("no sync record"),
}




class ExchangeScreen(HostedScreen, Screen[None]):
    """Scan a local card; exchange it once the national server reports the certificate."""

    CSS_PATH = "exchange.tcss"
    AUTO_FOCUS = "#exchange-scan"
    TAKES_SCANS = True
    BINDINGS = [Binding("escape", "back", "Back", id="exchange-back")]

    class LookedUp(Message):
        """What the lookup worker found: the card, the certificate status, or the refusal."""

        def __init__(self, view: CardForExchange | None, certificate: Certificate | None, error: str = "") -> None:
            super().__init__()
            self.view = view
            self.certificate = certificate
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.view: CardForExchange | None = None
        self.certificate: Certificate | None = None

    def on_mount(self) -> None:
        """Whoever unlocked with their own PIN is named in the form already."""
        self.fill_operator("#exchange-staff")

    def compose(self) -> ComposeResult:
        """Scan field, card details, certificate, confirm."""
        yield Static(_("Exchange a local card"), id="exchange-title")
        with Vertical(id="exchange-body"):
            yield Input(placeholder=_("Scan the local card"), id="exchange-scan")
            yield Label("", id="exchange-message")
            yield Static("", id="exchange-card")
            yield Static("", id="exchange-certificate")
            with Horizontal(id="exchange-confirm-row"):
                yield Input(placeholder=_("Staff name"), id="exchange-staff")
                yield Button(_("Exchange & withdraw"), id="exchange-confirm", variant="success",
                             disabled=True)
                yield Button(_("Back"), id="exchange-back-button")

    def on_scanned(self, message: Scanned) -> None:
        """A keyboard-wedge scanner read the card."""
        self.query_one("#exchange-scan", Input).value = message.text
        self._look_up(message.text)

    @on(Input.Submitted, "#exchange-scan")
    def _scanned(self, event: Input.Submitted) -> None:
        self._look_up(event.value)

    def _look_up(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        self._say(_("Checking…"))
        self.query_one("#exchange-confirm", Button).disabled = True
        self.look_up(text)

    @work(thread=True, group="exchange", exclusive=True, exit_on_error=False, description="look up the card")
    @in_desk_language
    def look_up(self, text: str) -> None:
        """Verify and find the card (local), then ask the national server for the certificate (network)."""
        exchange = self.kiosk.station.exchange
        try:
            view = exchange.look_up(text)
        except ExchangeRefused as exc:
            self.post_message(self.LookedUp(None, None, str(exc)))
            return
        record = exchange.certificate_record(view)
        server = self.kiosk.central_server()
        if record is None or server is None:
            detail = _("sync is not configured") if server is None else ""
            self.post_message(self.LookedUp(view, Certificate(CertificateStatus.NOT_YET, detail=detail)))
            return
        self.post_message(self.LookedUp(view, server.certificate(record)))

    @on(LookedUp)
    def _show(self, message: LookedUp) -> None:
        self.view, self.certificate = message.view, message.certificate
        card, cert = self.query_one("#exchange-card", Static), self.query_one("#exchange-certificate", Static)
        if message.view is None:
            card.update("")
            cert.update("")
            self._say(message.error, error=True)
            return
        v = message.view
        card.update(_("{name}   NIK {nik}\nDose {dose}: {product}, lot {lot}, {given:%d-%m-%Y %H:%M}\nCard {card}\nDose record: {state}",
                      name=v.name, nik=v.nik_masked, dose=v.dose_number, product=v.product, lot=v.lot, given=v.given_at,
                      card=v.short_id, state=_(RECORD_STATES.get(v.record_state, v.record_state)))
                    + (f" — {v.record_error}" if v.record_error else ""))
        c = message.certificate
        if c is not None and c.status == CertificateStatus.ISSUED:
            cert.update(_("National certificate: {certificate}", certificate=c.certificate_id))
            self._say(_("Ready to exchange"))
        else:
            reason = {CertificateStatus.UNREACHABLE: _("national server unreachable"),
                      CertificateStatus.NOT_YET: _("not issued yet")}.get(c.status if c else "", "")
            cert.update(_("National certificate: {certificate}", certificate=reason) + (f" ({c.detail})" if c and c.detail else ""))
            self._say(_("The local card stays valid"), error=True)
        self.query_one("#exchange-confirm", Button).disabled = not (c is not None and c.status == CertificateStatus.ISSUED)

    @on(Button.Pressed, "#exchange-confirm")
    def _confirm(self) -> None:
        if self.view is None or self.certificate is None:
            return
        try:
            self.kiosk.station.exchange.exchange(self.view.card_id, self.query_one("#exchange-staff", Input).value,
                                               self.certificate.certificate_id)
        except KioskError as exc:
            self._say(str(exc), error=True)
            return
        self._say(_("Exchanged: card {short_id} withdrawn", short_id=self.view.short_id))
        self.query_one("#exchange-confirm", Button).disabled = True
        scan = self.query_one("#exchange-scan", Input)
        scan.value = ""
        scan.focus()

    def _say(self, text: str, error: bool = False) -> None:
        label = self.query_one("#exchange-message", Label)
        label.update(text)
        label.set_class(error, "error")

    @on(Button.Pressed, "#exchange-back-button")
    def action_back(self) -> None:
        """Back to the staff screen."""
        self.dismiss()
