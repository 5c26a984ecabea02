"""Built-in English answer scales: agreement, satisfaction, likelihood.

A column of text answers is matched to the smallest built-in scale whose labels include every
label seen (case, curly quotes and spacing ignored); its codes run 1…k in the order listed.
The config's ``[answers.labels]`` replaces them all.
"""

from __future__ import annotations

from collections.abc import Iterable

from .study import normalise_label

#: name -> labels from lowest to highest (codes 1..k); "neutral" also means the midpoint.
SCALES: dict[str, tuple[str, ...]] = {
    "agree-5": (
        "Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree",
    ),
    "agree-5-somewhat": (
        "Strongly disagree", "Somewhat disagree", "Neither agree nor disagree", "Somewhat agree",
        "Strongly agree",
    ),
    "agree-4": ("Strongly disagree", "Disagree", "Agree", "Strongly agree"),
    "agree-7": (
        "Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree",
        "Somewhat agree", "Agree", "Strongly agree",
    ),
    "satisfaction-5": (
        "Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied",
        "Very satisfied",
    ),
    "satisfaction-5-somewhat": (
        "Extremely dissatisfied", "Somewhat dissatisfied", "Neither satisfied nor dissatisfied",
        "Somewhat satisfied", "Extremely satisfied",
    ),
    "likelihood-5": (
        "Very unlikely", "Unlikely", "Neither likely nor unlikely", "Likely", "Very likely",
    ),
    "likelihood-5-somewhat": (
        "Extremely unlikely", "Somewhat unlikely", "Neither likely nor unlikely",
        "Somewhat likely", "Extremely likely",
    ),
}  # fmt: skip

_NEUTRAL = ("neutral",)


def scale_map(name: str) -> dict[str, float]:
    """Normalised label -> code (1…k) for one built-in scale."""
    labels = SCALES[name]
    out = {normalise_label(label): float(i) for i, label in enumerate(labels, 1)}
    if len(labels) % 2:
        for alias in _NEUTRAL:
            out[alias] = float(len(labels) // 2 + 1)
    return out


_MAPS = {name: scale_map(name) for name in SCALES}


def match_scale(labels: Iterable[str], size: int | None = 5) -> str | None:
    """The built-in scale holding every label: one with ``size`` points if any, else the
    smallest (``None`` if none holds them all, or no labels)."""
    seen = {normalise_label(x) for x in labels if x is not None and normalise_label(x)}
    if not seen:
        return None
    fits = [n for n in SCALES if seen <= set(_MAPS[n])]
    return min(fits, key=lambda n: (len(SCALES[n]) != size, len(SCALES[n]))) if fits else None


def closest_scale(labels: Iterable[str], size: int | None = 5) -> str:
    """The built-in scale sharing the most labels with ``labels`` (for error messages)."""
    seen = {normalise_label(x) for x in labels}
    return max(SCALES, key=lambda n: (len(seen & set(_MAPS[n])), len(SCALES[n]) == size))


def points(name: str) -> int:
    return len(SCALES[name])
