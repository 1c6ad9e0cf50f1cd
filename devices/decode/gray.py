"""Frames as decoders want them: one 2-D luminance image."""

from __future__ import annotations

from typing import Any

import numpy as np


def to_gray(frame: Any) -> np.ndarray:
    """A 2-D uint8 luminance image from a gray or BGR frame (decoders work on luminance)."""
    array = np.asarray(frame)
    if array.ndim == 3:
        import cv2

        return cv2.cvtColor(array, cv2.COLOR_BGR2GRAY if array.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)
    return array
