"""Staff mode's home: today's numbers, find a visit by scan or search, act on it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label

from kiosk.domain.visit import VisitState
from kiosk.i18n import N_, _, language
from kiosk.services.desk import VisitView
from kiosk.states import OutcomeKind
from screens.card import CardScreen
from screens.dose import DoseScreen
from screens.host import HostedScreen
from screens.messages import CheckedIn, Scanned
from screens.result import outcome_lines
from screens.screening import ScreeningScreen
from screens.walkin import WalkinScreen
from screens.widgets.numbers import DayNumbersPanel


class VenueLine(Label):
    """The venue's numbers on the staff desk; a tap opens the venue screen."""

    def on_click(self) -> None:
        self.screen.action_venue()  # type: ignore[attr-defined]


STATE_LABELS = {VisitState.CHECKED_IN: N_("checked in"), VisitState.SCREENED: N_("screened"), VisitState.VACCINATED: N_("vaccinated"),
                VisitState.CARD_ISSUED: N_("card issued"), VisitState.POSTPONED: N_("postponed"), VisitState.REFERRED: N_("referred"),
                VisitState.NOT_GIVEN: N_("not given"), VisitState.NO_SHOW: N_("no-show")}


DESK_BUTTONS = {"screening": "staff-screening", "vaccination": "staff-dose", "card": "staff-card"}


