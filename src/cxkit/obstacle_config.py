"""The ``[obstacles]`` table of ``cxkit.toml``, validated into an :class:`ObstacleConfig`.

Its keys (every one optional)::

    [obstacles]
    columns = ["Q7_*"]        # column names or globs
    layout = "rank-numbers"   # rank-columns | rank-numbers | multi-select
    ranks = 5                 # how many ranks respondents were asked to give (k)
    separator = ";"           # multi-select in one cell
    [obstacles.labels]        # column -> obstacle (rank-numbers / one column per option)
    Q7_1 = "Budget restrictions"
    [obstacles.aliases]       # spelling -> obstacle
    "budget" = "Budget restrictions"
    [obstacles.offered]       # wave -> obstacles offered, when the data cannot tell
    "2011" = ["Budget restrictions", "Siloed organisation"]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError

#: the answer layouts :func:`cxkit.rankings.parse_rankings` reads
LAYOUTS = ("rank-columns", "rank-numbers", "multi-select")
_CONFIG_KEYS = {"columns", "layout", "ranks", "separator", "labels", "aliases", "offered"}


@dataclass(frozen=True)
class ObstacleConfig:
    """The validated ``[obstacles]`` table (every field optional)."""

    columns: tuple[str, ...] = ()
    layout: str | None = None
    ranks: int | None = None
    separator: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    offered: dict[str, tuple[str, ...]] = field(default_factory=dict)


def parse_config(table: dict[str, Any], path: str = "cxkit.toml") -> ObstacleConfig:
    """Validate ``[obstacles]``; a :class:`ConfigError` names the file and the key."""

    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{path}: obstacles.{key}: {problem}")

    for k in table:
        if k not in _CONFIG_KEYS:
            raise fail(k, f"unknown key; expected one of {', '.join(sorted(_CONFIG_KEYS))}")

    def strings(value: Any, key: str) -> tuple[str, ...]:
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise fail(key, "must be a list of non-empty strings")
        return tuple(value)

    def mapping(key: str) -> dict[str, str]:
        value = table.get(key, {})
        if not isinstance(value, dict) or not all(
            isinstance(v, str) and v.strip() for v in value.values()
        ):
            raise fail(key, 'must be a table of "name" = "obstacle" strings')
        return dict(value)

    layout = table.get("layout")
    if layout is not None and layout not in LAYOUTS:
        raise fail("layout", f"{layout!r} is not one of {', '.join(LAYOUTS)}")
    ranks = table.get("ranks")
    if ranks is not None and (isinstance(ranks, bool) or not isinstance(ranks, int) or ranks < 1):
        raise fail("ranks", f"must be a whole number >= 1, not {ranks!r}")
    sep = table.get("separator")
    if sep is not None and (not isinstance(sep, str) or not sep):
        raise fail("separator", "must be a non-empty string such as ';'")
    offered_raw = table.get("offered", {})
    if not isinstance(offered_raw, dict):
        raise fail("offered", "must be a table of wave = [obstacles]")
    offered = {str(w): strings(v, f"offered.{w}") for w, v in offered_raw.items()}
    return ObstacleConfig(
        columns=strings(table["columns"], "columns") if "columns" in table else (),
        layout=layout,
        ranks=ranks,
        separator=sep,
        labels=mapping("labels"),
        aliases=mapping("aliases"),
        offered=offered,
    )
