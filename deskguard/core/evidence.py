"""Where a piece of content comes from: one of the five articles, or DeskGuard itself.

Every exercise's dose and step list, and every phase's choice of exercises, carries a
source list: article codes ("000" to "004", the seed articles the content is built on)
and/or `OURS` when DeskGuard chose something the articles do not give. Where a list
holds `OURS`, a short `choice` text says what was chosen and why; the windows show a
small "our suggestion" mark with that text as its tooltip, and the physiotherapist's
PDF prints it.

User-facing text names the articles by title, never by their file numbers.
Pure Python: no Qt.
"""

from __future__ import annotations

from collections.abc import Sequence

from deskguard.core.model import Exercise

__all__ = [
    "ARTICLES",
    "OURS",
    "SOURCE_CODES",
    "article_codes",
    "exercise_marks",
    "exercise_tooltip",
    "is_ours",
    "source_mark",
    "source_tooltip",
]

OURS = "ours"

# The five articles, by the three-digit code that starts their seed file's name.
ARTICLES: dict[str, str] = {
    "000": "Motive Health, “How to Help Lower Back Pain”",
    "001": "Motive Health, “The Best Exercises for Back Pain Relief and Core Strengthening”",
    "002": "“Effective Exercises for Sore Lower Back Relief”",
    "003": "“Lower Back Pain Relief Exercises”",
    "004": "Mofilo, a three-phase plan for lower back pain",
}

SOURCE_CODES: frozenset[str] = frozenset({*ARTICLES, OURS})

MARK_EVIDENCE = "from the articles"
MARK_OURS = "our suggestion"
MARK_MIXED = "partly our suggestion"


def is_ours(sources: Sequence[str]) -> bool:
    """True when DeskGuard chose some or all of it."""
    return OURS in sources


def article_codes(sources: Sequence[str]) -> tuple[str, ...]:
    """The article codes among `sources`, in order."""
    return tuple(s for s in sources if s in ARTICLES)


def source_mark(sources: Sequence[str]) -> str:
    """The small mark beside a dose, a step list or a phase: whose it is, in three words."""
    if not is_ours(sources):
        return MARK_EVIDENCE
    return MARK_MIXED if article_codes(sources) else MARK_OURS


def source_tooltip(sources: Sequence[str], choice: str = "") -> str:
    """The mark's tooltip: which articles it comes from, and what DeskGuard chose and why."""
    lines: list[str] = []
    codes = article_codes(sources)
    if codes:
        lines.append("From: " + "; ".join(ARTICLES[c] for c in codes) + ".")
    if is_ours(sources):
        lines.append("DeskGuard's suggestion: " + (choice or "not given in the articles."))
    return "\n".join(lines)


def exercise_marks(exercise: Exercise) -> str:
    """One line for a player or a report: "Dose: our suggestion · Steps: from the articles"."""
    return (
        f"Dose: {source_mark(exercise.dose_source)} · Steps: {source_mark(exercise.steps_source)}"
    )


def exercise_tooltip(exercise: Exercise) -> str:
    """The tooltip of `exercise_marks`: the sources and choices of the dose and the steps."""
    return (
        "Dose. "
        + source_tooltip(exercise.dose_source, exercise.dose_choice)
        + "\n\nSteps. "
        + source_tooltip(exercise.steps_source, exercise.steps_choice)
    )
