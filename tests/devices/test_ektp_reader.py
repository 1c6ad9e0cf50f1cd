"""Reading the NIK off an e-KTP: synthetic card photos through the real OCR engine, and the live watcher's rules."""

from __future__ import annotations

import datetime as dt
import logging
import re

import numpy as np
import pytest

from devices.ektp.reader import EktpReader
from devices.ektp.text import DISAGREES, NO_DATE, NO_NIK, NO_TEXT, CardText, nik_digits, printed_dates, printed_sex, verdict
from devices.ektp.watch import CONFIRM_WITHIN_S, HOLD_CLOSER, TYPE_AFTER_S, TYPE_NIK, CardWatcher
from tests.ektp import card_frame, frames

SITI = ("3215216807038915", "Siti Wijaya", dt.date(2003, 7, 28), "F")  # REG-0001 of the demo registrations


@pytest.fixture(scope="module")
def reader() -> EktpReader:
    return EktpReader()


# ---------------------------------------------------------------- what counts as read (no OCR)
def test_a_nik_is_taken_only_when_it_agrees_with_the_printed_birth_date_and_sex():
    rows = ["SITI WIJAYA", ": KARAWANG, 28-07-2003", ": PEREMPUAN Gol. Darah : O"]
    assert verdict(CardText(["NIK : 3215216807038915"], rows)).nik == "3215216807038915"
    other_day = verdict(CardText(["NIK : 3215216807038915"], [rows[0], ": KARAWANG, 27-07-2003", rows[2]]))
    assert (other_day.nik, other_day.reason) == (None, DISAGREES)
    as_a_man = verdict(CardText(["NIK : 3215216807038915"], [rows[0], rows[1], ": LAKI-LAKI Gol. Darah : O"]))
    assert (as_a_man.nik, as_a_man.reason) == (None, DISAGREES)
    unread_rows = verdict(CardText(["NIK : 3215216807038915"], ["SITI WIJAYA"]))
    assert (unread_rows.nik, unread_rows.reason, unread_rows.digits) == (None, NO_DATE, "3215216807038915")


def test_only_sixteen_digits_on_the_nik_line_count_and_nothing_is_guessed():
    assert nik_digits("NIK : 3215 2168 0703 8915") == "3215216807038915"
    assert nik_digits("NIK:3215216807038915") == "3215216807038915"
    assert nik_digits("NIK : 321521680703891") is None  # a digit under a thumb
    assert nik_digits("NIK : 32152168070389151") is None
    assert nik_digits("NIK : 3215216807O38915") is None  # a letter O is not read as 0
    assert verdict(CardText(["PROVINSI JAWA BARAT"], [])).reason == NO_NIK


def test_printed_dates_and_sex_tolerate_a_lost_dash_but_not_a_lost_digit():
    assert printed_dates([":SURABAYA,2809-1973", "KARAWANG.16-06-186", "SELATAN,26-8-1951"]) == \
        [dt.date(1973, 9, 28), dt.date(1951, 8, 26)]
    assert printed_dates(["31-02-1990"]) == []
    assert printed_sex(["LAK-LAKIGol.Darah:A"]) == "M" and printed_sex([":PEREMPUANGolDarah"]) == "F"
    assert printed_sex(["LAKG-AKI GDe:A"]) is None  # a blurred LAKI-LAKI without its row's blood group: unsure
    assert printed_sex(["LAKG-AKI Gol Darah:A"]) == "M" and printed_sex(["JL. PALAKA NO. 3"]) is None
    assert printed_sex(["Jenis kelamin"]) is None


# ---------------------------------------------------------------- the real engine on generated frames
def test_the_card_of_a_registered_person_is_read(reader):
    read = reader.read(card_frame(*SITI))
    assert read.nik == SITI[0] and read.card_seen
    assert read.verdict.printed_birth == SITI[2] and read.verdict.printed_sex == "F"


def test_a_card_whose_printed_birth_date_disagrees_with_its_nik_is_refused_with_the_reason(reader):
    read = reader.read(card_frame(*SITI, printed_born=dt.date(2003, 7, 18)))
    assert read.nik is None and read.verdict.reason == DISAGREES
    assert read.verdict.digits == SITI[0] and read.card_seen  # the NIK line was read: the card is in view


