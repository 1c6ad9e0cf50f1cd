"""Whether the camera's view changed: what lets the side threads leave a still, empty view alone."""

from __future__ import annotations

import cv2
import numpy as np

VIEW_CELLS = (32, 18)  # the view, averaged to 32x18 cells: sensor noise cancels, a hand or a phone does not
CHANGE_LEVEL = 2.0     # mean change per cell (0-255) that makes the view "changed"


class ViewChange:
    """Remembers the view last called changed; ``changed(gray)`` says whether this one differs from it."""

    def __init__(self) -> None:
        self._last: np.ndarray | None = None

    def changed(self, gray: np.ndarray) -> bool:
        view = cv2.resize(gray, VIEW_CELLS, interpolation=cv2.INTER_AREA).astype(np.int16)
        changed = self._last is None or float(np.abs(view - self._last).mean()) > CHANGE_LEVEL
        if changed:
            self._last = view
        return changed

    def forget(self) -> None:
        self._last = None
