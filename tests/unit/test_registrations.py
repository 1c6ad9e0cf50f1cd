"""Importing the registrations CSV and registering walk-ins."""

import datetime as dt

import pytest

from kiosk.errors import KioskError
from kiosk.services.registrations import PersonDetails
from tests.conftest import DEMO_CSV

HEADER = "nik,name,birth_date,sex,phone,registration_code,appointment_date,session\n"


def test_demo_csv_imports_and_reimport_changes_nothing(make_station):
    station = make_station()
    first = station.registrations.import_csv(DEMO_CSV)
    assert (first.imported, first.unchanged, first.errors) == (36, 0, [])
    again = station.registrations.import_csv(DEMO_CSV)
    assert (again.imported, again.unchanged, again.errors) == (0, 36, [])


def test_every_bad_row_is_reported_with_its_line_and_good_rows_still_import(make_station, tmp_path):
    station = make_station()
    csv = tmp_path / "reg.csv"
    csv.write_text(HEADER + "\n".join([
        "3171015708450001,Siti Aminah,1945-08-17,F,0812,REG-1001,,",     # 2 good
        "3171015708450001,Siti Again,1945-08-17,F,0812,REG-1002,,",      # 3 same NIK, other code
        "317101570845,Short Nik,1945-08-17,F,0812,REG-1003,,",           # 4 short NIK
        "3171011708450001,Wrong Sex,1945-08-17,F,0812,REG-1004,,",       # 5 NIK says male
        "3171011708450002,Wrong Date,1946-08-17,M,0812,REG-1005,,",      # 6 NIK says 1945
        "3171011708450003,Bad Date,17/08/1945,M,0812,REG-1006,,",        # 7 date format
        "3171011708450004,,1945-08-17,M,0812,REG-1007,,",                # 8 empty name
        "3171011708450005,Bad Code,1945-08-17,M,0812,R!,,",              # 9 bad code
        "3171011708450006,Taken Code,1945-08-17,M,0812,REG-1001,,",      # 10 code taken
        '3171011708450007,"Budi, Jr.",1945-08-17,L,0812,reg-1010,2021-08-06,pagi',  # 11 good, L = male
    ]) + "\n", encoding="utf-8")
    report = station.registrations.import_csv(csv)
    assert report.imported == 2
    lines = dict(report.errors)
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "already registered under code REG-1001" in lines[3]
    assert "16 digits" in lines[4] and "encodes M" in lines[5] and "does not match the NIK" in lines[6]
    assert "YYYY-MM-DD" in lines[7] and "empty name" in lines[8] and "registration_code" in lines[9]
    assert "already belongs" in lines[10]
    assert station.checkin.check_in("REG-1010").name == "Budi, Jr."


def test_a_file_without_the_needed_columns_is_refused_whole(make_station, tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("name,phone\nA,1\n", encoding="utf-8")
    with pytest.raises(KioskError, match="lacks column.*nik"):
        make_station().registrations.import_csv(csv)


def test_walkin_registration_and_existing_nik(station):
    walkin = station.registrations.register_walkin(
        PersonDetails("3215014505900001", "Walk In", dt.date(1990, 5, 5), "P"), "desk")
    assert walkin.source == "walkin" and walkin.sex == "F" and walkin.code.startswith("W")
    existing = station.registrations.register_walkin(
        PersonDetails("3215216807038915", "Siti Wijaya", dt.date(2003, 7, 28), "F"), "desk")
    assert existing.code == "REG-0001"
    with pytest.raises(KioskError, match="does not match the NIK"):
        station.registrations.register_walkin(PersonDetails("3215014505900002", "X", dt.date(1991, 5, 5), "F"), "desk")


def test_walkins_refused_where_the_venue_takes_none(station):
    station.ctx.allow_walkins = False
    with pytest.raises(KioskError, match="does not take walk-ins"):
        station.registrations.register_walkin(PersonDetails("3215014505900001", "W", dt.date(1990, 5, 5), "F"), "d")


def test_control_characters_never_reach_the_database_or_the_printer(make_station, tmp_path):
    station = make_station()
    csv = tmp_path / "reg.csv"
    csv.write_text(HEADER + "3171015708450001,Siti\x1b@\x1dV\x00 Aminah,1945-08-17,F,0812,REG-1001,,\n", encoding="utf-8")
    report = station.registrations.import_csv(csv)
    assert report.imported == 0 and "control characters" in dict(report.errors)[2]
    with pytest.raises(KioskError, match="control characters"):
        station.registrations.register_walkin(PersonDetails("3215014505900001", "Wati\x1bd", dt.date(1990, 5, 5), "F"), "d")


def test_a_slip_drops_control_bytes_that_older_data_may_hold():
    from devices.slip_layout import render
    from kiosk.ports import Slip, SlipLine
    from tests.escpos_parse import parse

    data = render(Slip("card", (SlipLine("Siti\x1b@\x1dVA\x1d(k Aminah"),)), "TM-T20II")
    paper = parse(data)  # raises on any command the layout did not mean to send
    assert "Siti@VA(k Aminah" in paper.text() and data.count(b"\x1b@") == 1  # only the layout's own INIT


def test_an_extra_field_is_named_as_such_and_a_huge_field_spoils_only_its_line(make_station, tmp_path):
    station = make_station()
    csv = tmp_path / "reg.csv"
    csv.write_text(HEADER + "\n".join([
        "3171015708450001,Budi, Jr.,1945-08-17,F,0812,REG-1001,,",   # 2: unquoted comma
        "3171011708450002,Huge," + "x" * 200_000 + ",M,0812,REG-1002,,",  # 3: over csv's 128 KiB field limit
        "3171011708450003,Good Person,1945-08-17,M,0812,REG-1003,,",  # 4: good
    ]) + "\n", encoding="utf-8")
    report = station.registrations.import_csv(csv)
    errors = dict(report.errors)
    assert report.imported == 1 and sorted(errors) == [2, 3]
    assert "9 fields where the header has 8" in errors[2] and "double quotes" in errors[2]
    assert "cannot be read as CSV" in errors[3]
