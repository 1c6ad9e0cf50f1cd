"""The OpenCV camera on real video files and images; a missing camera that comes back."""

import cv2
import numpy as np
import pytest

from devices.camera import OpenCVCamera, StillCamera
from kiosk.ports import DeviceError
from tests.frames import make_frame


def write_video(path, frames, fps=10):
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


class FakeTime:
    def __init__(self):
        self.t = 0.0
        self.slept = []

    def now(self):
        return self.t

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.t += seconds


def test_a_video_file_is_paced_to_its_frame_rate_then_shows_an_empty_view(tmp_path):
    shots = [make_frame(seed, (320, 240)) for seed in range(5)]
    video = write_video(tmp_path / "clip.avi", [s.image for s in shots], fps=10)
    clock = FakeTime()
    camera = OpenCVCamera(str(video), monotonic=clock.now, sleep=clock.sleep)
    camera.open()
    frames = [camera.read() for _ in range(6)]
    assert [round(s, 2) for s in clock.slept] == [0.1] * 5  # 10 fps: one frame every 0.1 s
    assert frames[0].shape == (240, 320, 3) and frames[5].ndim == 2  # after the end: the empty grey view
    camera.close()


def test_missing_camera_source_says_so(tmp_path):
    with pytest.raises(DeviceError, match="camera source .*nope.avi not found"):
        OpenCVCamera(str(tmp_path / "nope.avi")).open()
    with pytest.raises(DeviceError, match="not found or busy"):
        OpenCVCamera("/dev/video97").open()


def test_still_image_camera_replays_a_bad_scan(tmp_path):
    shot = make_frame(11, (640, 480))
    cv2.imwrite(str(tmp_path / "bad-scan.jpg"), shot.image)
    camera = StillCamera(tmp_path / "bad-scan.jpg")
    camera.open()
    assert np.array_equal(camera.read(), camera.read())
    with pytest.raises(DeviceError, match="cannot be read"):
        StillCamera(tmp_path / "missing.jpg").open()


async def test_scan_screen_shows_a_missing_camera_then_reopens_it(make_station, tmp_path):
    from textual.widgets import Label

    from devices.factory import build_devices
    from screens.app import KioskApp
    from screens.result import ResultScreen
    from tests.conftest import DEMO_CSV
    from tests.helpers import until

    station = make_station()
    station.registrations.import_csv(DEMO_CSV)
    source = tmp_path / "webcam.avi"
    station.settings.devices.camera = "opencv"
    station.settings.devices.camera_source = str(source)
    app = KioskApp(station.settings, station, build_devices(station.settings))
    async with app.run_test(size=(110, 34)) as pilot:
        status = lambda: str(app.screen.query_one("#scan-camera", Label).render())  # noqa: E731
        await until(pilot, lambda: "tidak ditemukan" in app.camera_state)  # the reason (venue language), for the technician
        assert status() == "Kamera mati — ketik NIK Anda"  # the attendee: type instead, meanwhile
        from tests.helpers import show_qr

        qr = cv2.imread(str(show_qr(tmp_path / "qr", "REG-0009")))
        qr = cv2.resize(qr, (320, 320))
        write_video(source, [qr] * 20, fps=20)  # the camera is plugged back in
        await until(pilot, lambda: isinstance(app.screen, ResultScreen), tries=400)
    assert station.desk.find("REG-0009")[0].queue_number == "A-1"


@pytest.mark.parametrize("seed", [
    6,    # read by the camera loop's quick QR pass
    17,   # only the region passes read it, on the pipeline's side thread
])
async def test_scan_screen_fed_generated_camera_frames_reaches_the_right_result(make_station, tmp_path, seed):
    """Empty cluttered frames, then an attendee's code held up: the right person is checked in."""
    from devices.factory import build_devices
    from screens.app import KioskApp
    from screens.result import ResultScreen
    from tests.conftest import DEMO_CSV
    from tests.helpers import until

    station = make_station()
    station.registrations.import_csv(DEMO_CSV)
    empty = [make_frame(seed, (640, 480), with_code=False).image for seed in range(15)]
    held = [make_frame(seed, (640, 480), text="REG-0012").image] * 15
    if seed == 17:
        from devices.decode.pipeline import ScanPipeline

        assert ScanPipeline(side_thread=False).run(held[0]).decoded_by == "roi"
    source = write_video(tmp_path / "venue.avi", empty + held, fps=30)
    station.settings.devices.camera, station.settings.devices.camera_source = "opencv", str(source)
    app = KioskApp(station.settings, station, build_devices(station.settings))
    async with app.run_test(size=(110, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ResultScreen) and app.screen.is_mounted, tries=400)
        assert app.screen.outcome.kind == "admitted" and app.screen.outcome.name == "Hendra Hidayat"
    assert station.desk.day_numbers().checked_in == 1  # the code held for 15 frames counted once
