"""A QR code's module grid found from its finder patterns, for the codes zxing-cpp's own detector
gives up on: steep perspective (zxing corrects perspective only through the alignment pattern,
and a version-1 code has none) and modules blurred into their neighbours.

In a region (``straight_on``):
1. Guess grids (``grid_guesses``). Finder patterns are square-in-ring-in-square shapes in a
   binarised copy. Three that make an L give a homography through their twelve outer corners,
   for each likely size. With fewer, finders are also looked for by their blurred look
   (``finder_matches``), or the third is taken as the darkest finder-sized spot where two found
   ones say it should be.
2. Fit each grid (``GridFit``). Every QR code has modules in known places: finders, separators,
   timing patterns, quiet zone. A blur kernel fitted on them leaves a small residual only when
   the grid lies where the code is, so the grid's corners are moved to make it smallest.
3. Read the best grids. The code is warped straight-on, and also read module by module
   (``redrawn``): each unknown module is set dark or light to best explain the samples around
   it under the fitted blur, and the result is drawn as a clean code.

zxing-cpp still does all the decoding and error correction, so a wrong guess anywhere here is
caught by Reed-Solomon and never returned.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator

import cv2
import numpy as np

PX = 8        # pixels per module in the straight-on copy
QUIET = 4     # modules of quiet zone around it
RING = 3      # quiet-zone modules used when fitting the blur kernel
MAX_REFINED = 10  # rough grids refined per region (the best-fitting first)...
MAX_GRIDS = 4    # ...and read
STEP0 = 0.5      # first step of the refinement, in modules


Finder = tuple[np.ndarray | None, np.ndarray, float]  # outer quadrilateral (4x2), centre, side in pixels


def finder_patterns(binary: np.ndarray, limit: int = 12) -> list[Finder]:
    """Nested dark-light-dark squares (finder patterns) in a binary image with dark = 255, largest first."""
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    links = hierarchy[0]
    found: list[Finder] = []
    for i, contour in enumerate(contours):
        child = links[i][2]
        grandchild = links[child][2] if child >= 0 else -1
        if grandchild < 0:
            continue
        outer, core = cv2.contourArea(contour), cv2.contourArea(contours[grandchild])
        if outer < 30 or core <= 0 or not 2.5 < outer / core < 12:  # 49 : 9 modules when sharp
            continue
        hull = cv2.convexHull(contour)
        if outer < 0.8 * cv2.contourArea(hull):
            continue
        quad = _four_corners(hull)
        moments = cv2.moments(contours[grandchild])
        if quad is None or moments["m00"] == 0:
            continue
        centre = np.float32([moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]])
        found.append((quad, centre, float(np.sqrt(outer))))
    return _distinct(found)[:limit]


def _distinct(found: list[Finder]) -> list[Finder]:
    """One finder per place (the largest outline seen there), largest first."""
    distinct: list[Finder] = []
    for finder in sorted(found, key=lambda f: -f[2]):
        if all(np.linalg.norm(finder[1] - other[1]) > 0.3 * other[2] for other in distinct):
            distinct.append(finder)
    return distinct


def _four_corners(hull: np.ndarray) -> np.ndarray | None:
    perimeter = cv2.arcLength(hull, True)
    for epsilon in (0.02, 0.04, 0.06, 0.08, 0.12):
        approx = cv2.approxPolyDP(hull, epsilon * perimeter, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32)
    return None


def corner_triples(finders: list[Finder]) -> Iterator[tuple[Finder, Finder, Finder]]:
    """(top-left, top-right, bottom-left) for each three finders that make an L of a QR code."""
    for trio in itertools.combinations(finders, 3):
        sides = [f[2] for f in trio]
        if max(sides) > 2.0 * min(sides):
            continue
        best = None
        for corner, p, q in ((trio[0], trio[1], trio[2]), (trio[1], trio[0], trio[2]), (trio[2], trio[0], trio[1])):
            u, v = p[1] - corner[1], q[1] - corner[1]
            lu, lv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
            if min(lu, lv) < 1.2 * corner[2] or not 0.6 < lu / lv < 1.67:
                continue
            cosine = abs(float(u @ v)) / (lu * lv)
            if cosine <= 0.5 and (best is None or cosine < best[0]):
                right, down = (p, q) if u[0] * v[1] - u[1] * v[0] > 0 else (q, p)
                best = (cosine, corner, right, down)
        if best is not None:
            yield best[1], best[2], best[3]


def homographies(tl: Finder, tr: Finder, bl: Finder) -> list[tuple[int, np.ndarray]]:
    """(modules per side, homography module coordinates -> image) for the likely sizes."""
    found = []
    for n in _sizes(tl, tr, bl):
        centres = _finder_centres(n)
        back = cv2.invertAffineTransform(_through_centres((tl, tr, bl), n)[:2])
        modules, pixels = [], []
        for finder, (cx, cy) in zip((tl, tr, bl), centres):
            canonical = [(cx - 3.5, cy - 3.5), (cx + 3.5, cy - 3.5), (cx + 3.5, cy + 3.5), (cx - 3.5, cy + 3.5)]
            for point in finder[0] if finder[0] is not None else ():  # a finder only guessed at has no outline
                mx, my = back @ np.array([point[0], point[1], 1.0])
                modules.append(min(canonical, key=lambda c: (c[0] - mx) ** 2 + (c[1] - my) ** 2))
                pixels.append(point)
            modules.append((cx, cy))
            pixels.append(finder[1])
        if len(set(modules)) < len(modules) or len(modules) < 5:  # a corner matched twice, or no outline at all
            continue
        matrix, _ = cv2.findHomography(np.float32(modules), np.float32(pixels), 0)
        if matrix is not None:
            found.append((n, matrix))
    return found


def _sizes(tl: Finder, tr: Finder, bl: Finder) -> list[int]:
    """Modules per side the three finders' spacing and size suggest, one version either way too."""
    module = np.mean([tl[2], tr[2], bl[2]]) / 7.0
    spacing = (np.linalg.norm(tr[1] - tl[1]) + np.linalg.norm(bl[1] - tl[1])) / 2
    version = int(round((spacing / module + 7 - 17) / 4))
    return [17 + 4 * v for v in (version, version - 1, version + 1) if 1 <= v <= 40]


