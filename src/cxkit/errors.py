"""Errors a user can act on, each with its documented exit code.

Exit codes (the same for every command):

====  ==========================================================
0     success
1     a check or ``--fail-if`` gate failed
2     usage error: a bad option or option value
3     input problem: unreadable file, missing column, invalid value, bad config
4     output problem: the result could not be written
70    internal error (a bug in cxkit: please report it with ``--debug`` output)
130   interrupted (Ctrl-C)
====  ==========================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Integral, Real

#: what a terminal or a one-line format acts on: C0 controls (ESC starts a colour or a
#: screen-clearing sequence), DEL, C1 controls (0x9b is CSI) and Unicode's line and
#: paragraph separators, each shown as the escape that would write it in Python
_CONTROL_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))} | {
    0x0A: "\\n",
    0x0D: "\\r",
    0x09: "\\t",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def one_line(text: str) -> str:
    r"""``text`` on one line, safe to print to a terminal: control characters (newlines
    too) and line separators shown as visible escapes.

    Used for error messages, notes, the terminal table and GitHub annotations; files a
    command writes (JSON, CSV, Parquet) keep the data as it is.

    >>> print(one_line("a\nb\x01\x1b[31m\u2028"))
    a\nb\x01\x1b[31m\u2028
    """
    return text.translate(_CONTROL_ESCAPES)


class CxkitError(Exception):
    """Base class: a one-line message that says what is wrong and how to fix it."""

    exit_code: int = 3

    def __init__(self, message: str) -> None:
        # one line whatever the data held: control characters from cells are shown escaped
        message = one_line(message)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(CxkitError):
    """A command-line option or its value is wrong (exit 2)."""

    exit_code = 2


class InputError(CxkitError):
    """An input file cannot be read or holds invalid data (exit 3)."""

    exit_code = 3


class ConfigError(InputError):
    """The study config (``cxkit.toml``) is invalid (exit 3)."""


class OutputError(CxkitError):
    """The result cannot be written where asked (exit 4)."""

    exit_code = 4


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def check_confidence(confidence: float) -> None:
    """A usage error unless ``0 < confidence < 1`` (every command and analysis calls this)."""
    if not _is_number(confidence):
        raise UsageError(
            f"confidence must be a number between 0 and 1, e.g. 0.95, not "
            f"{type(confidence).__name__} {confidence!r}"
        )
    if not 0 < confidence < 1:
        raise UsageError(f"--confidence must be between 0 and 1, e.g. 0.95, not {confidence}")


def check_seed(seed: int | None) -> None:
    """A usage error for a negative ``--seed`` (numpy's generators take 0 or more)."""
    if seed is not None and not (isinstance(seed, Integral) and not isinstance(seed, bool)):
        raise UsageError(f"seed must be a whole number, 0 or more, not {seed!r}")
    if seed is not None and seed < 0:
        raise UsageError(f"--seed must be 0 or more, not {seed}")


def check_winsorize(p: float | None) -> None:
    """A usage error unless ``0 <= p < 0.5``: ``--winsorize P`` caps at the P and 1-P
    quantiles, so 0 caps nothing (the minimum and maximum) and 0.5 would cap at the median.

    >>> check_winsorize(0.0), check_winsorize(0.01), check_winsorize(None)
    (None, None, None)
    """
    if p is not None and not 0 <= p < 0.5:
        raise UsageError(
            f"--winsorize must be 0 or more and below 0.5 (e.g. 0.01; 0 caps nothing), not {p}"
        )


def as_names(value: str | Sequence[str] | None, option: str) -> tuple[str, ...]:
    """Names given to the Python API as one string or a sequence of them, as a tuple.

    A single string is one name, never its characters; ``None`` is no names. Anything else
    that is not a sequence is a usage error naming ``option``.

    >>> as_names("region", "by"), as_names(["a", "b"], "by"), as_names(None, "by")
    (('region',), ('a', 'b'), ())
    """
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        raise UsageError(
            f"{option} takes a name or a list of names, e.g. {option}=['region'], "
            f"not {type(value).__name__}"
        )
    out = tuple(value)
    bad = [v for v in out if not isinstance(v, str)]
    if bad:
        raise UsageError(
            f"{option} takes names (text), not {type(bad[0]).__name__} {bad[0]!r}; "
            f"e.g. {option}=['region']"
        )
    return out


def as_ints(value: int | Sequence[int], option: str) -> tuple[int, ...]:
    """Whole numbers given as one ``int`` or a sequence of them, as a tuple.

    >>> as_ints(1, "lags"), as_ints([0, 2], "lags")
    ((1,), (0, 2))
    """
    items = tuple(value) if isinstance(value, Iterable) else (value,)
    bad = [v for v in items if not isinstance(v, Integral) or isinstance(v, bool)]
    if bad or isinstance(value, str):
        raise UsageError(
            f"{option} takes a whole number or a list of them, e.g. {option}=[1, 2], not {value!r}"
        )
    return tuple(int(v) for v in items)


def check_number(value: object, option: str) -> None:
    """A usage error unless ``value`` is a number (an ``int`` or ``float``, not text)."""
    if not _is_number(value):
        raise UsageError(f"{option} must be a number, not {type(value).__name__} {value!r}")


def check_small_base(small_base: int) -> None:
    """``small_base`` (bases below it are flagged in the notes) is a count: 0 or more."""
    if not (isinstance(small_base, Integral) and not isinstance(small_base, bool)) or (
        small_base < 0
    ):
        raise UsageError(
            f"small_base must be a whole number, 0 or more (e.g. 30), not {small_base!r}"
        )


def check_arg(value: object, kind: type | tuple[type, ...], message: str) -> None:
    """A usage error ``"<message>, not <type>"`` unless ``value`` is a ``kind``: what a
    Python API function takes first (a Survey, a table, a panel), said plainly."""
    if not isinstance(value, kind):
        raise UsageError(f"{message}, not {type(value).__name__}")


#: most groups a ``--by`` column may split the rows into (every command that takes --by)
MAX_BY_GROUPS = 200


def check_by_groups(column: str, n_groups: int, limit: int = MAX_BY_GROUPS) -> None:
    """A usage error when the ``--by`` column ``column`` has more than ``limit`` distinct
    values (``--max-groups``, default :data:`MAX_BY_GROUPS`): most likely a weight, an id or a
    free-text column, not a breakdown.

    Every command that breaks a result down by a column calls this once it knows the
    column's distinct values, before the per-group work (which is linear or, for pairwise
    differences, quadratic in the groups).

    >>> check_by_groups("region", 3)
    >>> check_by_groups("weight", 467)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxkit.errors.UsageError: --by 'weight' has 467 distinct values, more than the 200 groups ...
    """
    if n_groups > limit:
        raise UsageError(
            f"--by {column!r} has {n_groups} distinct values, more than the {limit} groups "
            "a breakdown may have: pick a categorical column (a segment, region or wave), or "
            f"raise the limit with --max-groups {n_groups}"
        )


def check_max_groups(limit: int) -> None:
    """``--max-groups`` must be a positive number of groups."""
    if limit < 1:
        raise UsageError(f"--max-groups must be 1 or more, not {limit}")


EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = UsageError.exit_code
EXIT_INPUT = InputError.exit_code
EXIT_OUTPUT = OutputError.exit_code
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
