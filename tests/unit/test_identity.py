"""Payload parsing: what a scan or a typed entry turns into."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.identity import Nik, RegistrationCode, SignedCredential, Unrecognised, mask_nik, parse_payload


def test_registration_code_plain_and_lowercase():
    assert parse_payload("REG-0012") == RegistrationCode("REG-0012")
    assert parse_payload("  reg-0012\n") == RegistrationCode("REG-0012")


def test_registration_code_inside_a_url():
    assert parse_payload("https://daftar.example.id/r/REG-0012") == RegistrationCode("REG-0012")
    assert parse_payload("https://daftar.example.id/checkin?code=reg-0099&x=1") == RegistrationCode("REG-0099")
    assert isinstance(parse_payload("https://example.id/"), Unrecognised)


def test_nik_gives_birth_date_and_sex():
    # The python-stdnum example: female (day 57 = 17 + 40), born 17 August 1945, Jakarta.
    nik = parse_payload("3171015708450001")
    assert nik == Nik("3171015708450001", dt.date(1945, 8, 17), "F")
    assert parse_payload("3171 0117 0845 0001") == Nik("3171011708450001", dt.date(1945, 8, 17), "M")


def test_nik_born_after_2000_is_not_a_century_old():
    nik = parse_payload("3215216807038915")
    assert isinstance(nik, Nik) and nik.birth_date == dt.date(2003, 7, 28)


def test_bad_niks_say_why():
    assert "16 digits" in parse_payload("317101170845").reason
    assert "not a valid NIK" in parse_payload("9971011708450001").reason  # no province 99
    assert "not a valid NIK" in parse_payload("3171013013450001").reason  # month 13


def test_nik_is_masked_outside_staff_views():
    assert mask_nik("3171015708450001") == "3171**********01"


def test_signed_card_and_pass_shapes():
    card = parse_payload("SC1/C/KRW/7F3K9QAB/20210805/1/ABCDEF")
    assert isinstance(card, SignedCredential)
    assert (card.kind, card.venue, card.credential_id, card.day, card.dose) == ("card", "KRW", "7F3K9QAB", dt.date(2021, 8, 5), 1)
    pass_ = parse_payload("sc1/p/KRW/ZZ11/20210806/SIG")
    assert isinstance(pass_, SignedCredential) and pass_.kind == "pass" and pass_.dose is None


def test_damaged_credentials_are_unrecognised():
    for text in ("SC1/C/KRW/ID/20211305/1/SIG", "SC1/X/KRW/ID/20210805/SIG", "SC1/C/KRW/ID/20210805/one/SIG", "SC1//"):
        assert isinstance(parse_payload(text), Unrecognised), text


def test_strange_input():
    assert parse_payload(b"\xff\xfe\x00").reason == "binary data, not text"
    assert parse_payload("").reason == "empty scan"
    assert "too long" in parse_payload("A" * 5000).reason
    assert "control characters" in parse_payload("REG\x1d0001").reason
    assert isinstance(parse_payload("hello world!"), Unrecognised)


@settings(max_examples=400)
@given(st.one_of(st.text(), st.binary()))
def test_parser_never_raises(raw):
    assert isinstance(parse_payload(raw), (RegistrationCode, Nik, SignedCredential, Unrecognised))


@settings(max_examples=200)
@given(st.from_regex(r"SC1/[CP]/[A-Z0-9/]{0,40}", fullmatch=True))
def test_parser_never_raises_on_near_credentials(raw):
    assert isinstance(parse_payload(raw), (SignedCredential, Unrecognised))


def test_a_birth_day_field_of_81_to_99_is_no_nik_although_stdnum_takes_it_modulo_40():
    from stdnum.id import nik as stdnum_nik

    assert stdnum_nik.is_valid("3215118103804423")  # the library alone lets it through
    refused = parse_payload("3215118103804423")
    assert isinstance(refused, Unrecognised) and "41-71" in refused.reason
    assert isinstance(parse_payload("3215115103804423"), Nik)  # 51: a woman born on the 11th


def test_lookalike_digits_are_not_digits():
    assert isinstance(parse_payload("SC1/C/KRW/AB12CD34/20210805/²/SIG"), Unrecognised)
    assert isinstance(parse_payload("３２１５１１０３１０８０４４２３"), Unrecognised)  # full-width digits


def test_attendees_see_a_given_name_an_initial_and_the_nik_s_last_four():
    from kiosk.privacy import attendee_nik, short_name

    assert attendee_nik("3171015708450001") == "************0001"
    assert short_name("Siti Wijaya") == "Siti W." and short_name("Muhammad Rizky Pratama") == "Muhammad P."
    assert short_name("Sukarno") == "Sukarno" and short_name("  Dewi   Lestari ") == "Dewi L."