@pytest.mark.parametrize("style", ["dev", "heldout"])
def test_generated_frames_read_exactly_and_nothing_comes_off_empty_or_covered_frames(reader, style):
    shots = frames(4242, 24, difficulty=0.6, empty=0.15, covered=0.15, style=style)
    readable = [f for f in shots if f.readable]
    others = [f for f in shots if not f.readable]
    assert len(readable) >= 14 and len(others) >= 4
    reads = {id(f): reader.read(f.image).nik for f in shots}
    assert [reads[id(f)] for f in others] == [None] * len(others)
    wrong = [(reads[id(f)], f.person.nik) for f in readable if reads[id(f)] not in (None, f.person.nik)]
    assert wrong == []
    exact = sum(reads[id(f)] == f.person.nik for f in readable)
    assert exact >= 0.9 * len(readable), f"{exact} of {len(readable)}"


def test_odd_frames_are_not_a_card_and_never_raise(reader):
    for frame in (None, "frame", np.zeros((0, 0, 3), np.uint8), np.zeros((10, 10), np.uint8),
                  np.full((480, 640), 128, np.uint8), np.zeros((480, 640, 4), np.uint8)):
        read = reader.read(frame)
        assert read.nik is None and read.verdict.reason == NO_TEXT and not read.card_seen


def test_reading_a_card_writes_nothing_and_logs_no_digits(reader, tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.DEBUG)
    before = {p for p in tmp_path.rglob("*")}
    assert reader.read(card_frame(*SITI)).nik == SITI[0]
    assert {p for p in tmp_path.rglob("*")} == before
    assert not re.search(r"\d{8,}", caplog.text)


# ---------------------------------------------------------------- the live watcher (its own clock, no side thread)
class Counting:
    """The real reader, counting the attempts asked of it."""

    def __init__(self, real: EktpReader) -> None:
        self.real, self.asked = real, 0

    def read(self, frame):  # type: ignore[no-untyped-def]
        self.asked += 1
        return self.real.read(frame)


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_a_nik_goes_on_after_two_agreeing_reads_and_a_card_alone_asks_to_hold_closer_then_to_type(reader):
    clock = Clock()
    watcher = CardWatcher(reader, monotonic=clock, side_thread=False)
    frame = card_frame(*SITI)
    assert watcher.offer(frame) is None and watcher.hint() == HOLD_CLOSER  # one read: not yet
    clock.t += 0.5
    assert watcher.offer(frame) == SITI[0]  # the second agreeing read
    assert watcher.hint() == ""
    clock.t += CONFIRM_WITHIN_S + 1
    assert watcher.offer(frame) is None  # the next card starts afresh
    unreadable = card_frame(*SITI, printed_born=dt.date(1990, 1, 1), seed=2)
    clock.t += 5
    assert watcher.offer(unreadable) is None and watcher.hint() == HOLD_CLOSER
    clock.t += 0.5
    assert watcher.offer(unreadable) is None and watcher.hint() == TYPE_NIK  # disagrees twice: closer will not help
    clock.t += 5
    assert watcher.hint() == ""  # the card went away


def test_a_card_held_but_not_read_asks_the_attendee_to_type_after_a_while(reader):
    clock = Clock()
    watcher = CardWatcher(reader, monotonic=clock, side_thread=False)
    blurred = card_frame(*SITI, size=(320, 180), difficulty=1.0, seed=3)  # too small to read its rows
    read = reader.read(blurred)
    assert read.nik is None and read.card_seen, read
    start = clock.t
    while clock.t - start < TYPE_AFTER_S + 0.5:
        assert watcher.offer(blurred) is None
        clock.t += 0.5
    assert watcher.hint() == TYPE_NIK


def test_a_still_empty_view_is_looked_at_once_not_again_and_again(reader):
    clock = Clock()
    counting = Counting(reader)
    watcher = CardWatcher(counting, monotonic=clock, side_thread=False)  # type: ignore[arg-type]
    empty = frames(5, 1, empty=1.0)[0].image
    for _ in range(20):
        watcher.offer(empty)
        clock.t += 0.5
    assert counting.asked == 1


