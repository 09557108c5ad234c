"""The ``qbank`` command line: a thin layer over the library."""

from qbank.cli.app import cli, main, run

__all__ = ["cli", "main", "run"]
