"""The camera loop without any UI: a folder camera, the real decoder chain, a thread."""

from __future__ import annotations

import shutil
import threading
import time

import segno

from devices.camera import FolderCamera
from devices.camera_loop import CameraLoop
from devices.factory import build_chain
from kiosk.config import DeviceSettings


def run_loop(loop: CameraLoop):
    codes, states, frames = [], [], []
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop, codes.append, states.append, lambda f, c: frames.append(c)))
    thread.start()
    return stop, thread, codes, states, frames


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_held_code_is_reported_once_at_the_configured_pace_and_a_missing_camera_is_reopened(tmp_path):
    folder = tmp_path / "camera"
    chain, _ = build_chain(DeviceSettings())
    loop = CameraLoop(FolderCamera(folder, hold_s=1.0, gap_s=0.2), chain, fps=10, reopen_s=0.2)
    stop, thread, codes, states, frames = run_loop(loop)
    try:
        wait_for(lambda: states and "does not exist" in states[-1])  # unplugged: said, and tried again
        folder.mkdir()
        wait_for(lambda: states[-1] == "ready")
        segno.make_qr("REG-0007", error="m").save(str(tmp_path / "q.png"), scale=6, border=4)
        shutil.copy(tmp_path / "q.png", folder / "q.png")
        started = len(frames)
        wait_for(lambda: codes == ["REG-0007"])
        time.sleep(1.2)  # held for the rest of its second: still one check-in's worth
        assert codes == ["REG-0007"]
        assert 8 <= len(frames) - started <= 25  # about 10 frames a second, not as fast as it can
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive() and chain.decoders[0]._side is None  # the side thread ended with the camera
