"""The decoder chain on zxing-cpp's real sample images (../shared/corpus), and kiosk diag decode."""

import json
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
import zxingcpp

from devices.decode.pipeline import ScanPipeline
from devices.decode.report import expected, frames
from kiosk.ports import DecodedCode
from tests.real_parts import need_shared


def corpus_dir() -> Path:
    return need_shared("corpus/zxing-cpp")


@pytest.fixture(scope="module")
def corpus():
    return [(name, frame, image) for name, frame, image in frames(corpus_dir())]


def zxing_alone(frame):
    """What zxing-cpp reads with its defaults but Plain text mode, as DecodedCode."""
    if frame is None:
        return []
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return [DecodedCode(r.text, str(r.format), bytes(r.bytes))
            for r in zxingcpp.read_barcodes(gray, text_mode=zxingcpp.TextMode.Plain) if r.valid]


def read_ok(codes, want):
    return any(want in (c.raw, c.text.encode()) for c in codes)


def test_everything_zxing_alone_reads_we_read_exactly_and_no_code_gives_nothing(corpus):
    pipeline = ScanPipeline()
    missed, false_positives, wrong = [], [], []
    for name, frame, image in corpus:
        want = expected(image)
        codes = pipeline.decode(frame)
        if want == b"":
            false_positives += [name] if codes else []
            continue
        if read_ok(zxing_alone(frame), want):
            missed += [] if read_ok(codes, want) else [name]
        wrong += [name] if codes and not read_ok(codes, want) else []
    assert (missed, wrong, false_positives) == ([], [], [])


def test_corpus_rate_is_at_least_95_percent(corpus):
    pipeline = ScanPipeline()
    judged = [(frame, expected(image)) for _, frame, image in corpus if expected(image)]
    exact = sum(read_ok(pipeline.decode(frame), want) for frame, want in judged)
    assert len(judged) == 244 and exact / len(judged) >= 0.95


def test_kiosk_diag_decode_reports_matches_and_a_summary(tmp_path):
    from tests.unit.test_config import station_config

    config = tmp_path / "kiosk.toml"
    config.write_text(station_config(str(tmp_path)), encoding="utf-8")
    kiosk = str(Path(sys.executable).parent / "kiosk")
    done = subprocess.run([kiosk, "--config", str(config), "diag", "decode", str(corpus_dir() / "qrcode-1"), "--json"],
                          capture_output=True, text=True)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    summary = lines[-1]["summary"]
    assert done.returncode == 0 and summary["wrong_reads"] == 0 and summary["exact"] == summary["expected_codes"]
    assert all({"file", "text", "format", "ms", "decoded_by", "match"} <= set(line) for line in lines[:-1])
    assert {line["decoded_by"] for line in lines[:-1]} <= {"qr", "all", "global", "upscale", "roi"}
    missing = subprocess.run([kiosk, "--config", str(config), "diag", "decode", str(tmp_path / "nope")],
                             capture_output=True, text=True)
    assert missing.returncode == 1 and "no such file or folder" in missing.stdout
