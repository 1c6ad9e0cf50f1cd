"""The camera's diagnostics line: resolution, frame rate and a live decode, measured on real frames."""

from __future__ import annotations

import numpy as np

from devices.camera import FolderCamera
from devices.camera_loop import CameraStats
from devices.diagnostics import camera_probe
from devices.factory import build_chain
from kiosk.config import DeviceSettings
from tests.helpers import show_qr


def test_a_healthy_camera_says_its_size_rate_and_what_it_read():
    stats = CameraStats()
    frame = np.zeros((720, 1280, 3), np.uint8)
    for n in range(30):
        stats.frame(frame, [], now=n / 15)  # 15 frames a second
    detail, ok, action = stats.describe(now=2.0)
    assert ok and not action
    assert detail.startswith("1280x720, 15 frames/s") and "hold a QR" in detail


def test_a_slow_camera_is_a_problem_with_its_fix():
    stats = CameraStats()
    for n in range(6):
        stats.frame(np.zeros((480, 640), np.uint8), [], now=n / 2)  # 2 frames a second
    detail, ok, action = stats.describe(now=3.0)
    assert not ok and "2 frames/s" in detail and "lower resolution" in action


def test_no_picture_is_a_problem():
    detail, ok, action = CameraStats().describe(now=0.0)
    assert not ok and detail.startswith("0x0") and "cable" in action


def test_the_probe_reads_a_code_held_to_a_real_camera_source(tmp_path):
    show_qr(tmp_path / "cam", "REG-0042", "qr.png")
    camera = FolderCamera(tmp_path / "cam", consume=False)
    chain, _problems = build_chain(DeviceSettings())
    camera.open()
    try:
        detail, ok, _action = camera_probe(camera, chain, sample_s=0.6)
    finally:
        camera.close()
        chain.close() if hasattr(chain, "close") else None
    assert ok, detail
    assert "read a QR Code" in detail and "frames/s" in detail