def binarised(image: np.ndarray) -> Iterator[np.ndarray]:
    """Dark = 255: local-mean thresholds (uneven light), the stricter one reopening a finder's light
    ring that blur has closed; then Otsu."""
    block = max(15, (min(image.shape) // 10) | 1)
    for offset in (5, 20):
        yield cv2.adaptiveThreshold(image, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, offset)
    _, otsu = cv2.threshold(cv2.GaussianBlur(image, (3, 3), 0), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    yield otsu


def grid_guesses(image: np.ndarray, *variants: np.ndarray) -> list[tuple[int, np.ndarray, float]]:
    """Rough grids (modules per side, image positions of the grid's corners, pixels per module).

    Finder patterns are pooled over every binarisation of ``image`` and its ``variants`` (the same
    picture sharpened): blur closes one finder's ring in one copy and another's in the next.
    """
    found: list[Finder] = []
    for picture in (image, *variants):
        for binary in binarised(picture):
            found += finder_patterns(binary)
    finders = _distinct(found)[:12]
    guesses = []
    for tl, tr, bl in corner_triples(finders):
        module = float(np.mean([tl[2], tr[2], bl[2]])) / 7
        guesses += [(n, _corners(matrix, n), module) for n, matrix in homographies(tl, tr, bl)]
    if guesses or not finders:
        return guesses
    # blur has closed some finders' rings: look for the rest by their blurred look...
    module = float(np.median([f[2] for f in finders[:3]])) / 7
    for trio in corner_triples(_distinct(finders + finder_matches(image, module))[:8]):
        guesses += _grids_through(trio, module)
    # ...and where two found ones say the third should be, in each of the three ways two can sit
    for a, b in itertools.permutations(finders[:4], 2):
        module = (a[2] + b[2]) / 14
        distance = float(np.linalg.norm(b[1] - a[1]))
        if max(a[2], b[2]) > 2.0 * min(a[2], b[2]) or not 1.5 * 7 * module <= distance <= 1.5 * 50 * module:
            continue
        across = np.float32([a[1][1] - b[1][1], b[1][0] - a[1][0]])  # a->b turned a right angle clockwise
        # a and b as top-left and top-right, top-left and bottom-left, or top-right and bottom-left
        for place, spot in ((2, a[1] + across), (1, a[1] - across), (0, (a[1] + b[1] + across) / 2)):
            centre = _darkest_near(image, spot, module)
            if centre is not None:
                trio = [a, b]
                trio.insert(place, (None, centre, 7 * module))
                guesses += _grids_through((trio[0], trio[1], trio[2]), module)
    return guesses


def _grids_through(trio: tuple[Finder, Finder, Finder], module: float) -> list[tuple[int, np.ndarray, float]]:
    """Grids through three finders (top-left, top-right, bottom-left): through their outlines where
    known, and through their centres alone (blur makes outlines unreliable)."""
    grids = [(n, _corners(matrix, n), module) for n, matrix in homographies(*trio)]
    grids += [(n, _corners(_through_centres(trio, n), n), module) for n in _sizes(*trio)]
    return grids


def _finder_centres(n: int) -> tuple[tuple[float, float], ...]:
    """Module coordinates of the top-left, top-right and bottom-left finder centres."""
    return (3.5, 3.5), (n - 3.5, 3.5), (3.5, n - 3.5)


def _through_centres(trio: tuple[Finder, Finder, Finder], n: int) -> np.ndarray:
    """The affine map (as a 3x3 matrix) taking the finder centres' module coordinates to the image."""
    affine = cv2.getAffineTransform(np.float32(_finder_centres(n)), np.float32([f[1] for f in trio]))
    return np.vstack([affine, [0, 0, 1]])


def finder_matches(image: np.ndarray, module: float, limit: int = 6) -> list[Finder]:
    """Places that look like a blurred finder pattern with its light separator (normalised
    cross-correlation with a drawn one, at this module size and a fifth either way)."""
    found: list[Finder] = []
    pattern = np.full((9, 9), 1.0, np.float32)
    pattern[1:8, 1:8] = 0
    pattern[2:7, 2:7] = 1
    pattern[3:6, 3:6] = 0
    for size in (module * 0.8, module, module * 1.25):
        side = max(9, int(round(9 * size)))
        template = cv2.GaussianBlur(cv2.resize(pattern, (side, side), interpolation=cv2.INTER_NEAREST), (0, 0), 0.4 * size)
        if side >= min(image.shape):
            continue
        score = cv2.matchTemplate(image.astype(np.float32), template, cv2.TM_CCOEFF_NORMED)
        peaks = (score >= cv2.dilate(score, np.ones((side, side), np.uint8))) & (score > 0.45)
        for y, x in zip(*np.nonzero(peaks)):
            found.append((None, np.float32([x + side / 2, y + side / 2]), 7 * size, float(score[y, x])))
    found.sort(key=lambda f: -f[3])
    return [(q, c, size) for q, c, size, _ in found[:limit]]


def _darkest_near(image: np.ndarray, point: np.ndarray, module: float) -> np.ndarray | None:
    """The centre of the darkest finder-core-sized spot within four modules of ``point``."""
    reach, core = int(4 * module), max(3, int(3 * module)) | 1
    x, y = int(round(point[0])), int(round(point[1]))
    h, w = image.shape
    left, top, right, bottom = max(0, x - reach - core), max(0, y - reach - core), min(w, x + reach + core), min(h, y + reach + core)
    if right - left <= 2 * core or bottom - top <= 2 * core or not (0 <= x < w and 0 <= y < h):
        return None
    mean = cv2.blur(image[top:bottom, left:right].astype(np.float32), (core, core))
    inner = mean[core // 2:-(core // 2) or None, core // 2:-(core // 2) or None]
    row, col = np.unravel_index(int(np.argmin(inner)), inner.shape)
    return np.float32([left + col + core // 2, top + row + core // 2])


def _corners(matrix: np.ndarray, n: int) -> np.ndarray:
    square = np.float32([[0, 0], [n, 0], [n, n], [0, n]]).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(square, matrix).reshape(4, 2).astype(np.float64)


class GridFit:
    """How well a grid of ``n`` modules placed at given corners explains the modules every QR code
    has (finders, separators, timing, quiet zone): the residual of the blur model fitted on them,
    relative to their spread. Moving the corners to lower it puts the grid where the code is."""

    def __init__(self, image: np.ndarray, n: int, module: float) -> None:
        self.n, self.module = n, module
        self.smooth = cv2.GaussianBlur(image, (0, 0), max(0.5, module / 4)).astype(np.float32)
        m = n + 2 * RING
        self.centres = np.float32([(col - RING + 0.5, row - RING + 0.5)
                                   for row in range(m) for col in range(m)]).reshape(-1, 1, 2)
        self.square = np.float32([[0, 0], [n, 0], [n, n], [0, n]])
        _, self.fully_known, self.design = _blur_model(n)
        self.solve = _blur_solver(n)

    def error(self, corners: np.ndarray) -> float:
        m = self.n + 2 * RING
        matrix = cv2.getPerspectiveTransform(self.square, np.float32(corners))
        points = cv2.perspectiveTransform(self.centres, matrix).reshape(m, m, 2)
        seen = cv2.remap(self.smooth, points[..., 0], points[..., 1], cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)[self.fully_known]
        residual = seen - self.design @ (self.solve @ seen)
        return float(residual.std() / (seen.std() + 1e-6))

    def refine(self, corners: np.ndarray, budget: int = 400) -> tuple[np.ndarray, float]:
        """Coordinate descent on the eight corner coordinates, from STEP0 of a module down to a twentieth."""
        best, error = corners.astype(np.float64), self.error(corners)
        step, spent = STEP0 * self.module, 0
        while step > 0.05 * self.module and spent < budget:
            improved = False
            for k, axis, sign in itertools.product(range(4), range(2), (1, -1)):
                trial = best.copy()
                trial[k, axis] += sign * step
                trial_error = self.error(trial)
                spent += 1
                if trial_error < error - 1e-5:
                    best, error, improved = trial, trial_error, True
            if not improved:
                step /= 2
        return best, error


def straight_on(image: np.ndarray, *variants: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
    """(straight-on copy with a quiet zone, matrix mapping it back into ``image``, modules per side),
    best-fitting grid first; one copy of ``image`` and one of each variant per grid."""
    guesses = grid_guesses(image, *variants)
    fits = [GridFit(image, n, module) for n, _, module in guesses]
    rough = sorted(range(len(guesses)), key=lambda i: fits[i].error(guesses[i][1]))[:MAX_REFINED]
    refined = sorted((fits[i].refine(guesses[i][1])[::-1] + (guesses[i][0],) for i in rough), key=lambda r: r[0])
    for _, corners, n in refined[:MAX_GRIDS]:
        target = np.float32([[QUIET * PX, QUIET * PX], [(QUIET + n) * PX, QUIET * PX],
                             [(QUIET + n) * PX, (QUIET + n) * PX], [QUIET * PX, (QUIET + n) * PX]])
        forward = cv2.getPerspectiveTransform(np.float32(corners), target)
        side = (n + 2 * QUIET) * PX
        for picture in (image, *variants):
            copy = cv2.warpPerspective(picture, forward, (side, side), flags=cv2.INTER_CUBIC,
                                       borderMode=cv2.BORDER_REPLICATE)
            yield copy, np.linalg.inv(forward), n


def known_modules(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(mask, value) of the modules every QR code of this size has: finders, separators, timing; 1 = dark."""
    known = np.zeros((n, n), bool)
    value = np.zeros((n, n), np.float32)
    finder = np.ones((7, 7), np.float32)
    finder[1:6, 1:6] = 0
    finder[2:5, 2:5] = 1
    for row, col in ((0, 0), (0, n - 7), (n - 7, 0)):
        value[row:row + 7, col:col + 7] = finder
    for row, col in ((0, 0), (0, n - 8), (n - 8, 0)):
        known[row:row + 8, col:col + 8] = True  # the finder and its light separator
    timing = (np.arange(8, n - 8) % 2 == 0).astype(np.float32)
    value[6, 8:n - 8] = timing
    value[8:n - 8, 6] = timing
    known[6, 8:n - 8] = known[8:n - 8, 6] = True
    return known, value


REACH = 2  # modules: how far a module's blur is modelled to reach its neighbours (in any direction)
OFFSETS = [(dy, dx) for dy in range(-REACH, REACH + 1) for dx in range(-REACH, REACH + 1)]
CLASSES = sorted({max(o, (-o[0], -o[1])) for o in OFFSETS})  # one weight per pair of opposite offsets


def redrawn(copy: np.ndarray, n: int, sweeps: int = 40) -> np.ndarray | None:
    """The code in ``copy`` (from ``straight_on``) read module by module and drawn clean, 4 px a module."""
    m = n + 2 * RING
    start = (QUIET - RING) * PX
    cells = copy[start:start + m * PX, start:start + m * PX].astype(np.float32).reshape(m, PX, m, PX)
    inset = PX // 4
    seen = cells[:, inset:PX - inset, :, inset:PX - inset].mean(axis=(1, 3))
    (known, value), fully_known, design = _blur_model(n)
    (offset, *weights), *_ = np.linalg.lstsq(design, seen[fully_known], rcond=None)
    if weights[0] >= -1.0:  # dark modules do not read darker: nothing here is a code
        return None
    middle = offset + 0.5 * sum(w * sum(1 for o in OFFSETS if _class(o) == c) for w, c in zip(weights, CLASSES))
    dark = np.where(known, value, (seen < middle).astype(np.float32))
    weight_at = {o: weights[CLASSES.index(_class(o))] for o in OFFSETS}
    window = np.ones((2 * REACH + 1, 2 * REACH + 1), np.uint8)
    for _ in range(sweeps):
        predicted = offset + sum(w * f for w, f in zip(weights, _ring_sums(dark)))
        residual = np.pad(seen - predicted, REACH)
        change = np.where(dark > 0.5, -1.0, 1.0)
        gain = np.zeros((m, m), np.float32)
        for (dy, dx), weight in weight_at.items():
            r = residual[REACH + dy:REACH + dy + m, REACH + dx:REACH + dx + m]
            gain += r ** 2 - (r - weight * change) ** 2
        gain[known] = 0
        # flip the modules that gain most in their neighbourhood: no two flips touch the same samples
        flip = (gain > 0) & (gain >= cv2.dilate(gain, window))
        if not flip.any():
            break
        dark[flip] = 1 - dark[flip]
    modules = dark[RING:RING + n, RING:RING + n] > 0.5
    drawn = np.pad(np.where(modules, 0, 255).astype(np.uint8), QUIET, constant_values=255)
    return np.kron(drawn, np.ones((4, 4), np.uint8))


@functools.cache
def _blur_model(n: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
    """For the grid with RING modules of quiet zone around the code: (known mask, known values),
    where a module's whole neighbourhood is known, and the design matrix of the blur model there
    (a sample = offset + one weight per pair of opposite offsets times the modules there)."""
    m = n + 2 * RING
    known = np.ones((m, m), bool)  # the quiet zone is known light
    value = np.zeros((m, m), np.float32)
    known[RING:RING + n, RING:RING + n], value[RING:RING + n, RING:RING + n] = known_modules(n)
    fully_known = _neighbourhood_all(known)
    design = np.stack([np.ones(int(fully_known.sum()))] + [f[fully_known] for f in _ring_sums(value)], axis=1)
    for shared in (known, value, fully_known, design):  # cached per size: nobody may change them
        shared.flags.writeable = False
    return (known, value), fully_known, design


@functools.cache
def _blur_solver(n: int) -> np.ndarray:
    """The least-squares solver (pseudo-inverse) of ``_blur_model(n)``'s design matrix."""
    return np.linalg.pinv(_blur_model(n)[2])


def _class(offset: tuple[int, int]) -> tuple[int, int]:
    """Offsets sharing a blur weight: opposite ones (a blur, even a motion's, is point-symmetric)."""
    return max(offset, (-offset[0], -offset[1]))


def _ring_sums(x: np.ndarray) -> list[np.ndarray]:
    """For each pair of opposite offsets, the sum of the modules there around every module."""
    h, w = x.shape
    p = np.pad(x, REACH, mode="edge")
    sums = [np.zeros_like(x) for _ in CLASSES]
    for dy, dx in OFFSETS:
        sums[CLASSES.index(_class((dy, dx)))] += p[REACH + dy:REACH + dy + h, REACH + dx:REACH + dx + w]
    return sums


def _neighbourhood_all(mask: np.ndarray) -> np.ndarray:
    """Where every module within REACH is in ``mask``."""
    p = np.pad(mask, REACH, constant_values=False)
    h, w = mask.shape
    out = np.ones_like(mask)
    for dy, dx in OFFSETS:
        out &= p[REACH + dy:REACH + dy + h, REACH + dx:REACH + dx + w]
    return out
