"""One module per command; ``cxkit.cli`` registers them on the Typer app.

These modules (and ``cxkit.cli``) do not use ``from __future__ import annotations``: Typer
reads every command's signature on each start, and string annotations would be evaluated
again each time (about 20 ms of a 0.1 s ``cxkit --help``; ``tests/test_project.py``).
"""
