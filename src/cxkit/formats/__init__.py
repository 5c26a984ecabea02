"""Format readers behind :func:`cxkit.read.read_table`.

Each module turns one kind of export into the same shape: an Arrow table with one column per
answer and a :class:`~cxkit.formats.meta.TableMeta` saying what the columns mean (question
labels, multi-select and rank groups, metadata columns, rows excluded and why).

- ``text``: bytes -> text (BOM, UTF-16, UTF-8, Windows-1252) -> records, with pyarrow.
- ``platforms``: header records -> column names and labels (Qualtrics current and legacy,
  SurveyMonkey, Google Forms, plain), then ``questions`` expands multi-select and rank answers.
- ``excel``, ``spss``, ``folder``: workbooks, SPSS ``.sav`` files, folders of drops.
"""
