"""From a code entering a 30 fps camera to the attendee's result screen (headless Textual).

A fake camera paces itself at 30 fps and shows empty cluttered frames, then an attendee's QR.
Measured: time from the first frame holding the code leaving the camera to the ResultScreen
being mounted. Peer (same run): the floor without the UI — decode that frame with the
pipeline and commit the check-in directly. Target (issue 3): median under 150 ms.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parents[2]))

from devices.decode.pipeline import ScanPipeline  # noqa: E402
from devices.factory import build_devices  # noqa: E402
from kiosk.bootstrap import build_station  # noqa: E402
from kiosk.clock import FixedClock  # noqa: E402
from kiosk.config import Settings  # noqa: E402
from kiosk.pins import hash_pin  # noqa: E402
from screens.app import KioskApp  # noqa: E402
from screens.result import ResultScreen  # noqa: E402
from tests.frames import make_frame  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
CSV = Path(__file__).parents[2] / "kiosk" / "data" / "demo_registrations.csv"
SEEDS = [1, 2, 3, 4, 5]  # 720p frames the camera loop reads on their first frame (see tests/frames.py)


class ThirtyFpsCamera:
    def __init__(self) -> None:
        self.empty = [make_frame(s, (1280, 720), with_code=False).image for s in range(8)]
        self.code = None
        self.code_since: float | None = None
        self._next = time.perf_counter()
        self._i = 0

    def show(self, frame) -> None:
        self.code, self.code_since = frame, None

    def open(self) -> None:
        pass

    def read(self):
        wait = self._next - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        self._next = max(self._next + 1 / 30, time.perf_counter())
        self._i += 1
        if self.code is not None:
            if self.code_since is None:
                self.code_since = time.perf_counter()
            return self.code
        return self.empty[self._i % len(self.empty)]

    def close(self) -> None:
        pass


def station_for(folder: Path):
    pins = {"staff": hash_pin("1234", 1000), "technician": hash_pin("9999", 1000)}
    settings = Settings(data_dir=folder, venue={"name": "Bench", "code": "BENCH"}, station={"id": "B1"}, pins=pins,
                        quota={"stock": 2000, "first_day": dt.date(2021, 8, 5), "last_day": dt.date(2021, 8, 9)},
                        devices={"camera": "none", "printer_url": f"preview://{folder / 'slips'}"}, result_seconds=60)
    station = build_station(settings, clock=FixedClock(ZoneInfo("Asia/Jakarta"),
                                                       instant=dt.datetime(2021, 8, 5, 1, tzinfo=dt.UTC)))
    station.registrations.import_csv(CSV)
    return station


async def through_the_app(folder: Path) -> list[float]:
    station = station_for(folder)
    camera = ThirtyFpsCamera()
    devices = build_devices(station.settings)
    devices.camera = camera
    app = KioskApp(station.settings, station, devices)
    times = []
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause(0.5)
        for run in range(RUNS):
            camera.show(make_frame(SEEDS[run % len(SEEDS)], (1280, 720), text=f"REG-{run + 1:04d}").image)
            deadline = time.perf_counter() + 5
            while not (isinstance(app.screen, ResultScreen) and app.screen.is_mounted):
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"no result screen within 5 s for attendee {run + 1}")
                await asyncio.sleep(0.001)
            times.append((time.perf_counter() - camera.code_since) * 1000)
            camera.show(None)
            app.screen.dismiss()
            await pilot.pause(0.3)
    station.close()
    return times


async def preview_rate(folder: Path, seconds: float = 3.0) -> float:
    """Preview updates per second while the 30 fps camera shows empty cluttered frames."""
    from screens.widgets.camera_preview import CameraPreview

    station = station_for(folder)
    station.settings.devices.camera = "opencv"  # so the scan screen has a preview (nothing is opened yet)
    devices = build_devices(station.settings)
    devices.camera = ThirtyFpsCamera()
    app = KioskApp(station.settings, station, devices)
    async with app.run_test(size=(110, 40)) as pilot:
        preview = app.screen.query_one(CameraPreview)
        shown = 0
        original = preview.show

        def counting(pixels):
            nonlocal shown
            shown += 1
            original(pixels)

        preview.show = counting  # type: ignore[method-assign]
        await pilot.pause(seconds)
    station.close()
    return shown / seconds


def floor(folder: Path) -> list[float]:
    station = station_for(folder)
    pipeline = ScanPipeline()
    times = []
    for run in range(RUNS):
        frame = make_frame(SEEDS[run % len(SEEDS)], (1280, 720), text=f"REG-{run + 1:04d}").image
        start = time.perf_counter()
        codes = pipeline.decode_live(frame)
        outcome = station.checkin.check_in(codes[0].text)
        times.append((time.perf_counter() - start) * 1000)
        assert outcome.kind == "admitted", outcome
    station.close()
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b, tempfile.TemporaryDirectory() as c:
        ui = asyncio.run(through_the_app(Path(a)))
        bare = floor(Path(b))
        rate = asyncio.run(preview_rate(Path(c)))
    print(f"code entering a 30 fps camera (720p) -> result screen, {RUNS} attendees")
    print(f"{'':40} {'median ms':>10} {'max ms':>8}")
    print(f"{'sentra: camera worker + check-in + screen':40} {statistics.median(ui):10.1f} {max(ui):8.1f}")
    print(f"{'floor: decode + check-in, no UI':40} {statistics.median(bare):10.1f} {max(bare):8.1f}")
    print(f"ratio {statistics.median(ui) / statistics.median(bare):.1f}x; target: median under 150 ms")
    print(f"camera preview: {rate:.1f} updates/s from a 30 fps camera (720p, empty cluttered view); target: at least 10")


if __name__ == "__main__":
    main()
