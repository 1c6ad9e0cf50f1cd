"""Whatever a camera, a scanner or a keyboard produces, no entry point raises anything but a KioskError.

Generated scans and typed strings (hypothesis) go through every place that takes one: payload
parsing, signature checks, the attendee check-in, the staff search, the card-exchange lookup and
`kiosk card verify`. The suite runs ``SENTRA_FUZZ_EXAMPLES`` (default 400) per entry point; the
long run in the README sets it to 1,000,000.
"""

from __future__ import annotations

import contextlib
import io
import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kiosk.credentials import verify
from kiosk.errors import KioskError
from kiosk.identity import parse_payload

EXAMPLES = int(os.environ.get("SENTRA_FUZZ_EXAMPLES", "400"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])

# Pieces of real payloads and of what broke before: lookalike digits, lone surrogates, LIKE
# wildcards, printer control bytes, URLs, card and pass shapes.
FRAGMENTS = ["SC1/", "SC1/C/", "SC1/P/", "KRW/", "DEMO/", "/", "20210805", "2021080", "1", "0", "²", "①", "٣",
             "\ud800", "\udfff", "%", "_", "\\", "REG-", "REG-0001", "3215", "3215110310804423", "8101",
             "http://x/r?code=", "https://", "www.", "\x00", "\x1b@", "\x1dV", " ", "\n", "-", ".", "Ω", "🙂",
             "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]
pieces = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=12).map("".join)
long_text = st.integers(0, 70_000).map(lambda n: "x" * n) | st.integers(0, 70_000).map(lambda n: "%_" * (n // 2))
scans = st.one_of(st.text(), pieces, long_text, st.text(st.characters(exclude_categories=())))
raw_scans = scans | st.binary()

# What broke before, always tried: a lookalike digit in a card's dose field, a lone surrogate,
# text too long for a LIKE pattern, a NIK whose birth-day field is 81-99.
KNOWN = ["SC1/C///00000000/²/", "SC1/C/KRW/AB/20210805/①/SIG", "\ud800", "x" * 50_001, "3215118103804423"]


def known(test):
    for text in KNOWN:
        test = example(text)(test)
    return test


@pytest.fixture
def monkeypatch_config(station, monkeypatch):
    """A config file for the same venue as ``station`` (same data folder, same key), in KIOSK_CONFIG."""
    from tests.unit.test_config import station_config

    path = station.settings.data_dir / "kiosk.toml"
    path.write_text(station_config(str(station.settings.data_dir)), encoding="utf-8")
    monkeypatch.setenv("KIOSK_CONFIG", str(path))


@FUZZ
@known
@given(raw_scans)
def test_parsing_and_verifying_never_raise(station, raw):
    verdict, _ = verify(station.ctx.keys, raw)
    assert parse_payload(raw) is not None and verdict is not None


@FUZZ
@known
@given(raw_scans)
def test_attendee_check_in_never_raises(station, raw):
    outcome = station.checkin.check_in(raw)
    assert outcome.kind


@FUZZ
@known
@given(scans)
def test_staff_search_never_raises(station, text):
    assert isinstance(station.desk.find(text), list)


@FUZZ
@known
@given(scans)
def test_exchange_lookup_refuses_with_a_reason_or_finds(station, text):
    with contextlib.suppress(KioskError):
        station.exchange.look_up(text)


@FUZZ
@known
@given(scans.filter(lambda s: not s.startswith("-")))
def test_kiosk_card_verify_prints_a_verdict(station, monkeypatch_config, text):
    from kiosk.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["card", "verify", text])
    assert code in (0, 1) and out.getvalue().strip()
