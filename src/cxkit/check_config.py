"""The checks of ``cxkit check`` as the config and ``--fail-if`` give them: each
``[[check]]`` table validated into a :class:`CheckSpec` (one rule, known keys, a one-line
name), so that a mistake in the config is a config error before any drop is read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import analyses, expr
from .errors import ConfigError, UsageError
from .study import Study

_PRIMARY = {
    "require_columns": "data",
    "min_responses": "data",
    "max_missing_share": "data",
    "unique_ids": "data",
    "valid_answers": "data",
    "drift": "drift",
    "expr": "threshold",
    "change": "change",
}
_OPTIONAL = {"name", "per", "items", "direction"}
#: the check each optional key belongs to (elsewhere it would be silently ignored)
_BELONGS = {"per": "min_responses", "items": "max_missing_share", "direction": "change"}


@dataclass
class CheckSpec:
    """One check: its kind, a display name, and its parameters."""

    kind: str
    rule: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    parsed: expr.Expr | None = None
    path: expr.Path | None = None
    key: str = ""  # where the config gives it (``cxkit.toml: check[2]``), for errors


def parse_checks(study: Study, fail_if: Sequence[str]) -> list[CheckSpec]:
    """Validate the config's ``[[check]]`` tables and the ``--fail-if`` expressions."""
    specs: list[CheckSpec] = []
    where = study.path or "cxkit.toml"
    for i, raw in enumerate(study.checks, 1):
        key = f"check[{i}]"
        primary = [k for k in raw if k in _PRIMARY]
        unknown = [k for k in raw if k not in _PRIMARY and k not in _OPTIONAL]
        if unknown:
            raise ConfigError(
                f"{where}: {key}.{unknown[0]}: unknown key; expected one of "
                + ", ".join(sorted({*_PRIMARY, *_OPTIONAL}))
            )
        if len(primary) != 1:
            raise ConfigError(
                f"{where}: {key}: give exactly one of {', '.join(_PRIMARY)} (found "
                f"{', '.join(primary) or 'none'})"
            )
        rule = primary[0]
        for option, owner in _BELONGS.items():
            if option in raw and rule != owner:
                raise ConfigError(
                    f"{where}: {key}.{option}: only a {owner} check takes {option}, not {rule}"
                )
        _check_name(raw.get("name"), f"{where}: {key}.name")
        spec = CheckSpec(_PRIMARY[rule], rule, str(raw.get("name", "")), dict(raw))
        spec.key = f"{where}: {key}"
        _validate(spec, raw, spec.key)
        specs.append(spec)
    for text in fail_if:
        parsed = expr.parse(text)
        specs.append(CheckSpec("threshold", "expr", text, {"expr": text}, parsed, parsed.path))
    for spec in specs:
        if spec.path is not None:
            analyses.analysis_for(spec.path)  # unknown analysis: usage error now
    return specs


def _check_name(name: object, key: str) -> None:
    """A config error for a check name that is not one line of text: a number, a list or a
    table (``name = 7``: quote it), or a newline (a TOML multi-line string) or another
    control character, which would break the summary line, the table, JUnit XML and GitHub
    annotations. No name (``None``) is fine: the check's rule names it.

    >>> _check_name("EMEA NPS did not fall", "check[1].name")
    >>> _check_name("two\\nlines", "check[1].name")
    Traceback (most recent call last):
    ...
    cxkit.errors.ConfigError: check[1].name: must be one line of text; found '\\n' at character 4
    >>> _check_name(7, "name")
    Traceback (most recent call last):
    ...
    cxkit.errors.ConfigError: name: must be a text string, not a number (7); quote it: name = "7"
    """
    import unicodedata

    if name is None:
        return
    if not isinstance(name, str):
        number = isinstance(name, int | float) and not isinstance(name, bool)
        kind = (
            f"a number ({name!r}); quote it: name = \"{name}\"" if number
            else "true/false" if isinstance(name, bool)
            else "a list" if isinstance(name, list)
            else "a table" if isinstance(name, dict)
            else "a date or time"
        )  # fmt: skip
        raise ConfigError(f"{key}: must be a text string, not {kind}")
    for at, ch in enumerate(name, 1):
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            raise ConfigError(f"{key}: must be one line of text; found {ch!r} at character {at}")


def _validate(spec: CheckSpec, raw: dict[str, Any], key: str) -> None:
    value = raw[spec.rule]

    def bad(problem: str) -> ConfigError:
        return ConfigError(f"{key}.{spec.rule}: {problem}")

    if spec.rule == "require_columns":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("must be a list of column names")
        spec.name = spec.name or f"required columns ({len(value)})"
    elif spec.rule == "min_responses":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad("must be a whole number >= 1")
        per = raw.get("per")
        if per is not None and (not isinstance(per, str) or not per.strip()):
            raise ConfigError(
                f"{key}.per: must be one column name such as 'region'"
                + (" (one check per column, not a list)" if isinstance(per, list) else "")
            )
        spec.name = spec.name or f"min responses {value}" + (f" per {per}" if per else "")
    elif spec.rule == "max_missing_share":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise bad("must be a share between 0 and 1")
        items = raw.get("items", [])
        if isinstance(items, str):  # one pattern
            items = [items]
        if not isinstance(items, list) or not all(isinstance(p, str) and p for p in items):
            raise ConfigError(
                f"{key}.items: must be a list of item names or patterns, e.g. ['sa_*']"
            )
        spec.params["items"] = items
        spec.name = spec.name or f"missing share <= {value:.0%} per item"
    elif spec.rule in ("unique_ids", "valid_answers", "drift"):
        if value is not True:
            raise bad("must be true (remove the check to turn it off)")
        spec.name = spec.name or spec.rule.replace("_", " ")
    elif spec.rule == "expr":
        if not isinstance(value, str):
            raise bad("must be a string such as 'gap.overall.agree_ratio <= 3'")
        spec.parsed = expr.parse(value)
        spec.path = spec.parsed.path
        spec.name = spec.name or value
    elif spec.rule == "change":
        if not isinstance(value, str):
            raise bad("must be a metric path such as 'gap.overall.agree_customer'")
        try:
            spec.path = expr.parse_path(value)
        except UsageError:
            comparison = _comparison(value)
            if comparison is None:
                raise
            raise bad(
                f"takes a metric PATH only, not a comparison: write change = "
                f"{comparison!r} (it fails when the change since the previous drop "
                f"is significant; direction = 'decrease', 'increase' or 'any' picks which "
                f"way), or expr = {value!r} for a threshold"
            ) from None
        direction = raw.get("direction", "any")
        if direction not in ("decrease", "increase", "any"):
            raise ConfigError(f"{key}.direction: must be decrease, increase or any")
        spec.name = spec.name or f"change in {value}" + (
            f" ({direction})" if direction != "any" else ""
        )


def _comparison(text: str) -> str | None:
    """The path of ``text`` when it is a whole comparison (``PATH OP NUMBER``), else None.

    >>> _comparison("gap.overall.agree_customer >= 3"), _comparison("gap.overall >")
    ('gap.overall.agree_customer', None)
    """
    try:
        expr.parse(text)
    except UsageError:
        return None
    for cut, ch in enumerate(text):
        if ch in "<>=!":
            try:
                expr.parse_path(text[:cut])
            except UsageError:
                continue
            return text[:cut].strip()
    return None
