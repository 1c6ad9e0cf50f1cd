"""One language system: every string a person reads comes from the catalogues, both complete."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kiosk import i18n
from kiosk.domain.screening import load_rule_set, reason_text

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None}
METHODS = [("kiosk/**.py", "python"), ("screens/**.py", "python"), ("devices/**.py", "python")]


def source_messages() -> set[str]:
    """What `pybabel extract -F babel.cfg -k N_` finds in the code (the same mapping as babel.cfg)."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        if message:
            found.add(message)
    return found


def catalogue(lang: str) -> dict[str, str]:
    with (ROOT / "kiosk/locale" / lang / "LC_MESSAGES/kiosk.po").open("rb") as handle:
        cat = read_po(handle)
    fuzzy = [m.id for m in cat if m.id and m.fuzzy]
    assert not fuzzy, f"{lang}: fuzzy entries must be reviewed: {fuzzy[:5]}"
    return {m.id: m.string for m in cat if m.id}


def fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_string_in_the_code_is_in_both_catalogues(lang: str) -> None:
    code = source_messages()
    assert len(code) > 400  # the extraction itself works (a broken pattern would find nothing and pass)
    entries = catalogue(lang)
    missing = sorted(code - entries.keys())
    assert not missing, f"{len(missing)} string(s) missing from {lang}: {missing[:10]} (README: Words)"
    untranslated = sorted(m for m in code if not entries[m].strip())
    assert not untranslated, f"{len(untranslated)} string(s) without a {lang} translation: {untranslated[:10]}"
    stale = sorted(entries.keys() - code)
    assert not stale, f"{lang} holds strings the code no longer has (run pybabel update): {stale[:10]}"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_translations_keep_every_field(lang: str) -> None:
    """A translation that drops or renames {queue} would crash or lie on screen."""
    wrong = [(m, t) for m, t in catalogue(lang).items() if "{" in m and fields(m) != fields(t)]
    assert not wrong, wrong[:5]


def test_indonesian_is_not_the_english_copied() -> None:
    entries = catalogue("id")
    same = [m for m, t in entries.items() if m == t and any(c.isalpha() for c in m) and " " in m.strip()]
    # a few are the same in both languages (a URL, "check-in"); whole sentences must not be
    assert len(same) <= 25, same


def test_the_language_switches_what_is_said() -> None:
    before = i18n.language()
    try:
        i18n.set_language("id")
        assert i18n._("Wrong PIN ({left} left)", left=2) == "PIN salah (2 lagi)"
        i18n.set_language("en")
        assert i18n._("Wrong PIN ({left} left)", left=2) == "Wrong PIN (2 left)"
        with pytest.raises(ValueError):
            i18n.set_language("fr")
    finally:
        i18n.set_language(before)


def test_attendee_outcomes_in_both_languages() -> None:
    for key in i18n.OUTCOMES:
        first, second = i18n.both(key, "id", queue="A-007", time="09:15", date="Jumat, 20 Agustus 2021")
        assert first and second and first != second, key
        assert "{" not in first + second, key


def test_dates_in_the_languages_way() -> None:
    import datetime as dt

    day = dt.date(2021, 8, 20)
    assert i18n.day(day, "id", "full") == "Jumat, 20 Agustus 2021"
    assert i18n.day(day, "en", "full") == "Friday, August 20, 2021"


def test_rule_texts_come_from_the_rule_file_in_both_languages() -> None:
    rules = load_rule_set()
    assert rules.title_in("id") != rules.title_in("en")
    for question in (*rules.questions, *rules.frailty):
        assert question.id_text.strip() and question.en_text.strip(), question.id
        assert reason_text(rules, question.id, "id") == question.id_text
        assert reason_text(rules, question.id, "en") == question.en_text
    assert reason_text(rules, "temperature 38.5 °C", "id") == "suhu 38.5 °C"
    assert reason_text(rules, "blood pressure 185/115 on re-measure", "en") == "blood pressure 185/115 on re-measure"


# Calls whose text argument a person reads: a literal with words there must be marked for the catalogues.
SHOWN = {"Label", "Button", "Static", "Checkbox", "notify", "_say", "update", "print", "add_columns", "SlipLine",
         "Check", "KioskError", "ConfigError", "NotFound", "StorageError", "ValueError", "DeviceError", "FormError",
         "ExchangeRefused", "Unrecognised", "ArgumentTypeError", "TransientFailure", "PermanentFailure", "AuthFailure"}
WORDS_OK = ("OK", "NIK", "ID", "Lot", "Check-in", "Walk-in", "#", "KIPI", "UTC", "SENTRA", "TEST", "Python", "textual", "sentra-kiosk",
            "psql")
NOT_WORDS = {"Transliterasi: Pérez Ñandú -> Perez Nandu"}  # the test slip's own check of the code page


def _unmarked(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in SHOWN:
            continue
        texts = [*node.args, *(k.value for k in node.keywords if k.arg in ("placeholder", "title", "prompt"))]
        for arg in texts:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                words = arg.value
            elif isinstance(arg, ast.JoinedStr):
                words = " ".join(v.value for v in arg.values if isinstance(v, ast.Constant))
            else:
                continue
            letters = [w for w in words.replace(":", " ").split() if sum(c.isalpha() for c in w) >= 3]
            if letters and not all(w.strip("(),;") in WORDS_OK for w in letters) and not _is_identifier(words):
                found.append(f"{path.relative_to(ROOT)}:{arg.lineno}: {words[:60]!r}")
    return found


def _is_identifier(text: str) -> bool:
    """A key, id, part name or path rather than words (``"venue hub"`` is a part key; ``"#scan-input"`` a selector)."""
    stripped = text.strip()
    if stripped in NOT_WORDS or re.fullmatch(r"[a-z_]+", stripped):  # a reason code such as "not_a_card"
        return True
    return stripped.startswith(("#", ".", "/", "-")) or stripped in ("database", "disk", "clock", "print queue", "venue key",
                                                                         "sync", "venue hub", "camera", "decoder",
                                                                         "printer", "scanner", "software", "config")


def test_no_words_on_screen_bypass_the_catalogues() -> None:
    files = [*ROOT.glob("screens/**/*.py"), *ROOT.glob("kiosk/**/*.py"), *ROOT.glob("devices/**/*.py")]
    files = [f for f in files if "migrations" not in f.parts and f.name != "i18n.py"]
    unmarked = [line for f in files for line in _unmarked(f)]
    assert not unmarked, "\n".join(unmarked)


def test_no_marked_string_hides_inside_an_f_string() -> None:
    """pybabel cannot see ``_("…")`` inside an f-string's braces: such a string would never reach the catalogues."""
    hidden = []
    for path in [*ROOT.glob("screens/**/*.py"), *ROOT.glob("kiosk/**/*.py"), *ROOT.glob("devices/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Call) and getattr(inner.func, "id", "") in ("_", "N_") \
                            and inner.args and isinstance(inner.args[0], ast.Constant):
                        hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert not hidden, hidden
