"""The folder camera and the decoder chain, on real image files and a real video file."""

import builtins

import cv2
import numpy as np
import pytest
import segno

from devices.camera import FolderCamera
from devices.decode.decoders import DecoderChain, PyzbarDecoder, ZxingDecoder
from devices.factory import build_chain
from kiosk.config import DeviceSettings
from kiosk.ports import DeviceError
from tests.real_parts import missing


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def qr_png(path, text, scale=6):
    segno.make_qr(text, error="m").save(path, scale=scale, border=4)
    return path


def test_each_image_is_shown_for_hold_then_gap_then_the_next(tmp_path):
    qr_png(tmp_path / "a.png", "REG-0001")
    qr_png(tmp_path / "b.png", "REG-0002")
    clock, zxing = Clock(), ZxingDecoder()
    camera = FolderCamera(tmp_path, hold_s=1.0, gap_s=0.5, monotonic=clock)
    camera.open()
    seen = []
    for step in range(40):
        clock.t = step * 0.1
        codes = zxing.decode(camera.read())
        seen.append(codes[0].text if codes else "")
    assert seen[0] == "REG-0001" and seen[9] == "REG-0001" and seen[11] == ""  # held ~1 s, then nothing
    assert "REG-0002" in seen and seen[-1] == ""
    assert sorted(p.name for p in (tmp_path / "shown").iterdir()) == ["a.png", "b.png"]  # not replayed after a restart


def test_files_added_later_are_shown_and_unreadable_files_skipped(tmp_path):
    (tmp_path / "broken.png").write_bytes(b"not a png")
    clock = Clock()
    camera = FolderCamera(tmp_path, hold_s=1.0, gap_s=0.0, monotonic=clock)
    camera.open()
    assert ZxingDecoder().decode(camera.read()) == []
    qr_png(tmp_path / "z-late.png", "REG-0042")
    clock.t = 5.0
    assert ZxingDecoder().decode(camera.read())[0].text == "REG-0042"


