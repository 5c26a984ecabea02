"""Guards on the drops ``cxkit check`` is given, before any check runs.

The same drop twice, drops in the wrong order (by their wave columns), and a column a
check's config names that no drop has (a typo: a config error, not a failed gate).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from . import analyses
from .errors import ConfigError, CxkitError, UsageError
from .read import RawTable, read_table
from .study import Study

_ORDER_HINT = (
    "give the previous drop, then the one to check, e.g. cxkit check 2026Q2.csv 2026Q3.csv"
)


def check_distinct(drops: Sequence[str]) -> None:
    """A usage error when a drop file is given twice (the same path, however written)."""
    from pathlib import Path

    seen: dict[Path, str] = {}
    for drop in drops:
        if drop == "-":
            continue
        where = Path(drop).resolve()
        if where in seen:
            spelled = f" (as {seen[where]} and {drop})" if seen[where] != drop else ""
            raise UsageError(
                f"{drop}: the same drop is given twice{spelled}; name each drop once and "
                f"{_ORDER_HINT}"
            )
        seen[where] = drop


def check_order(previous: RawTable, current: RawTable, study: Study) -> None:
    """A usage error when the two drops compared are one file (the same sha256) or when
    their wave columns say the previous drop is the later one: every change would be read
    backwards. Drops without a wave column are taken in the order given."""
    from .waves import raw_waves, wave_key

    before, after = previous.source, current.source
    if before.sha256 == after.sha256:
        raise UsageError(
            f"{before.path} and {after.path} are the same drop (same sha256): drift and change "
            f"checks would compare it with itself; {_ORDER_HINT}"
        )
    try:
        col, waves_before = raw_waves(previous, None, study.wave_col)
        col_after, waves_after = raw_waves(current, None, study.wave_col)
    except CxkitError:
        return
    if col != col_after or not waves_before or not waves_after:
        return
    if wave_key(waves_before[0]) > wave_key(waves_after[-1]):
        raise UsageError(
            f"the drops are in the wrong order: {before.path} holds wave "
            f"{_waves(waves_before)} in column {col!r}, later than {after.path}'s "
            f"{_waves(waves_after)}; pass the previous drop first: cxkit check "
            f"{after.path} {before.path}"
        )


def _waves(labels: Sequence[str]) -> str:
    """``2026Q3`` or ``2026Q1 to 2026Q3``."""
    return labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"


class KnownColumns:
    """The columns of the drops checked, to tell a typo in a column name a check's config
    gives (no drop has it: a config error) from a column the current drop lost (data: the
    check runs and fails), as ``--fail-if`` paths do (:func:`analyses.check_drop_columns`).
    The previous drop's column names are read only when the current drop lacks a name."""

    def __init__(self, raws: Mapping[str, RawTable], current: str, previous: str | None) -> None:
        self.raws, self.current, self.previous = raws, current, previous
        self._previous_names: list[str] | None = None

    def _previous(self) -> list[str]:
        if self._previous_names is None:
            if self.previous is None:
                self._previous_names = []
            elif self.previous in self.raws:
                self._previous_names = self.raws[self.previous].table.column_names
            else:
                names: list[str] = []

                def keep_none(given: list[str]) -> list[str]:
                    names.extend(given)
                    return []

                read_table(self.previous, columns=keep_none)
                self._previous_names = names
        return self._previous_names

    def require(self, name: str, key: str, pattern: bool = False) -> None:
        """A config error when no drop has a column ``name`` (or, with ``pattern``, none
        matches it), naming ``key``, a close match and the current drop's columns."""
        import fnmatch

        columns = self.raws[self.current].table.column_names

        def found(names: Sequence[str]) -> bool:
            if pattern:
                return any(fnmatch.fnmatch(c, name) for c in names)
            return name in names

        if found(columns) or found(self._previous()):
            return
        what = f"{name!r} matches no column" if pattern else f"no column {name!r}"
        raise ConfigError(
            f"{key}: {what} in {self.current}{analyses._did_you_mean(name, columns)}; "
            f"columns: {analyses._listing(list(columns))}"
        )

    def require_item(
        self,
        pattern: str,
        key: str,
        items: Sequence[str],
        previous_items: Callable[[], Sequence[str]],
    ) -> None:
        """A config error when ``pattern`` (an ``items`` glob whose columns
        :meth:`require` found) matches no item of the current drop (``items``) nor of the
        previous one (``previous_items()``, called only then): it names columns such as
        ``region`` that are never rated, so the check could never look at anything. An
        item only the previous drop has is data: the check runs and fails."""
        import fnmatch

        def found(names: Sequence[str]) -> list[str]:
            return [n for n in names if fnmatch.fnmatch(n, pattern)]

        if found(items) or found(previous_items()):
            return
        columns = list(dict.fromkeys(found(self.raws[self.current].table.column_names)))
        columns += [c for c in found(self._previous()) if c not in columns]
        drops = self.current + (f" or {self.previous}" if self.previous else "")
        raise ConfigError(
            f"{key}: {pattern!r} matches {analyses._listing(columns, 4)} but no item of "
            f"{drops} (a column not rated on the scale, or the id, role, wave, weight or "
            f"segment column){analyses._did_you_mean(pattern, items)}; items: "
            f"{analyses._listing(list(items))}"
        )
