"""A visit's life as a small state machine; illegal moves are refused, never applied.

checked_in -> screened (proceed) -> vaccinated -> card_issued
checked_in -> postponed | referred | not_given     (screening stopped the visit)
checked_in | screened -> no_show                   (day closed without a dose)
"""

from __future__ import annotations

from enum import StrEnum

from kiosk.errors import IllegalTransition
from kiosk.i18n import N_, _


class VisitState(StrEnum):
    """Where a visit stands. The last five end a visit without a dose, except card_issued."""

    CHECKED_IN = "checked_in"
    SCREENED = "screened"
    VACCINATED = "vaccinated"
    CARD_ISSUED = "card_issued"
    POSTPONED = "postponed"
    REFERRED = "referred"
    NOT_GIVEN = "not_given"
    NO_SHOW = "no_show"

    @property
    def holds_slot(self) -> bool:
        """Whether a visit in this state still counts against the day's cap."""
        return self not in _RELEASING


_RELEASING = {VisitState.POSTPONED, VisitState.REFERRED, VisitState.NOT_GIVEN, VisitState.NO_SHOW}

ALLOWED: dict[VisitState, set[VisitState]] = {
    VisitState.CHECKED_IN: {VisitState.SCREENED, VisitState.POSTPONED, VisitState.REFERRED,
                            VisitState.NOT_GIVEN, VisitState.NO_SHOW},
    VisitState.SCREENED: {VisitState.VACCINATED, VisitState.NO_SHOW, VisitState.SCREENED},
    VisitState.VACCINATED: {VisitState.CARD_ISSUED},
    VisitState.CARD_ISSUED: set(),
    VisitState.POSTPONED: set(),
    VisitState.REFERRED: set(),
    VisitState.NOT_GIVEN: set(),
    VisitState.NO_SHOW: set(),
}

_HINTS = {
    VisitState.VACCINATED: N_("record the screening with outcome 'proceed' first"),
    VisitState.CARD_ISSUED: N_("record the dose first"),
    VisitState.SCREENED: N_("screening is done before the dose"),
}


def transition(current: VisitState, target: VisitState) -> VisitState:
    """Return ``target`` if a visit may move there from ``current``; else raise IllegalTransition."""
    if target in ALLOWED[current]:
        return target
    hint = _(_HINTS[target]) if target in _HINTS else ""
    if not ALLOWED[current]:
        hint = _("this visit has ended")
    message = _("a visit that is {current} cannot become {target}", current=current.value.replace("_", " "),
                target=target.value.replace("_", " "))
    raise IllegalTransition(f"{message}: {hint}" if hint else message)
