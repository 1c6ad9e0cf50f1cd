"""Signed cards and passes: valid, forged, unknown venue; the key file."""

import datetime as dt
import stat

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.credentials import VenueKeys, Verdict, load_or_create_venue_key, public_key_text, sign_card, sign_pass, verify
from kiosk.identity import parse_payload

KEYS = VenueKeys("KRW", Ed25519PrivateKey.generate())


def test_card_verifies_and_carries_no_nik():
    text = sign_card(KEYS, "7F3K9QAB", dt.date(2021, 8, 5), 1)
    verdict, card = verify(KEYS, text)
    assert verdict is Verdict.VALID and card.credential_id == "7F3K9QAB" and card.dose == 1
    assert "3215" not in text and len(text) < 160
    assert set(text) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")  # QR alphanumeric mode


def test_changed_field_is_forged():
    text = sign_card(KEYS, "7F3K9QAB", dt.date(2021, 8, 5), 1)
    assert verify(KEYS, text.replace("/1/", "/2/"))[0] is Verdict.FORGED
    assert verify(KEYS, text[:-3] + ("AAA" if not text.endswith("AAA") else "BBB"))[0] is Verdict.FORGED


def test_signed_by_another_key_is_forged():
    other = VenueKeys("KRW", Ed25519PrivateKey.generate())
    assert verify(KEYS, sign_pass(other, "P1", dt.date(2021, 8, 6)))[0] is Verdict.FORGED


def test_unknown_and_trusted_venues():
    bandung = VenueKeys("BDG", Ed25519PrivateKey.generate())
    text = sign_card(bandung, "ABCD1234", dt.date(2021, 8, 5), 2)
    assert verify(KEYS, text)[0] is Verdict.UNKNOWN_VENUE
    trusting = VenueKeys("KRW", KEYS.private_key, {"BDG": bandung.private_key.public_key()})
    assert verify(trusting, text)[0] is Verdict.VALID


def test_not_a_credential():
    assert verify(KEYS, "REG-0001")[0] is Verdict.MALFORMED
    assert verify(KEYS, b"\x00\xff")[0] is Verdict.MALFORMED


def test_key_is_created_once_private_and_reused(tmp_path):
    path = tmp_path / "keys" / "venue-key.pem"
    first = load_or_create_venue_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public_key_text(load_or_create_venue_key(path)) == public_key_text(first)


def test_pass_parses_back():
    text = sign_pass(KEYS, "ZZ11YY22", dt.date(2021, 8, 6))
    assert parse_payload(text).day == dt.date(2021, 8, 6)
