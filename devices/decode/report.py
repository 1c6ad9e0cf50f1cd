"""``kiosk diag decode PATH``: what the station's decoder chain reads in a folder or video.

Per file: decoded text, format, milliseconds, the pass that found it, and, where the folder
holds the expected content beside the image (``N.txt`` or ``N.bin``, as in zxing-cpp's test
samples), whether the read matches. Then a summary a technician can compare across stations.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import cv2

from devices.camera import IMAGE_SUFFIXES, VIDEO_SUFFIXES


@dataclass
class FileResult:
    """One image (or video frame) through the chain."""

    file: str
    text: str
    format: str
    ms: float
    decoded_by: str
    match: str  # "exact", "wrong", "missed", "nothing" (no code expected, none read), "" (unknown)


def frames(path: Path) -> Iterator[tuple[str, Any, Path | None]]:
    """(name, frame, image path) for a folder of images, a single image, or a video's frames."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        suffix = file.suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            yield str(file.relative_to(path) if path.is_dir() else file.name), cv2.imread(str(file)), file
        elif suffix in VIDEO_SUFFIXES:
            capture = cv2.VideoCapture(str(file))
            index = 0
            while True:
                ok, frame = capture.read()
                if not ok:
                    break
                yield f"{file.name}#{index}", frame, None
                index += 1
            capture.release()


def expected(image: Path | None) -> bytes | None:
    """The expected content beside an image: N.txt (text) or N.bin (bytes); b"" marks no-code folders."""
    if image is None:
        return None
    for suffix in (".txt", ".bin"):
        candidate = image.with_suffix(suffix)
        if candidate.exists():
            return candidate.read_bytes()
    return b"" if "falsepositive" in str(image.parent) else None


def decode_one(chain: Any, name: str, frame: Any, image: Path | None) -> FileResult:
    """Run the chain on one frame and judge the read."""
    start = time.perf_counter()
    result = chain.run(frame) if hasattr(chain, "run") else None
    codes = result.codes if result is not None else (chain.decode(frame) if frame is not None else [])
    ms = (time.perf_counter() - start) * 1000
    want = expected(image)
    first = codes[0] if codes else None
    match = ""
    if want == b"":
        match = "wrong" if codes else "nothing"
    elif want is not None:
        match = "missed" if not codes else "exact" if any(want in (c.raw, c.text.encode()) for c in codes) else "wrong"
    return FileResult(name, first.text if first else "", first.format if first else "", round(ms, 3),
                      result.decoded_by if result is not None else ("chain" if codes else ""), match)


def summary(results: list[FileResult]) -> dict[str, Any]:
    """Decoded/total, exact matches, wrong reads, false positives, median and p95 ms."""
    times = sorted(r.ms for r in results) or [0.0]
    judged = [r for r in results if r.match in ("exact", "wrong", "missed")]
    return {
        "files": len(results), "decoded": sum(bool(r.text) for r in results),
        "expected_codes": len(judged), "exact": sum(r.match == "exact" for r in judged),
        "wrong_reads": sum(r.match == "wrong" for r in judged),
        "false_positives": sum(r.match == "wrong" for r in results if r not in judged),
        "median_ms": round(statistics.median(times), 3), "p95_ms": round(nearest_rank(times, 0.95), 3),
    }


def nearest_rank(ordered: list[float], share: float) -> float:
    """The ``share`` percentile by nearest rank: a value the data holds, never below the median."""
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def report(chain: Any, path: Path, as_json: bool) -> dict[str, Any]:
    """Decode everything under ``path``, print per-file lines, return the summary."""
    def line(result: FileResult) -> str:
        shown = result.text.encode("unicode_escape").decode("ascii")[:48]
        return f"{result.file:40} {result.match or '-':8} {result.ms:8.2f} ms  {result.decoded_by:8} {result.format:12} {shown}"
    return print_report((decode_one(chain, *item) for item in frames(path)), as_json, line, summary)


def print_report(results: Iterable[Any], as_json: bool, line: Callable[[Any], str],
                 summarise: Callable[[list[Any]], dict[str, Any]]) -> dict[str, Any]:
    """Print each result (a JSON object, or ``line``) as it comes, then the summary; return the summary."""
    done = []
    for result in results:
        done.append(result)
        print(json.dumps(asdict(result), ensure_ascii=False) if as_json else line(result))
    totals = summarise(done)
    print(json.dumps({"summary": totals}) if as_json else "summary: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    return totals
