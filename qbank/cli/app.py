"""The ``qbank`` command line: glue only. Parse arguments, call the API, report, return an exit code.

Exit codes (every command): 0 clean; 1 findings at or above the failing severity; 2 usage,
configuration or I/O error. Each command lives in a module of this package that is imported only
when the command runs (or when help lists it), so ``qbank --version`` loads almost nothing.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click

from qbank import __version__
from qbank.cli.common import EXIT_OK, EXIT_USAGE, UsageError, echo_err
from qbank.core.gcpolicy import bulk_work

__all__ = ["cli", "main", "run"]

#: command name -> "module:function" in this package
COMMANDS = {
    "validate": "check:validate",
    "check": "check:check_command",
    "rules": "tools:rules_command",
    "fmt": "tools:fmt_command",
    "dupes": "dupes:dupes_command",
    "coverage": "blueprint:coverage_command",
    "assemble": "blueprint:assemble_command",
    "expand": "expand:expand_command",
    "stats": "stats:stats_command",
    "export": "transfer:export_command",
    "import": "transfer:import_command",
    "schemas": "tools:schemas",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        command = getattr(importlib.import_module(f"qbank.cli.{module}"), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="qbank")
def cli() -> None:
    """Validate, lint, de-duplicate and export question banks kept as YAML/JSON."""


@bulk_work()
def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI in-process and return its exit code (never raises for user errors)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        rv = cli.main(args=args, prog_name="qbank", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        echo_err("aborted")
        return EXIT_USAGE
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except UsageError as exc:
        echo_err(f"qbank: {exc}")
        return EXIT_USAGE
    except OSError as exc:
        echo_err(f"qbank: {exc}")
        return EXIT_USAGE
    return int(rv) if isinstance(rv, int) else EXIT_OK


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
