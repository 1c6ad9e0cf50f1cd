"""Screening rules (versioned data), dose intervals and the visit state machine."""

import datetime as dt

import pytest

from kiosk.domain.screening import Outcome, ScreeningAnswers, evaluate, load_rule_set
from kiosk.domain.vaccines import load_products
from kiosk.domain.visit import VisitState, transition
from kiosk.errors import IllegalTransition

RULES = load_rule_set()
TODAY = dt.date(2021, 8, 5)


def screen(dose=1, age=40, **kw):
    vitals = {"temperature_c": 36.6, "systolic": 120, "diastolic": 80}
    answers = kw.pop("answers", {})
    return evaluate(RULES, ScreeningAnswers(**{**vitals, **kw}, answers=answers), dose, age, TODAY)


def test_healthy_attendee_proceeds():
    result = screen()
    assert result.outcome is Outcome.PROCEED and result.reasons == () and result.outcome.label_id == "LANJUT"


def test_fever_postpones():
    result = screen(temperature_c=37.8)
    assert result.outcome is Outcome.POSTPONE and result.recheck_on == TODAY + dt.timedelta(days=1)


def test_high_blood_pressure_asks_for_a_second_reading_then_postpones():
    first = screen(systolic=190, diastolic=100)
    assert first.needs_bp_recheck and first.outcome is Outcome.POSTPONE
    assert screen(systolic=190, diastolic=100, recheck_systolic=170, recheck_diastolic=100).outcome is Outcome.PROCEED
    assert screen(systolic=190, diastolic=100, recheck_systolic=185, recheck_diastolic=100).outcome is Outcome.POSTPONE


def test_allergy_refers_on_dose_1_and_stops_dose_2():
    assert screen(dose=1, answers={"severe_allergy_before": True}).outcome is Outcome.REFER
    assert screen(dose=2, answers={"severe_allergy_after_dose1": True}).outcome is Outcome.NOT_GIVEN
    assert screen(dose=2, answers={"severe_allergy_before": True}).outcome is Outcome.PROCEED  # not asked at dose 2


def test_postpone_and_refer_takes_the_more_serious():
    assert screen(answers={"immunosuppressants": True}).outcome is Outcome.REFER


def test_confirmed_covid_postpones_three_months():
    assert screen(answers={"confirmed_covid": True}).recheck_on == TODAY + dt.timedelta(days=90)


def test_frailty_three_yes_from_age_60_means_not_given():
    frail = {"frail_stairs": True, "frail_tired": True, "frail_walk": True}
    assert screen(age=65, answers=frail).outcome is Outcome.NOT_GIVEN
    assert screen(age=65, answers={"frail_stairs": True, "frail_tired": True}).outcome is Outcome.PROCEED
    assert screen(age=50, answers=frail).outcome is Outcome.PROCEED


def test_rule_set_is_versioned_and_frailty_only_asked_from_60():
    assert RULES.version == "KMK-4638-2021"
    assert not any(q.id.startswith("frail") for q in RULES.questions_for(1, 59))
    assert sum(q.id.startswith("frail") for q in RULES.questions_for(1, 60)) == 5


def test_dose_intervals_from_data():
    products = load_products()
    assert products.earliest_next_dose("SINOVAC", TODAY) == dt.date(2021, 9, 2)
    assert products.earliest_next_dose("astrazeneca", TODAY) == TODAY + dt.timedelta(weeks=12)
    assert products.get("SINOVAC").cvx == "511"


def test_visit_moves_forward_and_refuses_shortcuts():
    assert transition(VisitState.CHECKED_IN, VisitState.SCREENED) is VisitState.SCREENED
    with pytest.raises(IllegalTransition, match="record the screening"):
        transition(VisitState.CHECKED_IN, VisitState.VACCINATED)
    with pytest.raises(IllegalTransition, match="has ended"):
        transition(VisitState.POSTPONED, VisitState.SCREENED)
    with pytest.raises(IllegalTransition, match="record the dose first"):
        transition(VisitState.SCREENED, VisitState.CARD_ISSUED)
