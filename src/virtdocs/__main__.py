"""``python -m virtdocs`` runs the command line."""

from virtdocs.cli import run

run()