# ---------------------------------------------------------------- kiosk diag ocr, as a technician runs it
def test_kiosk_diag_ocr_says_per_image_what_was_read_and_fails_on_a_wrong_nik(tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    import cv2

    ahmad = ("3215110310804423", "Ahmad Wijaya", dt.date(1980, 10, 3), "M")
    cv2.imwrite(str(tmp_path / "ahmad.jpg"), card_frame(*ahmad, seed=4))
    (tmp_path / "ahmad.txt").write_text(ahmad[0])
    cv2.imwrite(str(tmp_path / "misprinted.jpg"), card_frame(*ahmad, seed=4, printed_born=dt.date(1980, 10, 4)))
    cv2.imwrite(str(tmp_path / "wall.jpg"), frames(5, 1, empty=1.0)[0].image)
    (tmp_path / "wall.txt").write_text("")  # nothing may be read here
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    kiosk = str(Path(sys.executable).parent / "kiosk")
    run = subprocess.run([kiosk, "diag", "ocr", str(tmp_path), "--json"], capture_output=True, text=True, env=env)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    by_file = {line["file"]: line for line in lines[:-1]}
    assert run.returncode == 0, run.stdout + run.stderr
    assert (by_file["ahmad.jpg"]["nik"], by_file["ahmad.jpg"]["match"]) == (ahmad[0], "exact")
    assert by_file["misprinted.jpg"]["nik"] == "" and by_file["misprinted.jpg"]["printed_birth"] == "1980-10-04"
    assert by_file["misprinted.jpg"]["why_not"] == "the NIK does not agree with the birth date or sex printed on the card"
    assert by_file["wall.jpg"]["match"] == "nothing"
    assert lines[-1]["summary"] | {"median_ms": 0, "p95_ms": 0} == {
        "files": 3, "taken": 1, "expected_niks": 1, "exact": 1, "wrong": 0, "missed": 0, "false_reads": 0,
        "median_ms": 0, "p95_ms": 0}
    (tmp_path / "ahmad.txt").write_text("3215216807038915")  # the label says someone else: a wrong read
    wrong = subprocess.run([kiosk, "diag", "ocr", str(tmp_path / "ahmad.jpg")], capture_output=True, text=True, env=env)
    assert wrong.returncode == 1 and "wrong 1" in wrong.stdout


def test_one_opencv_in_the_lockfile_and_the_models_inside_the_installed_wheel(reader):
    import tomllib
    from pathlib import Path

    lock = tomllib.loads((Path(__file__).parents[2] / "uv.lock").read_text(encoding="utf-8"))
    names = {p["name"] for p in lock["package"]}
    assert {n for n in names if n.startswith("opencv")} == {"opencv-python-headless"}  # rapidocr's opencv-python overridden
    assert "rapidocr-onnxruntime" in names
    engine = reader.engine()
    for session in (engine.text_det.infer, engine.text_rec.session):  # the package's own files: nothing fetched
        path = Path(session.session._model_path)
        assert path.is_file() and "site-packages/rapidocr_onnxruntime/models" in path.as_posix()


def test_the_diagnostics_line_says_whether_the_reader_is_on_and_ready_and_how_to_fix_it(reader, station, monkeypatch):
    import sys

    from devices.diagnostics import ektp_check

    station.settings.devices.read_ektp = False
    off = ektp_check(station.settings, None)
    assert off.ok and off.detail.startswith("off (devices.read_ektp = false)")
    station.settings.devices.read_ektp = True
    ready = ektp_check(station.settings, reader)
    assert ready.ok and ready.detail.startswith("rapidocr: models loaded") and ready.part_words == "e-KTP reader"
    fresh = ektp_check(station.settings, EktpReader())
    assert fresh.ok and re.match(r"rapidocr: models loaded in \d+\.\d s; an attempt on an empty 720p view \d+ ms$", fresh.detail)
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # an install without the engine
    broken = ektp_check(station.settings, EktpReader())
    assert not broken.ok and "the e-KTP reader cannot load" in broken.detail
    assert broken.action == "run uv sync (rapidocr-onnxruntime), or set devices.read_ektp = false"
