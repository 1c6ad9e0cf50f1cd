"""Keyboard-wedge scanner bursts vs a person typing, on the timing alone (pure logic)."""

from devices.hid import KeyWedge, Release, Scan, WedgeSettings


def feed(wedge, keys, gap, start=0.0, terminator="enter"):
    """Keys ``gap`` seconds apart; returns every action, expiring held keys when a pause is long."""
    actions, t = [], start
    for char in keys:
        actions += wedge.key(char, char, char, t)
        t += gap
    if terminator:
        actions += wedge.key(terminator, terminator, None, t)
    return actions


def test_a_burst_ending_in_enter_is_a_scan_and_no_key_leaks():
    wedge = KeyWedge()
    assert feed(wedge, "REG-0003", 0.004) == [Scan("REG-0003")]
    assert not wedge.holding


def test_tab_and_a_custom_suffix_end_a_scan_too():
    assert feed(KeyWedge(), "3215016101900001", 0.002, terminator="tab") == [Scan("3215016101900001")]
    wedge = KeyWedge(WedgeSettings(suffix=("#",)))
    assert feed(wedge, "REG-0009#", 0.002, terminator=None) == [Scan("REG-0009")]


def test_a_person_typing_gets_every_key_in_order():
    wedge, released = KeyWedge(), []
    for n, char in enumerate("1234"):
        actions = wedge.key(char, char, char, n * 0.12)
        released += [e for a in actions if isinstance(a, Release) for e in a.events]
        assert wedge.holding  # each key waits at most 30 ms...
        released += [e for a in wedge.expire() for e in a.events]  # ...then goes on when no burst follows
    released += [e for a in wedge.key("enter", "enter", None, 0.6) for e in a.events]
    assert released == ["1", "2", "3", "4", "enter"]


def test_a_scanner_without_a_terminator_is_read_when_it_stops():
    wedge = KeyWedge()
    assert feed(wedge, "SC1/C/KRW/ABCD1234", 0.003, terminator=None) == []
    assert wedge.expire() == [Scan("SC1/C/KRW/ABCD1234")]


def test_two_fast_keys_are_not_a_scan():
    wedge = KeyWedge()
    assert feed(wedge, "ab", 0.01, terminator=None) == []
    assert wedge.expire() == [Release(("a", "b"))]
    assert feed(wedge, "ab", 0.01) == [Release(("a", "b", "enter"))]


def test_a_slow_key_after_a_burst_is_typing_even_if_the_timer_was_late():
    wedge = KeyWedge()
    assert feed(wedge, "xy", 0.005, terminator=None) == []
    assert wedge.key("z", "z", "z", 0.5) == [Release(("x", "y"))]  # the burst was too short: typing
    assert wedge.expire() == [Release(("z",))]


def test_prefix_is_required_and_removed():
    wedge = KeyWedge(WedgeSettings(prefix="]Q"))
    assert feed(wedge, "]QREG-0001", 0.002) == [Scan("REG-0001")]
    assert feed(wedge, "REG-0001", 0.002) == [Release(tuple("REG-0001") + ("enter",))]


def test_function_keys_are_never_held():
    wedge = KeyWedge()
    assert wedge.key("f2", "f2", None, 0.0) == [Release(("f2",))]
