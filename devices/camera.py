"""The fake camera: plays the images (and videos) put in a folder, like a webcam would see them.

Each image is shown once, in name order, for ``hold_s`` seconds, then the camera sees nothing
(an empty grey frame) for ``gap_s``; files added while it runs are shown next. A shown file is
moved to ``shown/`` (the attendee took their phone away), so a restart does not replay it.
A technician can replay a bad scan by dropping the photo in the folder. ``OpenCVCamera`` is the
real webcam (or video file); ``StillCamera`` one image.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.i18n import _
from kiosk.ports import DeviceError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".pgm", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mkv", ".mov", ".webm"}


class FolderCamera:
    """A ``Camera`` that plays a folder."""

    def __init__(self, folder: Path, hold_s: float = 1.5, gap_s: float = 1.0, size: tuple[int, int] = (640, 480),
                 monotonic: Callable[[], float] = time.monotonic, consume: bool = True) -> None:
        self.folder = folder
        self.consume = consume
        self.hold_s, self.gap_s, self.size = hold_s, gap_s, size
        self._now = monotonic
        self._seen: set[str] = set()
        self._current: Any = None
        self._until = 0.0
        self._video: Any = None
        self._blank = np.full((size[1], size[0]), 128, dtype=np.uint8)

    def open(self) -> None:
        """Check the folder exists (a missing folder is an unplugged camera)."""
        if not self.folder.is_dir():
            raise DeviceError(_("camera folder {folder} does not exist", folder=self.folder))

    def read(self) -> Any:
        """The frame the camera sees now."""
        if self._video is not None:
            return self._video_frame()
        now = self._now()
        if self._current is not None and now < self._until:
            return self._current
        if self._current is not None:
            self._current, self._until = None, now + self.gap_s
        if now >= self._until:
            self._load_next(now)
            if self._video is not None:
                return self._video_frame()
        return self._current if self._current is not None else self._blank

    def _load_next(self, now: float) -> None:
        for path in sorted(self.folder.iterdir()) if self.folder.is_dir() else []:
            suffix = path.suffix.lower()
            if path.name in self._seen or suffix not in IMAGE_SUFFIXES | VIDEO_SUFFIXES:
                continue
            frame = None if suffix in VIDEO_SUFFIXES else _read_image(path)
            if frame is None and suffix not in VIDEO_SUFFIXES and _still_being_written(path):
                continue  # caught mid-copy: try again on the next read
            self._seen.add(path.name)
            path = _move_to_shown(path) if self.consume else path
            if suffix in VIDEO_SUFFIXES:
                self._open_video(path)
                return
            if frame is not None:
                self._current, self._until = frame, now + self.hold_s
                return

    def _open_video(self, path: Path) -> None:
        import cv2

        capture = cv2.VideoCapture(str(path))
        self._video = capture if capture.isOpened() else None

    def _video_frame(self) -> Any:
        ok, frame = self._video.read()
        if not ok:
            self._video.release()
            self._video = None
            return self._blank
        return frame

    def close(self) -> None:
        """Stop playing a video."""
        if self._video is not None:
            self._video.release()
            self._video = None


def _still_being_written(path: Path, settle_s: float = 1.0) -> bool:
    """A file changed within the last second may be half-copied; an older unreadable one is broken."""
    try:
        return time.time() - path.stat().st_mtime < settle_s
    except OSError:
        return False


def _move_to_shown(path: Path) -> Path:
    """Move a played file aside; a read-only folder just keeps it (it is remembered as seen)."""
    target = path.parent / "shown" / path.name
    try:
        target.parent.mkdir(exist_ok=True)
        return path.replace(target)
    except OSError:
        return path


def _read_image(path: Path) -> Any:
    import cv2

    try:
        return cv2.imread(str(path), cv2.IMREAD_COLOR)  # None for a file OpenCV cannot read
    except cv2.error:
        return None


class OpenCVCamera:
    """A ``Camera`` over OpenCV's VideoCapture: a webcam (index or /dev/videoN) or a video file.

    A video file is paced to its own frame rate (OpenCV would read it as fast as it can) and
    ends with an empty view. A webcam that stops giving frames raises DeviceError, so the camera
    worker shows it and reopens the device when it is back.
    """

    def __init__(self, source: str, width: int = 1280, height: int = 720, fps: int = 15,
                 monotonic: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.source = source
        self.width, self.height, self.fps = width, height, fps
        self._now, self._sleep = monotonic, sleep
        self._capture: Any = None
        self._is_file = not source.isdigit() and not source.startswith("/dev/")
        self._next = 0.0
        self._period = 1.0 / fps
        self._blank = np.full((height, width), 128, dtype=np.uint8)

    def open(self) -> None:
        """Open the device or file, asking for the configured size and rate."""
        import cv2

        self.close()
        if self._is_file and not Path(self.source).is_file():
            raise DeviceError(_("camera source {source} not found", source=self.source))
        capture = cv2.VideoCapture(int(self.source) if self.source.isdigit() else self.source)
        if not capture.isOpened():
            capture.release()
            raise DeviceError(_("camera {source} not found or busy", source=self.source))
        if self._is_file:
            file_fps = capture.get(cv2.CAP_PROP_FPS)
            self._period = 1.0 / file_fps if file_fps and file_fps > 0 else 1.0 / self.fps
        else:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            capture.set(cv2.CAP_PROP_FPS, self.fps)
        self._capture, self._next = capture, self._now()

    def read(self) -> Any:
        """The next frame; files at their own pace, an empty view once a file has ended."""
        if self._capture is None:
            raise DeviceError(_("camera {source} is not open", source=self.source))
        if self._is_file:
            wait = self._next - self._now()
            if wait > 0:
                self._sleep(wait)
            self._next = max(self._next + self._period, self._now())
        ok, frame = self._capture.read()
        if ok:
            return frame
        if self._is_file:
            return self._blank
        raise DeviceError(_("camera {source} stopped sending frames (unplugged?)", source=self.source))

    def close(self) -> None:
        """Release the device."""
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class StillCamera:
    """A camera that always sees one image (a technician replaying a bad scan)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._frame: Any = None

    def open(self) -> None:
        """Load the image; a missing or unreadable file is a DeviceError."""
        self._frame = _read_image(self.path) if self.path.is_file() else None
        if self._frame is None:
            raise DeviceError(_("camera image {path} cannot be read", path=self.path))

    def read(self) -> Any:
        """The same image every time."""
        return self._frame

    def close(self) -> None:
        """Nothing to release."""
