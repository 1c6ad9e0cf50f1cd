"""Card slip rendering: ms and bytes per slip, native vs raster QR, 80 and 58 mm.

Ours: devices.slip_layout.render of a real card slip (wrapping, transliteration, sizes, cut).
Peer: python-escpos's plain Dummy printer given the same lines and QR with no layout work.
Targets (issue 4): under 20 ms to render a card slip; a native-QR card slip under 4 KB.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parents[2]))

from escpos.printer import Dummy  # noqa: E402

from devices.slip_layout import render  # noqa: E402
from kiosk.bootstrap import build_station  # noqa: E402
from kiosk.clock import FixedClock  # noqa: E402
from kiosk.config import Settings  # noqa: E402
from kiosk.domain.screening import ScreeningAnswers  # noqa: E402
from kiosk.pins import hash_pin  # noqa: E402
from kiosk.services.clinic import DoseEntry  # noqa: E402

RUNS = 200
CSV = Path(__file__).parents[2] / "kiosk" / "data" / "demo_registrations.csv"


def card_slip(folder: Path):
    pins = {"staff": hash_pin("1234", 1000), "technician": hash_pin("9999", 1000)}
    settings = Settings(data_dir=folder, venue={"name": "Stadion Singaperbangsa", "code": "KRW01",
                                                "adverse_event_contact": "KIPI 0267-123456"},
                        station={"id": "ST-01"}, pins=pins,
                        quota={"stock": 2000, "first_day": dt.date(2021, 8, 5), "last_day": dt.date(2021, 8, 9)})
    station = build_station(settings, clock=FixedClock(ZoneInfo("Asia/Jakarta"),
                                                       instant=dt.datetime(2021, 8, 5, 1, tzinfo=dt.UTC)))
    station.registrations.import_csv(CSV)
    visit = station.checkin.check_in("REG-0002").visit_id
    station.clinic.record_screening(visit, ScreeningAnswers(36.6, 120, 80), "nurse")
    station.clinic.record_dose(visit, DoseEntry("SINOVAC", "SNV-2107", dt.date(2021, 12, 31), "left deltoid", "dr. Ani"))
    station.clinic.issue_card(visit)
    slip = station.printing.slip_for(station.printing.pending()[0].id)
    station.close()
    return slip


def plain_dummy(slip, profile: str, native: bool) -> bytes:
    printer = Dummy(profile=profile)
    for line in (*slip.lines, *slip.footer):
        printer.text(line.text + "\n")
    printer.qr(slip.qr, size=4, native=native)
    printer.cut()
    return printer.output


def timed(fn) -> tuple[float, int]:
    out = fn()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(out)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        slip = card_slip(Path(tmp))
    print(f"card slip, {RUNS} renders each; QR payload {len(slip.qr)} characters")
    print(f"{'':34} {'median ms':>10} {'bytes':>7}")
    rows = []
    for profile, width in (("TM-T20II", "80 mm"), ("POS-5890", "58 mm")):
        for native in (True, False):
            kind = "native QR" if native else "raster QR"
            ours = timed(lambda profile=profile, native=native: render(slip, profile, native_qr=native))
            peer = timed(lambda profile=profile, native=native: plain_dummy(slip, profile, native))
            rows.append((f"sentra {width} {kind}", ours, f"escpos Dummy {width} {kind}", peer))
    for name, (ms, size), peer_name, (peer_ms, peer_size) in rows:
        print(f"{name:34} {ms:10.3f} {size:7d}")
        print(f"{peer_name:34} {peer_ms:10.3f} {peer_size:7d}   ratio {ms / peer_ms:.2f}x time, {size / peer_size:.2f}x bytes")
    print("targets: render under 20 ms; native-QR card slip under 4096 bytes")


if __name__ == "__main__":
    main()
