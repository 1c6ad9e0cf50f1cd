"""Synthetic e-KTP photos for tests and benchmarks: no real person's card, ever.

A seeded generator draws the card's public layout (the province and regency header, the ``NIK :``
line in large bold type, the labelled rows, the photo box) for an invented person whose NIK is
valid and agrees with the printed birth date and sex (day + 40 for women), then holds it up to a
webcam: placed on a cluttered background at some size, tilted in perspective and rotated, with
blur, glare, noise and JPEG. It also makes frames with no card, and cards whose NIK line a finger
covers (nothing may be read from those).

Two styles: ``dev`` (DejaVu type, the layout the reader was developed on) and ``heldout`` (Liberation
Sans, Arial's metrics as on the real card, with the rows, label column, type sizes and tint moved
about per card), kept for measuring what the reader was not tuned on.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from tests.frames import background

FONTS = {"dev": (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")),
         "heldout": (Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"),
                     Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"))}
CARD = (856, 540)  # 85.6 x 54 mm at 10 px/mm, the ID-1 size of an e-KTP
REGIONS = {  # province, regency, the NIK's first six digits (province, regency, district)
    "3215": ("JAWA BARAT", "KABUPATEN KARAWANG", ["321501", "321502", "321503", "321510", "321522"]),
    "3273": ("JAWA BARAT", "KOTA BANDUNG", ["327301", "327302", "327305"]),
    "3174": ("DKI JAKARTA", "JAKARTA SELATAN", ["317401", "317402", "317404"]),
    "3578": ("JAWA TIMUR", "KOTA SURABAYA", ["357801", "357803", "357805"]),
}
GIVEN = ["SITI", "AHMAD", "DEWI", "BUDI", "RINA", "AGUS", "NUR", "HENDRA", "YULIA", "EKO", "SRI", "DIAN"]
FAMILY = ["WIJAYA", "SANTOSO", "RAHAYU", "HIDAYAT", "LESTARI", "SAPUTRA", "PURNAMA", "SETIAWAN", "MAULANA"]


@dataclass(frozen=True)
class Person:
    nik: str
    name: str
    born: dt.date
    sex: str  # "M" or "F"
    place: str
    province: str
    regency: str


@dataclass(frozen=True)
class CardFrame:
    image: np.ndarray  # BGR, as a camera gives it
    person: Person | None  # None: no card in the frame
    readable: bool  # a person could read the NIK off this frame (not covered, not blurred beyond reading)
    recipe: str


def person(rng: random.Random) -> Person:
    """An invented resident with a valid NIK that agrees with the printed birth date and sex."""
    key = rng.choice(sorted(REGIONS))
    province, regency, districts = REGIONS[key]
    born = dt.date(1945 + rng.randrange(60), 1 + rng.randrange(12), 1 + rng.randrange(28))
    sex = rng.choice("MF")
    day = born.day + (40 if sex == "F" else 0)
    nik = f"{rng.choice(districts)}{day:02d}{born.month:02d}{born.year % 100:02d}{rng.randrange(1, 10000):04d}"
    name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
    return Person(nik, name, born, sex, regency.split()[-1], province, regency)


@dataclass(frozen=True)
class Layout:
    """Where a card prints what, and in which type (``dev`` is fixed; ``heldout`` varies per card)."""

    style: str = "dev"
    nik_y: int = 100
    nik_size: int = 34
    value_x: int = 218
    row_y: int = 152
    row_step: int = 29
    row_size: int = 19
    tint: int = 0  # added to the card's green channel

    @staticmethod
    def draw(style: str, rng: random.Random) -> Layout:
        if style == "dev":
            return Layout()
        return Layout("heldout", nik_y=rng.randint(92, 108), nik_size=rng.randint(31, 37), value_x=rng.randint(200, 236),
                      row_y=rng.randint(146, 158), row_step=rng.randint(27, 31), row_size=rng.randint(18, 21),
                      tint=rng.randint(-20, 15))


def _font(bold: bool, size: int, style: str = "dev") -> ImageFont.FreeTypeFont:
    regular, heavy = FONTS[style]
    if not heavy.exists():
        from tests.real_parts import missing

        missing(f"the font {heavy.name}", "apt-get install fonts-liberation2 (or fonts-dejavu-core)")
    return ImageFont.truetype(str(heavy if bold else regular), size)


def card(p: Person, rng: random.Random, nik_override: str | None = None, layout: Layout | None = None) -> np.ndarray:
    """The card's face (BGR, ``CARD`` size) as the public layout prints it."""
    lay = layout or Layout()
    w, h = CARD
    top = np.array([rng.randint(170, 200), rng.randint(205, 230) + lay.tint, rng.randint(235, 250)], dtype=np.float32)  # RGB
    bottom = top - np.array([40, 30, 10], dtype=np.float32)
    ramp = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    face = (top * (1 - ramp) + bottom * ramp) * np.ones((h, w, 3), np.float32)
    canvas = Image.fromarray(np.clip(face, 0, 255).astype(np.uint8))  # PIL draws in RGB
    d = ImageDraw.Draw(canvas)
    for _ in range(14):  # the guilloche-like background pattern
        y = rng.randint(0, h)
        d.arc((rng.randint(-200, w), y - 300, rng.randint(w, w + 400), y + 300), 0, 180, fill=(150, 185, 215), width=1)
    ink = (25, 25, 30)
    st = lay.style
    d.text((w // 2, 22), f"PROVINSI {p.province}", font=_font(True, 26, st), fill=ink, anchor="mt")
    d.text((w // 2, 56), p.regency, font=_font(True, 26, st), fill=ink, anchor="mt")
    nik = nik_override or p.nik
    d.text((28, lay.nik_y), "NIK", font=_font(True, lay.nik_size, st), fill=ink)
    d.text((120, lay.nik_y), f": {nik}", font=_font(True, lay.nik_size, st), fill=ink)
    sex = "LAKI-LAKI" if p.sex == "M" else "PEREMPUAN"
    rows = [("Nama", p.name), ("Tempat/Tgl Lahir", f"{p.place}, {p.born:%d-%m-%Y}"),
            ("Jenis kelamin", f"{sex}     Gol. Darah : {rng.choice('ABO')}"),
            ("Alamat", f"JL. {rng.choice(FAMILY)} NO. {rng.randint(1, 99)}"),
            ("RT/RW", f"{rng.randint(1, 20):03d}/{rng.randint(1, 15):03d}"), ("Kel/Desa", rng.choice(FAMILY)),
            ("Kecamatan", rng.choice(FAMILY)), ("Agama", rng.choice(["ISLAM", "KRISTEN", "KATOLIK", "HINDU"])),
            ("Status Perkawinan", rng.choice(["KAWIN", "BELUM KAWIN"])), ("Pekerjaan", "KARYAWAN SWASTA"),
            ("Kewarganegaraan", "WNI"), ("Berlaku Hingga", "SEUMUR HIDUP")]
    small = _font(False, lay.row_size, st)
    for n, (label, value) in enumerate(rows):
        y = lay.row_y + n * lay.row_step
        d.text((28, y), label, font=small, fill=ink)
        d.text((lay.value_x, y), f": {value}", font=small, fill=ink)
    d.rectangle((640, 150, 820, 390), fill=(200, 60, 60), outline=(120, 30, 30), width=2)  # the red photo box
    d.ellipse((685, 185, 775, 285), fill=(230, 200, 180))
    d.rectangle((670, 290, 790, 390), fill=(60, 60, 80))
    d.text((730, 402), p.regency.split()[-1], font=_font(False, 15, st), fill=ink, anchor="mt")
    d.text((730, 422), f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-2018", font=_font(False, 15, st), fill=ink,
           anchor="mt")
    d.line((670, 470, 790, 455), fill=ink, width=2)  # the signature
    return np.array(canvas)[:, :, ::-1].copy()


NIK_LINE = (20, 92, 620, 146)  # where the NIK line sits on the card face (x0, y0, x1, y1)


def held_up(face: np.ndarray, rng: random.Random, size: tuple[int, int] = (1280, 720), difficulty: float = 0.5,
            cover_nik: bool = False, nik_y: int = 100) -> tuple[np.ndarray, str]:
    """The card held to a webcam: on a background, scaled, tilted, rotated, blurred, glared, noisy, JPEG."""
    w, h = size
    face = face.copy()
    recipe = []
    if cover_nik:  # a thumb over the NIK digits
        x0, y0, x1, y1 = NIK_LINE
        cx = rng.randint(x0 + 220, x1 - 100)
        cv2.ellipse(face, (cx, (y0 + y1) // 2 + nik_y - 100), (150, 48), rng.uniform(-15, 15), 0, 360, (120, 150, 200), -1)
        recipe.append("covered")
    frame = background(rng, size)
    width = w * rng.uniform(0.62 - 0.22 * difficulty, 0.78)
    scale = width / CARD[0]
    cw, ch = CARD[0] * scale, CARD[1] * scale
    cx, cy = rng.uniform(cw / 2 + 10, w - cw / 2 - 10), rng.uniform(ch / 2 + 10, h - ch / 2 - 10)
    angle = np.radians(rng.uniform(-12, 12) * difficulty)
    tilt = 0.18 * difficulty
    corners = np.array([[-cw / 2, -ch / 2], [cw / 2, -ch / 2], [cw / 2, ch / 2], [-cw / 2, ch / 2]])
    corners *= 1 + np.array([[rng.uniform(-tilt, tilt), rng.uniform(-tilt, tilt)] for _ in range(4)]) / 2
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = (corners @ rot.T + [cx, cy]).astype(np.float32)
    src = np.array([[0, 0], [CARD[0], 0], [CARD[0], CARD[1]], [0, CARD[1]]], dtype=np.float32)
    warp = cv2.getPerspectiveTransform(src, dst)
    card_img = cv2.warpPerspective(face, warp, size, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((CARD[1], CARD[0]), 255, np.uint8), warp, size)
    frame[mask > 0] = card_img[mask > 0]
    recipe.append(f"w{width / w:.2f} a{np.degrees(angle):+.0f} t{tilt:.2f}")
    sigma = rng.uniform(0, 1.6 * difficulty)
    if sigma > 0.3:
        frame = cv2.GaussianBlur(frame, (0, 0), sigma)
        recipe.append(f"blur{sigma:.1f}")
    if rng.random() < 0.5 * difficulty:  # glare from a ceiling light on the laminate
        glare = np.zeros((h, w), np.float32)
        cv2.ellipse(glare, (int(cx + rng.uniform(-cw / 3, cw / 3)), int(cy + rng.uniform(-ch / 3, ch / 3))),
                    (int(cw * 0.18), int(ch * 0.1)), rng.uniform(0, 180), 0, 360, 1.0, -1)
        glare = cv2.GaussianBlur(glare, (0, 0), 25) * rng.uniform(60, 140)
        frame = np.clip(frame.astype(np.float32) + glare[:, :, None], 0, 255).astype(np.uint8)
        recipe.append("glare")
    noise = rng.uniform(2, 4 + 8 * difficulty)
    frame = np.clip(frame.astype(np.float32) + np.random.default_rng(rng.randrange(2**32)).normal(0, noise, frame.shape),
                    0, 255).astype(np.uint8)
    quality = rng.randint(int(90 - 45 * difficulty), 92)
    ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    recipe.append(f"jpeg{quality}")
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR), " ".join(recipe)


def frames(seed: int, count: int, size: tuple[int, int] = (1280, 720), empty: float = 0.1, covered: float = 0.1,
           difficulty: float = 0.5, style: str = "dev") -> list[CardFrame]:
    """``count`` frames from ``seed``: most hold a card, ``empty`` of them none, ``covered`` a covered NIK line."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        roll = rng.random()
        if roll < empty:
            out.append(CardFrame(background(rng, size), None, False, "empty"))
            continue
        p = person(rng)
        cover = roll < empty + covered
        lay = Layout.draw(style, rng)
        image, recipe = held_up(card(p, rng, layout=lay), rng, size, difficulty, cover_nik=cover, nik_y=lay.nik_y)
        out.append(CardFrame(image, p, not cover, recipe))
    return out


def card_frame(nik: str, name: str, born: dt.date, sex: str, seed: int = 1, size: tuple[int, int] = (1280, 720),
               difficulty: float = 0.3, printed_born: dt.date | None = None) -> np.ndarray:
    """One frame of a given person's card held up (``printed_born``: print another birth date than the NIK's)."""
    rng = random.Random(seed)
    p = Person(nik, name.upper(), printed_born or born, sex, "KARAWANG", "JAWA BARAT", "KABUPATEN KARAWANG")
    image, _recipe = held_up(card(p, rng), rng, size, difficulty)
    return image
