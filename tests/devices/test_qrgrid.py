"""The finder-pattern grid pass (devices/qrgrid.py): codes zxing-cpp's own detector gives up on."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import segno
import zxingcpp

from devices.decode import qrgrid
from devices.decode.pipeline import ScanPipeline
from tests.frames import make_frame


def straight_code(text: str, blur_modules: float, noise: float, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A code drawn straight-on at qrgrid's scale (8 px a module, 4 modules of quiet zone), blurred by
    ``blur_modules`` of a module and with grey noise; and its true modules (True = dark)."""
    modules = np.array(segno.make_qr(text, error="m").matrix, dtype=bool)
    drawn = np.pad(np.where(modules, 40, 210).astype(np.uint8), qrgrid.QUIET, constant_values=210)
    image = np.kron(drawn, np.ones((qrgrid.PX, qrgrid.PX), np.uint8)).astype(np.float32)
    image = cv2.GaussianBlur(image, (0, 0), blur_modules * qrgrid.PX)
    image += np.random.default_rng(seed).normal(0, noise, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8), modules


@pytest.mark.parametrize("text", ["REG-0042", "SC1/C/KRW01/32151103/20210805/1/" + "Q" * 60])
def test_the_known_modules_are_those_of_every_qr_code(text):
    modules = np.array(segno.make_qr(text, error="m").matrix, dtype=bool)
    known, value = qrgrid.known_modules(modules.shape[0])
    assert known.sum() > 3 * 64
    assert np.array_equal(value[known] > 0.5, modules[known])


def test_a_code_blurred_past_zxing_is_read_back_module_by_module():
    """Blur of 0.6 module runs neighbouring modules together: zxing-cpp cannot read the picture;
    fitting the blur and reading the modules one by one gets nearly all of them, and error
    correction the rest."""
    text = "SC1/C/KRW01/32151103/20210805/1/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    image, modules = straight_code(text, blur_modules=0.6, noise=4)
    assert zxingcpp.read_barcodes(image) == []
    clean = qrgrid.redrawn(image, modules.shape[0])
    assert clean is not None
    read = clean[::4, ::4][qrgrid.QUIET:-qrgrid.QUIET, qrgrid.QUIET:-qrgrid.QUIET] < 128
    assert (read != modules).mean() < 0.02
    assert [r.text for r in zxingcpp.read_barcodes(clean)] == [text]


def test_a_picture_with_no_code_is_not_redrawn_into_one():
    noise = np.random.default_rng(3).integers(0, 256, (33 * qrgrid.PX, 33 * qrgrid.PX), dtype=np.uint8)
    clean = qrgrid.redrawn(noise, 25)
    assert clean is None or zxingcpp.read_barcodes(clean) == []
    assert list(qrgrid.straight_on(np.full((300, 300), 128, np.uint8))) == []


@pytest.mark.parametrize("seed, box", [
    (53, (150, 75, 465, 410)),   # module 6, tilt 0.28: perspective zxing-cpp cannot undo
    (148, (10, 245, 110, 375)),   # a version-1 code (no alignment pattern), tilted, blur 1.5 px
])
def test_the_grid_pass_reads_what_every_other_pass_misses_and_outlines_it(seed, box):
    frame = make_frame(seed, (640, 480))
    result = ScanPipeline(grid=True).run(frame.image)
    assert result.decoded_by == "grid" and [c.text for c in result.codes] == [frame.text]
    x0, y0, x1, y1 = box
    assert all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in result.codes[0].corners), result.codes[0].corners
