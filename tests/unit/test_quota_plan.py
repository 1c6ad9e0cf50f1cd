"""QuotaPlan: a stock of doses spread over service days, "not faster"."""

import datetime as dt

import pytest

from kiosk.domain.quota import QuotaPlan

AUG5, AUG9 = dt.date(2021, 8, 5), dt.date(2021, 8, 9)


def test_seed_example_2000_over_5_days_is_400_a_day():
    plan = QuotaPlan(2000, AUG5, AUG9)
    assert list(plan.base_caps().values()) == [400] * 5


def test_uneven_stock_goes_to_earliest_days_and_sums_to_stock():
    caps = QuotaPlan(2003, AUG5, AUG9).base_caps()
    assert list(caps.values()) == [401, 401, 401, 400, 400] and sum(caps.values()) == 2003


def test_overrides_fix_a_day_and_the_rest_share_what_is_left():
    caps = QuotaPlan(2000, AUG5, AUG9, overrides={dt.date(2021, 8, 7): 200}).base_caps()
    assert caps[dt.date(2021, 8, 7)] == 200 and caps[AUG5] == 450 and sum(caps.values()) == 2000


def test_leftover_carries_forward_to_the_next_day_only_when_configured():
    used = {AUG5: 350, dt.date(2021, 8, 6): 400}
    assert QuotaPlan(2000, AUG5, AUG9).cap_for(dt.date(2021, 8, 6), used) == 450
    assert QuotaPlan(2000, AUG5, AUG9).cap_for(dt.date(2021, 8, 7), used) == 450
    assert QuotaPlan(2000, AUG5, AUG9, carry_forward=False).cap_for(dt.date(2021, 8, 6), used) == 400


def test_no_cap_outside_the_period():
    plan = QuotaPlan(2000, AUG5, AUG9)
    assert plan.cap_for(dt.date(2021, 8, 10), {}) == 0
    assert plan.next_service_day(AUG9) is None and plan.next_service_day(AUG5) == dt.date(2021, 8, 6)


def test_walkin_share():
    assert QuotaPlan(2000, AUG5, AUG9, walkin_share=0.2).walkin_slots(400) == 80


@pytest.mark.parametrize("kwargs, message", [
    ({"stock": -1}, "negative"),
    ({"last_day": dt.date(2021, 8, 1)}, "before"),
    ({"walkin_share": 1.5}, "between 0 and 1"),
    ({"overrides": {dt.date(2021, 9, 1): 5}}, "outside"),
    ({"overrides": {AUG5: 2500}}, "more than the stock"),
])
def test_bad_plans_are_refused(kwargs, message):
    values = {"stock": 2000, "first_day": AUG5, "last_day": AUG9, **kwargs}
    with pytest.raises(ValueError, match=message):
        QuotaPlan(**values)
