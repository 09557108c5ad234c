"""``python -m qbank`` runs the command line."""

from qbank.cli import run

run()
