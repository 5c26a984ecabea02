"""``python -m cxkit``."""

from .cli import main

main()
