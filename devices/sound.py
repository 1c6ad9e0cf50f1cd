"""Feedback sounds: a short, distinct sound for admitted, refused and "please see staff".

Behind the ``Sound`` port (kiosk/ports.py). ``ToneSound`` renders each sound as a small WAV in
memory and hands it to a player (``aplay -q -D DEVICE -`` by default, ALSA's own tool) without
waiting; ``BellSound`` rings the terminal bell (one, two or three rings), the fallback where a
station has no speaker of its own. Nothing is written to disk and nothing blocks the screen.
"""

from __future__ import annotations

import io
import logging
import math
import shutil
import struct
import subprocess
import threading
import wave
from collections.abc import Callable, Sequence

from kiosk.i18n import _
from kiosk.ports import DeviceError

RATE = 16_000
# (frequency Hz, milliseconds) per note; 0 Hz is silence. Rising for yes, low and falling for no,
# three even beeps for "see staff": told apart without looking, and none longer than half a second.
TUNES: dict[str, tuple[tuple[int, int], ...]] = {
    "admitted": ((880, 110), (0, 30), (1320, 160)),
    "refused": ((440, 140), (0, 40), (330, 220)),
    "see_staff": ((660, 90), (0, 70), (660, 90), (0, 70), (660, 90)),
}
RINGS = {"admitted": 1, "refused": 2, "see_staff": 3}
log = logging.getLogger("kiosk.sound")


def render(kind: str, volume: float = 0.5) -> bytes:
    """The WAV file (16-bit mono) of one feedback sound."""
    frames = bytearray()
    for freq, ms in TUNES[kind]:
        count = RATE * ms // 1000
        for i in range(count):
            fade = min(1.0, i / 80, (count - i) / 80)  # no clicks at the edges
            value = math.sin(2 * math.pi * freq * i / RATE) * volume * fade if freq else 0.0
            frames += struct.pack("<h", int(value * 32767))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(bytes(frames))
    return out.getvalue()


class ToneSound:
    """Plays the rendered sounds through a command that reads a WAV on its standard input."""

    def __init__(self, device: str = "default", command: Sequence[str] | None = None, volume: float = 0.5) -> None:
        self.command = list(command) if command else ["aplay", "-q", "-D", device, "-"]
        self.volume = volume
        self._wavs = {kind: render(kind, volume) for kind in TUNES}

    def check(self) -> None:
        """Raise DeviceError when the player is missing (for the diagnostics line)."""
        if shutil.which(self.command[0]) is None:
            raise DeviceError(_("sound player {command} not found: apt-get install alsa-utils, or set sound.output = "
                                "\"bell\"", command=self.command[0]))

    def play(self, kind: str) -> None:
        """Start the sound and return at once (a busy or missing sound card is logged, never raised)."""
        try:
            player = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
        except OSError as exc:
            log.warning("sound: cannot start %s: %s", self.command[0], exc)
            return
        threading.Thread(target=_feed, args=(player, self._wavs[kind]), daemon=True, name="sound").start()


def _feed(player: subprocess.Popen[bytes], data: bytes) -> None:
    try:
        assert player.stdin is not None
        player.stdin.write(data)
        player.stdin.close()
        player.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("sound: %s", exc)
        player.kill()


class BellSound:
    """The terminal bell: one ring admitted, two refused, three "see staff" (``ring`` is the app's bell)."""

    def __init__(self, ring: Callable[[], None], schedule: Callable[[float, Callable[[], None]], object],
                 gap_s: float = 0.25) -> None:
        self.ring, self.schedule, self.gap_s = ring, schedule, gap_s

    def check(self) -> None:
        """The bell needs nothing."""

    def play(self, kind: str) -> None:
        """Ring now, and again for the other rings ``gap_s`` apart (scheduled, never slept)."""
        self.ring()
        for n in range(1, RINGS[kind]):
            self.schedule(n * self.gap_s, self.ring)


def build_sound(output: str, device: str, volume: float, ring: Callable[[], None],
                schedule: Callable[[float, Callable[[], None]], object]) -> ToneSound | BellSound | SilentSound:
    """The sound ``sound.output`` names: "alsa" (tones through aplay), "bell" (the terminal's), or "off"."""
    if output == "alsa":
        return ToneSound(device, volume=volume)
    if output == "bell":
        return BellSound(ring, schedule)
    return SilentSound()


class SilentSound:
    """No sound (``sound.output = "off"``, the demo's default)."""

    def check(self) -> None:
        """Nothing to check."""

    def play(self, kind: str) -> None:
        """Nothing."""


