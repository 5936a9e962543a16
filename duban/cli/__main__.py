"""`python -m duban.cli`."""

from duban.cli import app

app()
