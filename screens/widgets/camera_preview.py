"""What the camera sees, in the terminal: a downscaled frame in half-block characters.

Each character cell shows two pixels (upper half in the foreground colour, lower half in the
background), so attendees can aim their phone; the code the decoder found is outlined in green.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    import numpy as np

OUTLINE = (40, 220, 90)


class CameraPreview(Widget):
    """Shows the latest ``pixels`` (an RGB array, two pixel rows per line)."""

    DEFAULT_CSS = """
    CameraPreview { width: 48; height: 18; border: round $primary; }
    """

    class Resized(Message):
        """The preview's size in character cells (columns, rows), for the worker that fills it."""

        def __init__(self, cells: tuple[int, int] | None) -> None:
            super().__init__()
            self.cells = cells

    def on_resize(self, event: events.Resize) -> None:
        """Tell the screen how many cells to fill (the content area, inside the border)."""
        size = self.content_size
        self.post_message(self.Resized((size.width, size.height) if size.width and size.height else None))

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.pixels: np.ndarray | None = None

    def show(self, pixels: np.ndarray) -> None:
        """Replace the picture (called on the UI thread with a frame the worker prepared)."""
        self.pixels = pixels
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """Line ``y``: pixel rows 2y and 2y+1."""
        width = self.size.width
        if self.pixels is None or 2 * y + 1 >= self.pixels.shape[0]:
            return Strip.blank(width)
        top, bottom = self.pixels[2 * y], self.pixels[2 * y + 1]
        segments = [Segment("▀", Style(color=_rgb(t), bgcolor=_rgb(b))) for t, b in zip(top[:width], bottom[:width])]
        return Strip(segments).extend_cell_length(width)


def preview_pixels(frame: np.ndarray, cells: tuple[int, int], corners: tuple[tuple[int, int], ...] = ()) -> np.ndarray:
    """Downscale a BGR or gray frame to ``cells`` (columns, rows) x2 rows and draw the outline."""
    import cv2
    import numpy as np

    columns, rows = cells
    height, width = frame.shape[:2]
    rgb = cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB) if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    small = cv2.resize(rgb, (columns, rows * 2), interpolation=cv2.INTER_AREA)
    if corners:
        points = np.array([[x * columns / width, y * rows * 2 / height] for x, y in corners], np.int32)
        cv2.polylines(small, [points], True, OUTLINE, 1)
    return small


def _rgb(pixel: np.ndarray) -> str:
    return f"rgb({int(pixel[0])},{int(pixel[1])},{int(pixel[2])})"
