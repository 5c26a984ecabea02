"""Read one file once and build several :class:`~cxkit.survey.Survey` views of it.

``read_survey`` reads every item on one answer scale. Some analyses need columns on different
scales from the same file (key drivers on 1-5 against a 0-10 outcome) or a column coded with
its own labels (a platform's NPS group column: Promoter / Passive / Detractor). These helpers
read the file and the config once (so standard input works) and recode each part with its own
:class:`~cxkit.survey.SurveySpec`, reusing the survey module's recoder, checks and messages.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .read import RawTable, read_table
from .study import Study, find_config, load_study
from .survey import Survey, SurveySpec, _resolve_items, _wave_col, build_parts


@dataclass
class OpenedSurvey:
    """A file read once, with the study config in force and the role column it implies."""

    raw: RawTable
    study: Study
    role_col: str | None

    def part(self, spec: SurveySpec, *, labels: dict[str, float] | None = None) -> Survey:
        """Recode the columns named by ``spec`` into a :class:`Survey`.

        ``labels`` replaces the answer-label map for this part only (text label -> code).
        """
        study = replace(self.study, labels=dict(labels)) if labels is not None else self.study
        file = self.raw.source.path
        items = _resolve_items(self.raw.table, study, spec.items, file, spec.items_option)
        parts = build_parts(self.raw, study, spec, items, self.role_col)
        return Survey(
            columns=parts.columns,
            answers=parts.answers,
            items=parts.items,
            study=self.study,
            scale=parts.scale,
            role_col=self.role_col,
            weight_col=spec.weight(self.study),
            sources=[self.raw.source],
            notes=list(self.raw.notes) + parts.notes,
            n_rows=parts.n_rows,
            self_roles=self.study.default_self(),
            customer_roles=self.study.default_customer(),
            wave_col=_wave_col(self.raw.table, study, spec, file),
        )


def open_survey(
    path: str | Path,
    *,
    config: str | Path | None = None,
    use_config: bool = True,
    encoding: str | None = None,
    role_col: str | None = None,
    raw: RawTable | None = None,
) -> OpenedSurvey:
    """Read ``path`` (``-`` = stdin) and find its config, as :func:`read_survey` does;
    ``raw`` is ``read_table(path, encoding=encoding)`` when the caller has read it already
    (``cxkit check`` reads each drop once). Its table is not changed."""
    cfg_path = find_config(config, path) if use_config else None
    study = load_study(cfg_path) if cfg_path is not None else Study()
    raw = raw if raw is not None else read_table(path, encoding=encoding)
    role = role_col or study.role_col
    if role is None and "role" in raw.table.column_names:
        role = "role"
    return OpenedSurvey(raw=raw, study=study, role_col=role)
