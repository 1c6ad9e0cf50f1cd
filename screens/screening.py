"""The screening form: vitals, the rule set's questions, the computed outcome live, override with reason."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from kiosk.domain.screening import Outcome, ScreeningAnswers, age_on, reason_text
from kiosk.errors import KioskError
from kiosk.i18n import _, language
from kiosk.services.desk import VisitView
from screens import forms
from screens.host import HostedScreen


class ScreeningScreen(HostedScreen, Screen[None]):
    """Records one visit's screening under the station's rule set."""

    CSS_PATH = "screening.tcss"
    AUTO_FOCUS = "#screening-temperature"
    BINDINGS = [Binding("escape", "back", "Back", id="screening-back"),
                Binding("ctrl+s", "save", "Save", id="screening-save")]

    def __init__(self, visit: VisitView) -> None:
        super().__init__()
        self.visit = visit

    def on_mount(self) -> None:
        """Whoever unlocked with their own PIN is named in the form already."""
        self.fill_operator("#screening-staff")

    def compose(self) -> ComposeResult:
        """Header, vitals row, questions, outcome, override, buttons."""
        rules = self.kiosk.station.ctx.rules
        today = self.kiosk.station.ctx.clock.today()
        age = age_on(self.visit.birth_date, today)
        v = self.visit
        yield Static(_("{queue}  {name}  ({nik}, {age} y)  dose {dose} — {title}", queue=v.queue_number, name=v.name,
                       nik=v.nik_masked, age=age, dose=v.dose_number, title=rules.title_in(language())), id="screening-title")
        with Horizontal(id="screening-vitals"):
            yield Input(placeholder=_("Temperature °C"), id="screening-temperature", type="number")
            yield Input(placeholder=_("Systolic"), id="screening-systolic", type="integer")
            yield Input(placeholder=_("Diastolic"), id="screening-diastolic", type="integer")
            yield Input(placeholder=_("Systolic again"), id="screening-recheck-systolic", type="integer")
            yield Input(placeholder=_("Diastolic again"), id="screening-recheck-diastolic", type="integer")
        with VerticalScroll(id="screening-questions"):
            for question in rules.questions_for(self.visit.dose_number, age):
                yield Checkbox(question.text(language()), id=f"q-{question.id}",
                               classes="screening-question", compact=True)
        with Vertical(id="screening-decision"):
            yield Static(_("Outcome: (enter temperature and blood pressure)"), id="screening-outcome")
            with Horizontal(classes="screening-row"):
                yield Select([(o.words, o.value) for o in Outcome], prompt=_("Override"), id="screening-override", allow_blank=True)
                yield Input(placeholder=_("Reason"), id="screening-reason")
                yield Input(placeholder=_("Staff"), id="screening-staff")
            yield Label("", id="form-error")
            with Horizontal(id="screening-buttons"):
                yield Button(_("Save"), id="screening-save-button", variant="primary")
                yield Button(_("Back"), id="screening-back-button")

    def answers(self) -> ScreeningAnswers:
        """The form as ScreeningAnswers; FormError names a bad field."""
        recheck_sys = forms.number(self, "#screening-recheck-systolic", _("Systolic again"), optional=True)
        recheck_dia = forms.number(self, "#screening-recheck-diastolic", _("Diastolic again"), optional=True)
        return ScreeningAnswers(
            temperature_c=forms.number(self, "#screening-temperature", _("Temperature")) or 0.0,
            systolic=int(forms.number(self, "#screening-systolic", _("Systolic")) or 0),
            diastolic=int(forms.number(self, "#screening-diastolic", _("Diastolic")) or 0),
            recheck_systolic=int(recheck_sys) if recheck_sys is not None else None,
            recheck_diastolic=int(recheck_dia) if recheck_dia is not None else None,
            answers={c.id.removeprefix("q-"): c.value for c in self.query(".screening-question").results(Checkbox)
                     if c.id},
        )

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _recompute(self) -> None:
        try:
            result = self.kiosk.station.clinic.preview_screening(self.visit.visit_id, self.answers())
        except forms.FormError:
            self.query_one("#screening-outcome", Static).update(_("Outcome: (enter temperature and blood pressure)"))
            return
        reasons = "; ".join(reason_text(self.kiosk.station.ctx.rules, r, language()) for r in result.reasons) or "-"
        hint = "  ⚠ " + _("re-measure the blood pressure in 5-10 minutes") if result.needs_bp_recheck else ""
        self.query_one("#screening-outcome", Static).update(
            _("Outcome: [b]{outcome}[/] — {reasons}", outcome=result.outcome.words, reasons=reasons) + hint)

    @on(Button.Pressed, "#screening-save-button")
    def action_save(self) -> None:
        """Record the screening and go back."""
        select = self.query_one("#screening-override", Select)
        override = Outcome(select.value) if isinstance(select.value, str) else None
        staff = forms.text(self, "#screening-staff") or "staff"
        try:
            self.kiosk.station.clinic.record_screening(self.visit.visit_id, self.answers(), staff, override,
                                                     forms.text(self, "#screening-reason"))
        except (forms.FormError, KioskError) as exc:
            forms.show_error(self, str(exc))
            return
        self.dismiss()

    @on(Button.Pressed, "#screening-back-button")
    def action_back(self) -> None:
        """Leave without saving."""
        self.dismiss()
