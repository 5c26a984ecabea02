"""One module per command; ``cxkit.cli`` registers them on the Typer app."""
