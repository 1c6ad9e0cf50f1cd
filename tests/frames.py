"""Camera-like frames for tests and benchmarks: a QR on a cluttered background, made from a seed.

Each frame is what a webcam sees when an attendee holds up a phone or a printed slip: the code
tilted in perspective, at some size, with blur, motion, noise, low contrast, a shadow and JPEG.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np
import segno


@dataclass(frozen=True)
class Frame:
    image: np.ndarray
    text: str  # "" when the frame holds no code
    recipe: str


def background(rng: random.Random, size: tuple[int, int]) -> np.ndarray:
    """Clutter: a gradient, random rectangles and lines, like a venue behind a phone."""
    w, h = size
    image = np.tile(np.linspace(rng.randint(60, 140), rng.randint(120, 220), w, dtype=np.float32), (h, 1))
    image = cv2.cvtColor(image.astype(np.uint8), cv2.COLOR_GRAY2BGR)
    for _ in range(rng.randint(5, 25)):
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        p1 = (rng.randint(0, w), rng.randint(0, h))
        p2 = (rng.randint(0, w), rng.randint(0, h))
        if rng.random() < 0.5:
            cv2.rectangle(image, p1, p2, colour, -1)
        else:
            cv2.line(image, p1, p2, colour, rng.randint(1, 6))
    return image


def make_frame(seed: int, size: tuple[int, int] = (640, 480), with_code: bool = True, text: str = "") -> Frame:
    """One frame; the same seed always gives the same frame (``text`` overrides the code's content)."""
    rng = random.Random(seed)
    image = background(rng, size)
    if rng.random() < 0.5:  # the draws stay in this order: a seed must keep giving the same frame
        drawn = f"REG-{rng.randint(0, 9999):04d}"
    else:
        drawn = f"SC1/C/KRW01/{rng.randint(10**7, 10**8 - 1)}/20210805/1/" + "".join(
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(103))
    text = text or drawn  # the draw happens either way, so a seed gives the same frame
    recipe = []
    if with_code:
        image, recipe = _paste_code(rng, image, text)
    else:
        text = ""
    image, more = _degrade(rng, image)
    return Frame(image, text, ",".join(recipe + more))


def _paste_code(rng: random.Random, image: np.ndarray, text: str) -> tuple[np.ndarray, list[str]]:
    h, w = image.shape[:2]
    module = rng.choice([2, 3, 4, 5, 6])
    qr = np.array(segno.make_qr(text, error="m").matrix, dtype=np.uint8)
    code = np.kron(1 - np.pad(qr, 4), np.ones((module, module), dtype=np.uint8)) * 255
    side = code.shape[0]
    if side >= min(h, w) * 0.9:
        code = cv2.resize(code, (int(min(h, w) * 0.8),) * 2, interpolation=cv2.INTER_NEAREST)
        side = code.shape[0]
    tilt = rng.uniform(0, 0.3)
    src = np.float32([[0, 0], [side, 0], [side, side], [0, side]])
    jitter = lambda: rng.uniform(-tilt, tilt) * side  # noqa: E731
    x0, y0 = rng.randint(0, w - side), rng.randint(0, h - side)
    dst = np.float32([[x0 + jitter(), y0 + jitter()], [x0 + side + jitter(), y0 + jitter()],
                      [x0 + side + jitter(), y0 + side + jitter()], [x0 + jitter(), y0 + side + jitter()]])
    dst = _inside(dst, w, h)
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(cv2.cvtColor(code, cv2.COLOR_GRAY2BGR), matrix, (w, h), borderValue=(0, 0, 0))
    mask = cv2.warpPerspective(np.full((side, side), 255, np.uint8), matrix, (w, h))
    image = np.where(mask[..., None] > 0, warped, image)
    return image, [f"module={module}", f"tilt={tilt:.2f}"]


def _inside(quad: np.ndarray, w: int, h: int) -> np.ndarray:
    """The tilted code moved (and, if wider than the view, shrunk about its centre) into the frame.

    The tilt moves each corner by up to 30% of the code's side, which could push part of the code
    out of view; an attendee watching the preview brings it back in, and a frame showing a third
    of a code measures nothing. Draws no random numbers, so every other frame stays the same.
    """
    low, high = quad.min(axis=0), quad.max(axis=0)
    fit = min(1.0, (w - 1) / (high[0] - low[0]), (h - 1) / (high[1] - low[1]))
    if fit < 1.0:
        centre = (low + high) / 2
        quad = centre + (quad - centre) * fit
        low, high = quad.min(axis=0), quad.max(axis=0)
    shift = np.maximum(0, -low) - np.maximum(0, high - [w - 1, h - 1])
    return (quad + shift).astype(np.float32)


def _degrade(rng: random.Random, image: np.ndarray) -> tuple[np.ndarray, list[str]]:
    recipe = []
    sigma = rng.choice([0, 0, 0.6, 1.0, 1.5])
    if sigma:
        image = cv2.GaussianBlur(image, (0, 0), sigma)
        recipe.append(f"blur={sigma}")
    if rng.random() < 0.2:
        length = rng.choice([3, 5, 7])
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1 / length
        image = cv2.filter2D(image, -1, kernel)
        recipe.append(f"motion={length}")
    contrast = rng.uniform(0.5, 1.0)
    image = cv2.convertScaleAbs(image, alpha=contrast, beta=(1 - contrast) * 128)
    if rng.random() < 0.3:
        h, w = image.shape[:2]
        shade = np.tile(np.linspace(1.0, rng.uniform(0.4, 0.8), w, dtype=np.float32), (h, 1))[..., None]
        image = (image * shade).astype(np.uint8)
        recipe.append("shadow")
    noise = rng.uniform(0, 12)
    image = np.clip(image + np.random.default_rng(rng.randint(0, 2**31)).normal(0, noise, image.shape), 0, 255).astype(np.uint8)
    quality = rng.randint(40, 95)
    image = cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_COLOR)
    return image, recipe + [f"contrast={contrast:.2f}", f"noise={noise:.0f}", f"jpeg={quality}"]