def test_a_video_file_is_played_frame_by_frame(tmp_path):
    frame = cv2.imread(str(qr_png(tmp_path / "frame.png", "REG-0777", scale=4)))
    frame = cv2.resize(frame, (320, 320))
    video_dir = tmp_path / "video"
    video_dir.mkdir()
    writer = cv2.VideoWriter(str(video_dir / "clip.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 320))
    blank = np.full_like(frame, 200)
    for i in range(10):
        writer.write(frame if 3 <= i < 6 else blank)
    writer.release()
    camera = FolderCamera(video_dir, monotonic=Clock())
    camera.open()
    decoded = [ZxingDecoder().decode(camera.read()) for _ in range(12)]
    assert [bool(d) for d in decoded[:10]] == [False] * 3 + [True] * 3 + [False] * 4
    assert decoded[4][0].text == "REG-0777"
    camera.close()


def test_missing_folder_is_an_unplugged_camera(tmp_path):
    with pytest.raises(DeviceError, match="does not exist"):
        FolderCamera(tmp_path / "nope").open()


def test_zxing_reads_qr_and_1d_codes_and_ignores_noise(tmp_path):
    zxing = ZxingDecoder()
    assert zxing.decode(cv2.imread(str(qr_png(tmp_path / "q.png", "SC1/C/KRW/AB/20210805/1/SIG"))))[0].format == "QR Code"
    noise = np.random.default_rng(1).integers(0, 255, (480, 640), dtype=np.uint8)
    assert zxing.decode(noise) == []
    assert zxing.decode(np.zeros((0, 0), dtype=np.uint8)) == []


def test_pyzbar_reads_the_same_code_where_libzbar_is_installed(tmp_path):
    try:
        pyzbar = PyzbarDecoder()
    except DeviceError:
        missing("libzbar0 (the pyzbar backend's library)", "apt-get install libzbar0")
    assert pyzbar.decode(cv2.imread(str(qr_png(tmp_path / "q.png", "REG-0009"))))[0].text == "REG-0009"


def test_without_libzbar_the_technician_reads_what_to_install(monkeypatch):
    real_import = builtins.__import__

    def no_libzbar(name, *args, **kwargs):
        if name.startswith("pyzbar"):
            raise ImportError("Unable to find zbar shared library")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_libzbar)
    chain, problems = build_chain(DeviceSettings(decoders=["pyzbar", "zxingcpp"]))
    assert problems == ["pyzbar unavailable: install libzbar0 (apt-get install libzbar0)"]
    assert [d.name for d in chain.decoders] == ["zxingcpp"]


def test_chain_returns_the_first_decoder_that_finds_something(tmp_path):
    class Never:
        name = "never"

        def decode(self, frame):
            return []

    frame = cv2.imread(str(qr_png(tmp_path / "q.png", "REG-0003")))
    assert DecoderChain([Never(), ZxingDecoder()]).decode(frame)[0].text == "REG-0003"


def test_opencv_is_an_optional_fallback_that_never_raises(tmp_path):
    import numpy as np
    import segno

    from devices.decode.decoders import OpenCVDecoder

    chain, problems = build_chain(DeviceSettings(decoders=["zxingcpp", "opencv"]))
    assert problems == [] and [d.name for d in chain.decoders] == ["zxingcpp", "opencv"]
    opencv = chain.decoders[1]
    frame = cv2.imread(str(qr_png(tmp_path / "q.png", "REG-0012")))
    [code] = opencv.decode(frame)
    assert code.text == "REG-0012" and len(code.corners) == 4
    segno.make_qr(b"\x80\x81\xfe\xff\x00abc").save(str(tmp_path / "b.png"), scale=6, border=4)
    opencv.decode(cv2.imread(str(tmp_path / "b.png")))  # binary content: whatever OpenCV makes of it, no exception
    assert opencv.decode(np.zeros((0, 0), np.uint8)) == []

    class Raising:  # some OpenCV builds raise UnicodeDecodeError on content that is not UTF-8
        def detectAndDecode(self, image):
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    opencv._detector = Raising()
    assert opencv.decode(frame) == []
    live = OpenCVDecoder(live_every=3)
    assert [bool(live.decode_live(frame)) for _ in range(6)] == [False, False, True, False, False, True]


def test_unknown_printer_profile_names_the_key(station):
    from devices.factory import build_devices
    from kiosk.errors import ConfigError

    station.settings.devices.printer_profile = "EPSON-9000"
    with pytest.raises(ConfigError, match="devices.printer_profile: unknown profile 'EPSON-9000'"):
        build_devices(station.settings)


def test_camera_loop_reads_a_qr_at_once_and_an_id_barcode_within_a_few_frames():
    """decode_live: QR every frame; the whole pipeline (PDF417, 1-D) on a QR-like region or every
    Nth frame, on a side thread (read within a second at 30 fps) or, without one, in the loop."""
    import time

    import zxingcpp

    from devices.decode.pipeline import ScanPipeline
    from tests.frames import make_frame

    frame = make_frame(3, (640, 480))
    pdf417 = zxingcpp.create_barcode("ID|3215110310804423|AHMAD WIJAYA", zxingcpp.BarcodeFormat.PDF417).to_image(scale=3)
    image = np.pad(np.asarray(pdf417), 40, constant_values=255)
    empty = np.full((480, 640), 128, np.uint8)
    for side_thread in (True, False):
        pipeline = ScanPipeline(full_every=4, side_thread=side_thread)
        assert [c.text for c in pipeline.decode_live(frame.image)] == [frame.text]
        reads = []
        for _ in range(30 if side_thread else 4):
            reads.append(pipeline.decode_live(image))
            if reads[-1]:
                break
            time.sleep(1 / 30 if side_thread else 0)
        assert reads[-1] and reads[-1][0].text.startswith("ID|3215"), reads
        assert all(pipeline.decode_live(empty) == [] for _ in range(8))


def test_an_image_caught_half_copied_is_read_once_it_is_complete(tmp_path):
    complete = qr_png(tmp_path / "staging.png", "REG-0031").read_bytes()
    folder = tmp_path / "camera"
    folder.mkdir()
    (folder / "shot.png").write_bytes(complete[: len(complete) // 3])  # cp is still running
    clock = Clock()
    camera = FolderCamera(folder, hold_s=1.0, gap_s=0.0, monotonic=clock)
    camera.open()
    assert ZxingDecoder().decode(camera.read()) == []
    (folder / "shot.png").write_bytes(complete)  # cp finished
    clock.t = 0.5
    assert ZxingDecoder().decode(camera.read())[0].text == "REG-0031"


def test_region_passes_read_a_steeply_tilted_and_a_small_blurred_code_and_outline_them():
    """Frames no other pass reads: the code found by its corner texture, enlarged, sharpened or
    rectified, and its outline mapped back into the frame (the preview draws it)."""
    from devices.decode.pipeline import ScanPipeline
    from tests.frames import make_frame

    pipeline = ScanPipeline()
    for seed, size, box in ((46, (640, 480), (280, 170, 545, 375)),  # module 5, tilt 0.28: a sheared slip
                            (10, (1280, 720), (1170, 485, 1255, 570))):  # module 3, blur 1.5, JPEG 49
        frame = make_frame(seed, size)
        result = pipeline.run(frame.image)
        assert result.decoded_by == "roi" and [c.text for c in result.codes] == [frame.text]
        x0, y0, x1, y1 = box
        assert all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in result.codes[0].corners), result.codes[0].corners
        assert pipeline.run(frame.image, deep=False).codes == []  # the cheaper passes alone miss it


def test_a_hard_frame_is_read_on_a_side_thread_while_the_camera_loop_goes_on():
    """A code only the region passes read (a sheared slip) takes the whole pipeline: the camera
    loop hands it to a side thread and returns at once, and a later frame brings the result."""
    import time

    from devices.decode.pipeline import ScanPipeline
    from tests.frames import make_frame

    frame = make_frame(46, (640, 480))
    pipeline = ScanPipeline()
    assert pipeline.decode_live(frame.image) == []  # not held up by the deep passes
    reads: list = []
    for _ in range(500):
        reads = pipeline.decode_live(frame.image)
        if reads:
            break
        time.sleep(0.01)
    assert [c.text for c in reads] == [frame.text]
    assert [c.text for c in ScanPipeline(side_thread=False).decode_live(frame.image)] == [frame.text]
    pipeline.close()  # with the camera: the side thread ends, and a new one starts with the next frame
    assert pipeline._side is None and pipeline.decode_live(frame.image) == []
    assert pipeline._side is not None
    pipeline.close()


def test_a_still_empty_view_is_not_looked_at_again_but_a_change_is():
    """An idle station stays cool: the side thread sees a changed view once, not every few frames."""
    import numpy as np

    from devices.decode.pipeline import ScanPipeline
    from tests.frames import make_frame

    scene = make_frame(7, (1280, 720), with_code=False).image
    noise = np.random.default_rng(0)
    pipeline = ScanPipeline()
    submitted = []
    real = pipeline._executor

    def counting():
        executor = real()
        submitted.append(1)
        return executor

    pipeline._executor = counting
    for _ in range(60):  # two seconds of a still view with sensor noise
        frame = np.clip(scene.astype(np.int16) + noise.normal(0, 4, scene.shape), 0, 255).astype(np.uint8)
        pipeline.decode_live(frame)
        pipeline._pending = None if pipeline._pending and pipeline._pending[1].done() else pipeline._pending
    assert len(submitted) == 1  # the first look only
    if pipeline._pending is not None:
        pipeline._pending[1].result()
        pipeline._pending = None
    pipeline.decode_live(make_frame(8, (1280, 720), with_code=False).image)  # someone steps in
    assert len(submitted) == 2
    pipeline.close()
