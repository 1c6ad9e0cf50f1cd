"""The outbox's contract: an event's shape changes only with its version."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing
import uuid
from pathlib import Path

from kiosk.events import EVENT_TYPES, VaccinationRecorded, read_event

SHAPES = Path(__file__).with_name("event_shapes.json")  # the shapes as released; update with a version bump


def shape(cls) -> dict[str, str]:
    """Field name -> type, as a reader of the JSON payload must expect it."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name].__name__ if isinstance(hints[f.name], type) else str(hints[f.name]).replace("datetime.", "")
            for f in dataclasses.fields(cls)}


def test_no_event_changes_shape_without_a_new_version():
    released = json.loads(SHAPES.read_text(encoding="utf-8"))
    for topic, cls in EVENT_TYPES.items():
        assert topic in released, f"new event {topic}: add its shape to {SHAPES.name}"
        was = released[topic]
        if shape(cls) != was["fields"]:
            assert cls.VERSION != was["version"], (
                f"{cls.__name__} changed shape but is still version {cls.VERSION}: raise VERSION (and keep reading "
                f"version {was['version']}), then record the new shape in {SHAPES.name}")
            raise AssertionError(f"{cls.__name__} is version {cls.VERSION} now: record its shape in {SHAPES.name}")
        assert cls.VERSION == was["version"]


def test_an_event_reads_back_as_it_was_written_and_legacy_rows_still_read():
    event = VaccinationRecorded(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "3215110310804423", "SINOVAC", "511", "SNV-1",
                                dt.date(2022, 1, 1), 1, "left deltoid", "dr. Ani", "ID-2021-08",
                                dt.datetime(2021, 8, 5, 1, 2, tzinfo=dt.UTC))
    payload = json.dumps(event.to_payload())
    assert read_event("vaccination.recorded", payload) == event and json.loads(payload)["v"] == 1
    legacy = {**json.loads(payload), "given_at": "2021-08-05 01:02:00+00:00", "extra_column": "x"}
    del legacy["v"]  # a row written before events were typed: a table's model_dump()
    assert read_event("vaccination.recorded", legacy) == event
