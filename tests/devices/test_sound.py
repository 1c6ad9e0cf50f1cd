"""Feedback sounds: real WAV bytes, told apart by their notes, played through a real player process."""

from __future__ import annotations

import io
import sys
import wave

import numpy as np
import pytest

from devices.sound import TUNES, BellSound, ToneSound, render
from kiosk.ports import DeviceError


def samples(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(float), wav.getframerate()


def first_note_hz(data: bytes) -> float:
    signal, rate = samples(data)
    note = signal[: rate // 20]  # the first 50 ms
    spectrum = np.abs(np.fft.rfft(note * np.hanning(len(note))))
    return float(np.fft.rfftfreq(len(note), 1 / rate)[spectrum.argmax()])


def test_three_short_sounds_told_apart_by_ear():
    heard = {}
    for kind in TUNES:
        signal, rate = samples(render(kind))
        assert 0.2 < len(signal) / rate < 0.6, kind  # short: the next attendee is already there
        assert np.abs(signal).max() < 32767 * 0.6  # no clipping at volume 0.5
        heard[kind] = (round(first_note_hz(render(kind)), -1), sum(1 for f, _ms in TUNES[kind] if f))
    assert heard["admitted"] == (880, 2) and heard["refused"] == (440, 2) and heard["see_staff"] == (660, 3)
    assert len(set(heard.values())) == 3


def test_tones_go_to_the_player_process_whole(tmp_path):
    out = tmp_path / "played.wav"
    player = ToneSound(command=[sys.executable, "-c", f"import sys; open({str(out)!r}, 'wb').write(sys.stdin.buffer.read())"])
    player.check()
    player.play("see_staff")
    import time

    for _ in range(100):
        if out.exists() and out.stat().st_size == len(render("see_staff")):
            break
        time.sleep(0.05)
    assert out.read_bytes() == render("see_staff")


def test_a_missing_player_is_a_diagnostic_with_its_fix_and_never_stops_the_station():
    sound = ToneSound(command=["no-such-aplay-here", "-q"])
    with pytest.raises(DeviceError, match="alsa-utils"):
        sound.check()
    sound.play("admitted")  # logged, not raised: a check-in never fails for a speaker


def test_the_bell_rings_once_twice_or_three_times():
    rings, later = [], []
    bell = BellSound(lambda: rings.append(1), lambda delay, ring: later.append(delay))
    for kind, count in (("admitted", 1), ("refused", 2), ("see_staff", 3)):
        rings.clear()
        later.clear()
        bell.play(kind)
        assert len(rings) + len(later) == count
        assert later == sorted(later) and all(d > 0 for d in later)
