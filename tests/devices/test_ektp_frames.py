"""The synthetic e-KTP generator the OCR work is measured on: valid NIKs that agree with the printed card."""

from __future__ import annotations

import random

import pytest

from kiosk.identity import Nik, parse_payload
from tests.ektp import CARD, card, frames, person

pytest.importorskip("PIL")


def test_every_invented_nik_is_valid_and_agrees_with_the_printed_birth_date_and_sex():
    rng = random.Random(5)
    for _ in range(200):
        p = person(rng)
        parsed = parse_payload(p.nik)
        assert isinstance(parsed, Nik), (p, parsed)
        day = int(p.nik[6:8])
        assert (day > 40) == (p.sex == "F") and day - (40 if p.sex == "F" else 0) == p.born.day
        assert p.nik[8:10] == f"{p.born.month:02d}" and p.nik[10:12] == f"{p.born.year % 100:02d}"


def test_the_same_seed_makes_the_same_frames_and_the_mix_asked_for():
    a, b = frames(11, 5, size=(640, 360)), frames(11, 5, size=(640, 360))
    assert [f.recipe for f in a] == [f.recipe for f in b]
    assert all((x.image == y.image).all() for x, y in zip(a, b))
    many = frames(3, 40, size=(320, 180), empty=0.25, covered=0.25)
    kinds = {"empty": sum(f.person is None for f in many), "covered": sum(f.person is not None and not f.readable for f in many)}
    assert 3 <= kinds["empty"] <= 20 and 3 <= kinds["covered"] <= 20
    assert all(f.image.shape == (180, 320, 3) for f in many)


def test_a_card_face_has_the_id1_shape_and_ink_on_the_nik_line():
    rng = random.Random(1)
    face = card(person(rng), rng)
    assert face.shape == (CARD[1], CARD[0], 3)
    nik_band = face[100:140, 130:600].mean(axis=2)
    assert (nik_band < 80).mean() > 0.05  # dark bold digits on the light card
