"""Pre-vaccination screening: answers in, outcome out, under a named rule-set version.

The rules are data (``kiosk/rules/screening-*.toml``); this module only knows how to apply
them. The most serious finding wins: not given > refer > postpone > proceed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from kiosk.i18n import N_, _, say
from kiosk.rules import load_rule_file

DEFAULT_RULE_SET = "screening-kmk4638-2021.toml"
RECHECK_DAYS = 14  # a postponement without a rule-specific delay: re-screen in two weeks


class Outcome(Enum):
    """The four outcomes of the national form (Indonesian name in ``label_id``)."""

    PROCEED = "proceed"
    POSTPONE = "postpone"
    REFER = "refer"
    NOT_GIVEN = "not_given"

    @property
    def label_id(self) -> str:
        """The word on the Indonesian form."""
        return {"proceed": "LANJUT", "postpone": "TUNDA", "refer": "RUJUK", "not_given": "TIDAK DIBERIKAN"}[self.value]

    @property
    def words(self) -> str:
        """The outcome in the current language (the form's own word in Indonesian)."""
        return _(OUTCOME_WORDS[self.value])


OUTCOME_WORDS = {"proceed": N_("PROCEED"), "postpone": N_("POSTPONE"), "refer": N_("REFER"), "not_given": N_("NOT GIVEN")}


_SEVERITY = [Outcome.PROCEED, Outcome.POSTPONE, Outcome.REFER, Outcome.NOT_GIVEN]


@dataclass(frozen=True)
class Question:
    """One yes/no question of a rule set."""

    id: str
    id_text: str
    en_text: str
    outcome: str = ""
    doses: tuple[int, ...] = ()
    postpone_days: int = RECHECK_DAYS

    def text(self, lang: str) -> str:
        """The question as the rule file words it in ``lang``."""
        return self.id_text if lang == "id" else self.en_text


@dataclass(frozen=True)
class RuleSet:
    """A versioned screening form with its thresholds."""

    version: str
    title: str
    thresholds: Mapping[str, float]
    questions: tuple[Question, ...]
    frailty: tuple[Question, ...]
    en_title: str = ""

    def title_in(self, lang: str) -> str:
        """The form's title in ``lang`` (the rule file's ``title`` is Indonesian, ``en_title`` English)."""
        return self.en_title if lang == "en" and self.en_title else self.title

    def questions_for(self, dose: int, age: int) -> list[Question]:
        """The questions to ask this attendee: by dose number, frailty only from the set age."""
        asked = [q for q in self.questions if not q.doses or dose in q.doses]
        if age >= self.thresholds["frailty_min_age"]:
            asked += list(self.frailty)
        return asked


@dataclass(frozen=True)
class ScreeningAnswers:
    """What the screening desk measured and asked. Blood pressure ``recheck`` is the 2nd reading."""

    temperature_c: float
    systolic: int
    diastolic: int
    answers: Mapping[str, bool] = field(default_factory=dict)
    recheck_systolic: int | None = None
    recheck_diastolic: int | None = None
    weight_kg: float | None = None
    pulse: int | None = None


@dataclass(frozen=True)
class ScreeningResult:
    """The computed outcome, the reasons behind it, and a re-screen date for postponements."""

    outcome: Outcome
    reasons: tuple[str, ...]
    recheck_on: dt.date | None
    needs_bp_recheck: bool = False


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Age in whole years on ``day`` (the frailty questions start at an age)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def load_rule_set(file_name: str = DEFAULT_RULE_SET) -> RuleSet:
    """Build a RuleSet from a packaged TOML file."""
    raw: dict[str, Any] = load_rule_file(file_name)
    thresholds = {k: v for k, v in raw.items() if isinstance(v, (int, float))}
    return RuleSet(
        version=raw["version"],
        title=raw["title"],
        en_title=raw.get("en_title", ""),
        thresholds=thresholds,
        questions=tuple(_question(q) for q in raw.get("questions", [])),
        frailty=tuple(_question(q) for q in raw.get("frailty", [])),
    )


def _question(raw: Mapping[str, Any]) -> Question:
    return Question(**{**raw, "doses": tuple(raw.get("doses", ()))})


def evaluate(rules: RuleSet, given: ScreeningAnswers, dose: int, age: int, today: dt.date) -> ScreeningResult:
    """Apply ``rules`` to one attendee's answers; pure and deterministic."""
    findings: list[tuple[Outcome, str, int]] = []
    findings += _vital_findings(rules, given)
    for question in rules.questions_for(dose, age):
        if question in rules.frailty or not given.answers.get(question.id):
            continue
        for outcome in _outcomes_of(question.outcome):
            findings.append((outcome, question.id, question.postpone_days))
    frail = sum(bool(given.answers.get(q.id)) for q in rules.frailty)
    if age >= rules.thresholds["frailty_min_age"] and frail >= rules.thresholds["frailty_not_given_at"]:
        findings.append((Outcome.NOT_GIVEN, f"frailty {frail}/{len(rules.frailty)}", 0))
    return _summarise(rules, given, findings, today)


def _vital_findings(rules: RuleSet, given: ScreeningAnswers) -> list[tuple[Outcome, str, int]]:
    found: list[tuple[Outcome, str, int]] = []
    if given.temperature_c > rules.thresholds["temperature_max_c"]:
        found.append((Outcome.POSTPONE, f"temperature {given.temperature_c:.1f} °C", 1))
    if _bp_high(rules, given.systolic, given.diastolic):
        if given.recheck_systolic is None or given.recheck_diastolic is None:
            found.append((Outcome.POSTPONE, "blood pressure high: re-measure in 5-10 min", 0))
        elif _bp_high(rules, given.recheck_systolic, given.recheck_diastolic):
            found.append((Outcome.POSTPONE, f"blood pressure {given.recheck_systolic}/{given.recheck_diastolic} on re-measure", RECHECK_DAYS))
    return found


def _bp_high(rules: RuleSet, systolic: int, diastolic: int) -> bool:
    return systolic > rules.thresholds["bp_systolic_max"] or diastolic > rules.thresholds["bp_diastolic_max"]


def _outcomes_of(code: str) -> list[Outcome]:
    if code == "postpone_refer":
        return [Outcome.POSTPONE, Outcome.REFER]
    return [Outcome(code)]


def _summarise(rules: RuleSet, given: ScreeningAnswers, findings: list[tuple[Outcome, str, int]], today: dt.date) -> ScreeningResult:
    needs_recheck = _bp_high(rules, given.systolic, given.diastolic) and given.recheck_systolic is None
    if not findings:
        return ScreeningResult(Outcome.PROCEED, (), None)
    outcome = max((f[0] for f in findings), key=_SEVERITY.index)
    reasons = tuple(dict.fromkeys(f[1] for f in findings))
    delay = max((f[2] for f in findings if f[0] is Outcome.POSTPONE), default=0)
    recheck = today + dt.timedelta(days=delay) if outcome is Outcome.POSTPONE else None
    return ScreeningResult(outcome, reasons, recheck, needs_bp_recheck=needs_recheck)


_VITAL_REASONS = (
    (re.compile(r"temperature (?P<value>[\d.]+) °C"), N_("temperature {value} °C")),
    (re.compile(r"blood pressure high: re-measure in 5-10 min"), N_("blood pressure high: re-measure in 5-10 minutes")),
    (re.compile(r"blood pressure (?P<value>\d+/\d+) on re-measure"), N_("blood pressure {value} on re-measure")),
    (re.compile(r"frailty (?P<value>\d+/\d+)"), N_("frailty {value}")),
)


def reason_text(rules: RuleSet, reason: str, lang: str) -> str:
    """A stored reason in ``lang``: a question's text from the rule file, a vital sign from the catalogues."""
    for question in (*rules.questions, *rules.frailty):
        if question.id == reason:
            return question.text(lang)
    for pattern, words in _VITAL_REASONS:
        if match := pattern.fullmatch(reason):
            return say(words, lang, **match.groupdict())
    return reason