class StaffScreen(HostedScreen, Screen[None]):
    """Search, check in, and open a visit's screening, dose or card."""

    CSS_PATH = "staff.tcss"
    AUTO_FOCUS = "#staff-search"
    TAKES_SCANS = True
    BINDINGS = [Binding("f5", "refresh", "Refresh", id="staff-refresh"),
                Binding("f9", "lock", "Lock", id="staff-lock"),
                Binding("f4", "walkin", "Walk-in", id="staff-walkin"),
                Binding("f6", "print_queue", "Print queue", id="staff-print-queue-key"),
                Binding("f7", "exchange", "Card exchange", id="staff-exchange-key"),
                Binding("f8", "sync", "Sync", id="staff-sync-key"),
                Binding("f10", "venue", "Venue", id="staff-venue-key"),
                Binding("f11", "hours", "By hour", id="staff-hours-key")]

    def __init__(self) -> None:
        super().__init__()
        self.visits: list[VisitView] = []

    def compose(self) -> ComposeResult:
        """Numbers, search row, visit table, action row."""
        with Vertical(id="staff-main"):
            yield DayNumbersPanel(id="staff-numbers")
            yield Label("", id="staff-sync")
            yield VenueLine("", id="staff-venue")
            with Horizontal(id="staff-search-row"):
                yield Input(placeholder=_("Scan or search: name, NIK, code, queue"), id="staff-search")
                yield Button(_("Check-in"), id="staff-checkin", variant="primary")
                yield Button(_("Exchange"), id="staff-exchange")
                yield Button(_("Sync"), id="staff-sync-button")
            yield Label("", id="staff-message")
            yield DataTable(id="staff-visits", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="staff-actions"):
                yield Button(_("Screening"), id="staff-screening")
                yield Button(_("Dose"), id="staff-dose")
                yield Button(_("Card"), id="staff-card")
                yield Button(_("Walk-in"), id="staff-walkin-button")
                yield Button(_("Print queue"), id="staff-print-queue")
                yield Button(_("Lock"), id="staff-lock-button", variant="error")

    def on_mount(self) -> None:
        """Set up the table columns; offer only the steps this station's desk does."""
        self.query_one(DataTable).add_columns(_("Queue"), _("Name"), "NIK", _("Dose"), _("Time"), _("Status"))
        role = self.kiosk.station.ctx.role
        for desk, button in DESK_BUTTONS.items():
            self.query_one(f"#{button}", Button).disabled = role not in ("all", desk)
        self.query_one(VenueLine).display = bool(self.kiosk.settings.hub.url)
        self.action_refresh()
        self.set_interval(5, self.show_sync)
        if self.kiosk.last_error:  # what went wrong while the desk was locked (the attendee was sent to staff)
            self._say(_("Last error: {error}", error=self.kiosk.last_error), error=True)

    def on_screen_resume(self) -> None:
        """Coming back from a form: show fresh numbers."""
        self.action_refresh()

    def action_refresh(self) -> None:
        """Reload numbers and the visit list (local SQLite reads take milliseconds)."""
        desk = self.kiosk.station.desk
        self.query_one(DayNumbersPanel).show(desk.day_numbers(), station_only=bool(self.kiosk.settings.hub.url))
        self._show(desk.find(self.query_one("#staff-search", Input).value))
        self.show_sync()

    def on_synced(self) -> None:
        """The sender finished a pass: fresh sync numbers."""
        self.show_sync()

    def on_hub_updated(self) -> None:
        """The hub duty finished a step: the venue's numbers, or how many slots this station has left while cut off."""
        self.show_sync()

    def show_sync(self) -> None:
        """One line: what waits for the central server, what needs attention, the last error."""
        ctx = self.kiosk.station.ctx
        status = self.kiosk.station.sync.status()
        if self.kiosk.settings.sync.server == "none":
            text = _("Sync: not configured — {backlog} waiting", backlog=status.backlog)
        else:
            age = status.oldest_age(ctx.clock.now())
            oldest = _(" (oldest {minutes} min)", minutes=int(age.total_seconds() // 60)) if age is not None else ""
            last = f"{ctx.clock.local(status.last_success_at):%H:%M}" if status.last_success_at else "-"
            text = _("Sync: {backlog} waiting{oldest} · {attention} need attention · last success {last}",
                     backlog=status.backlog, oldest=oldest, attention=status.needs_attention, last=last)
            if status.last_error and (status.backlog or status.needs_attention):
                text += f" · {status.last_error[:80]}"
        label = self.query_one("#staff-sync", Label)
        label.update(text)
        label.set_class(bool(status.needs_attention), "error")
        report = self.kiosk.hub_report
        if self.kiosk.settings.hub.url:
            venue = self.query_one(VenueLine)
            venue.update((report.line() if report is not None else _("Reaching the hub…"))
                         + "  [F10]")
            venue.set_class(report is not None and (not report.online or bool(report.conflicts)), "error")

    def _show(self, visits: list[VisitView]) -> None:
        self.visits = visits
        table = self.query_one(DataTable)
        table.clear()
        for v in visits:
            table.add_row(v.queue_number, v.name, v.nik_masked, str(v.dose_number), f"{v.checked_in_at:%H:%M}",
                          _(STATE_LABELS.get(v.state, v.state)), key=str(v.visit_id))

    def on_scanned(self, message: Scanned) -> None:
        """A scanner read a code at the desk: find that person, checking them in if they are not yet."""
        search = self.query_one("#staff-search", Input)
        search.value = message.text
        self.action_refresh()
        self._check_in()

    @on(Input.Changed, "#staff-search")
    def _search(self) -> None:
        self.action_refresh()

    @on(Input.Submitted, "#staff-search")
    @on(Button.Pressed, "#staff-checkin")
    def _check_in(self) -> None:
        text = self.query_one("#staff-search", Input).value.strip()
        if text and not self.visits:
            self.kiosk.check_in(text, self)

    def on_checked_in(self, message: CheckedIn) -> None:
        """Say how the desk check-in went and show the visit."""
        if message.outcome is None:
            self._say(message.error, error=True)
            return
        first, _second = outcome_lines(message.outcome, language())
        self._say(f"{message.outcome.name}: {first}", error=message.outcome.kind != OutcomeKind.ADMITTED)
        self.query_one("#staff-search", Input).value = message.outcome.queue_number if message.outcome.queue_number else ""
        self.action_refresh()

    def _say(self, text: str, error: bool = False) -> None:
        label = self.query_one("#staff-message", Label)
        label.update(text)
        label.set_class(error, "error")

    def selected(self) -> VisitView | None:
        """The visit under the table cursor."""
        table = self.query_one(DataTable)
        if not self.visits or table.cursor_row is None or table.cursor_row >= len(self.visits):
            return None
        return self.visits[table.cursor_row]

    @on(Button.Pressed, "#staff-screening, #staff-dose, #staff-card")
    def _open(self, event: Button.Pressed) -> None:
        visit = self.selected()
        if visit is None:
            self._say(_("Select a visit first"), error=True)
            return
        screen = {"staff-screening": ScreeningScreen, "staff-dose": DoseScreen, "staff-card": CardScreen}[event.button.id or ""]
        self.app.push_screen(screen(visit))

    @on(Button.Pressed, "#staff-walkin-button")
    def action_walkin(self) -> None:
        """Register a walk-in and check them in."""
        self.app.push_screen(WalkinScreen())

    @on(Button.Pressed, "#staff-print-queue")
    def action_print_queue(self) -> None:
        """Waiting and failed slips."""
        from screens.print_queue import PrintQueueScreen

        self.app.push_screen(PrintQueueScreen())

    @on(Button.Pressed, "#staff-exchange")
    def action_exchange(self) -> None:
        """The card-exchange desk."""
        from screens.exchange import ExchangeScreen

        self.app.push_screen(ExchangeScreen())

    @on(Button.Pressed, "#staff-sync-button")
    def action_sync(self) -> None:
        """Sync status and records needing attention."""
        from screens.sync import SyncScreen

        self.app.push_screen(SyncScreen())

    def action_hours(self) -> None:
        """Today hour by hour."""
        from screens.hours import HoursScreen

        self.app.push_screen(HoursScreen())

    def action_venue(self) -> None:
        """The venue's numbers, a line per station, and the conflicts (a venue station only)."""
        if self.kiosk.settings.hub.url:
            from screens.venue import VenueScreen

            self.app.push_screen(VenueScreen())

    @on(Button.Pressed, "#staff-lock-button")
    def action_lock(self) -> None:
        """Back to attendee mode."""
        self.kiosk.lock()
