"""The check expression language: ``PATH OP NUMBER``, parsed by hand, never evaluated.

Grammar (whitespace allowed between tokens)::

    expr    := path op number
    path    := name ( "." name | "[" filter ( "," filter )* "]" )*
    filter  := value | name "=" value          value: text up to "," or "]" (or "quoted")
    op      := "<" | "<=" | ">" | ">=" | "==" | "!="
    number  := [+-]? digits [ "." digits ] [ e [+-] digits ] [ "%" ]    (30% = 0.30)
    name    := letter or "_", then letters, digits, "_"

The first name is the analysis (``gap``, ``nps`` …), the last name the result column; names
between them pick a ``level`` (``item``, ``pillar``, ``overall``); filters pick rows, either by
a breakdown column (``[region=EMEA]``) or, bare, by the row's key (``item[sa_1]``).

Examples: ``gap.overall.agree_ratio <= 3``, ``gap.item[sa_1].agree_customer >= 30%``,
``gap[region=EMEA].overall.agree_gap < 0.5``, ``nps[segment=EMEA].estimate >= 20``.

Anything else is a :class:`~cxkit.errors.UsageError` that points at the offending character.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import UsageError

OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
_MAX_LEN = 500


@dataclass(frozen=True)
class Path:
    """A metric path: analysis, levels, row filters and the column."""

    analysis: str
    levels: tuple[str, ...] = ()
    filters: tuple[tuple[str | None, str], ...] = ()
    key_filters: tuple[tuple[str, str], ...] = field(default=())
    column: str = ""


@dataclass(frozen=True)
class Expr:
    """A parsed threshold: ``path op limit``."""

    path: Path
    op: str
    limit: float
    source: str

    def holds(self, value: float) -> bool:
        """Whether ``value`` satisfies the comparison (``nan`` never does)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        return OPS[self.op](float(value), self.limit)


class _Parser:
    def __init__(
        self, text: str, form: str = "PATH OP NUMBER, e.g. 'gap.overall.agree_ratio <= 3'"
    ) -> None:
        self.text = text
        self.pos = 0
        self.form = form

    def fail(self, what: str) -> UsageError:
        shown = self.text if len(self.text) <= 80 else self.text[:77] + "..."
        return UsageError(
            f"cannot parse check {shown!r} at character {self.pos + 1}: {what}; write {self.form}"
        )

    def ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def name(self, what: str) -> str:
        m = _NAME.match(self.text, self.pos)
        if not m:
            raise self.fail(f"expected {what}, found {self.peek() or 'end of text'!r}")
        self.pos = m.end()
        return m.group(0)

    def value(self) -> str:
        self.ws()
        if self.peek() in ('"', "'"):
            quote = self.peek()
            end = self.text.find(quote, self.pos + 1)
            if end < 0:
                raise self.fail("unclosed quote")
            out = self.text[self.pos + 1 : end]
            self.pos = end + 1
            self.ws()
            return out
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ",]=[":
            self.pos += 1
        out = self.text[start : self.pos].strip()
        if not out:
            raise self.fail("expected a value inside [ ]")
        return out

    def filters(self) -> list[tuple[str | None, str]]:
        out: list[tuple[str | None, str]] = []
        while True:
            first = self.value()
            if self.peek() == "=":
                self.pos += 1
                if not _NAME.fullmatch(first):
                    raise self.fail(f"{first!r} is not a column name")
                out.append((first, self.value()))
            else:
                out.append((None, first))
            if self.peek() == ",":
                self.pos += 1
                continue
            if self.peek() == "]":
                self.pos += 1
                return out
            raise self.fail("expected ',' or ']'")

    def path(self) -> tuple[str, list[str], list[tuple[str | None, str, int]]]:
        analysis = self.name("an analysis name")
        names: list[str] = []
        filters: list[tuple[str | None, str, int]] = []
        while True:
            ch = self.peek()
            if ch == ".":
                self.pos += 1
                names.append(self.name("a name after '.'"))
            elif ch == "[":
                self.pos += 1
                for key, value in self.filters():
                    filters.append((key, value, len(names)))
            else:
                return analysis, names, filters

    def parse(self, path_only: bool = False) -> Expr:
        if len(self.text) > _MAX_LEN:
            raise UsageError(f"check expression longer than {_MAX_LEN} characters")
        self.ws()
        analysis, names, raw_filters = self.path()
        if not names or any(pos == len(names) > 0 for _, _, pos in raw_filters):
            raise self.fail("the path must end in a column, e.g. gap.item[sa_1].agree_self")
        self.ws()
        if path_only:
            if self.pos != len(self.text):
                raise self.fail(f"unexpected {self.peek()!r} after the path")
            return self.expr(names, raw_filters, analysis, "!=", 0.0)
        op = next((o for o in OPS if self.text.startswith(o, self.pos)), None)
        if op is None:
            raise self.fail(f"expected one of {' '.join(OPS)}, found {self.peek() or 'end'!r}")
        self.pos += len(op)
        self.ws()
        m = _NUMBER.match(self.text, self.pos)
        if not m:
            raise self.fail("expected a number")
        literal = m.group(0)
        limit = float(literal.rstrip("%")) / (100.0 if literal.endswith("%") else 1.0)
        if not math.isfinite(limit):  # 1e999 reads as infinity: a gate that always holds
            raise self.fail(f"the number {literal} is too large to compare with")
        self.pos = m.end()
        self.ws()
        if self.pos != len(self.text):
            raise self.fail(f"unexpected {self.peek()!r}")
        return self.expr(names, raw_filters, analysis, op, limit)

    def expr(
        self,
        names: list[str],
        raw_filters: list[tuple[str | None, str, int]],
        analysis: str,
        op: str,
        limit: float,
    ) -> Expr:
        *levels, column = names
        filters: list[tuple[str | None, str]] = []
        key_filters: list[tuple[str, str]] = []
        for key, value, position in raw_filters:
            if key is None and position > 0:
                key_filters.append((names[position - 1], value))
            else:
                filters.append((key, value))
        path = Path(analysis, tuple(levels), tuple(filters), tuple(key_filters), column)
        return Expr(path, op, limit, self.text.strip())


def parse(text: str) -> Expr:
    """Parse a check expression.

    >>> e = parse("gap.item[sa_1].agree_customer >= 30%")
    >>> e.path.analysis, e.path.levels, e.path.key_filters, e.path.column, e.op, e.limit
    ('gap', ('item',), (('item', 'sa_1'),), 'agree_customer', '>=', 0.3)
    >>> parse("nps[segment=EMEA].estimate >= 20").path.filters
    (('segment', 'EMEA'),)
    """
    return _Parser(text).parse()


def parse_path(text: str) -> Path:
    """Parse a metric path alone (a ``change`` check's), with no comparison after it.

    >>> parse_path("gap[region=EMEA].overall.agree_customer").filters
    (('region', 'EMEA'),)
    >>> try:
    ...     parse_path("gap.overall.agree_customer >= 3")
    ... except UsageError as exc:
    ...     print(str(exc).split(": ")[1])
    unexpected '>' after the path; write a PATH only, e.g. 'gap.overall.agree_customer'
    """
    return _Parser(text, "a PATH only, e.g. 'gap.overall.agree_customer'").parse(True).path
