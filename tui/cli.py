"""`ml-connector` — every terminal face starts here.

The CLI is click (already installed with uvicorn, now declared): options and their help in one
place, `--workspace` accepted before or after the command, environment variables, `--version`,
usage errors with exit code 2, and `CliRunner` for tests.

Adding a command = a module under tui/commands/ exposing `command` (a click command or group)
and one line in COMMANDS below. A command's module is imported only when that command runs, so
`status` stays quick and the headless worker never loads the console (textual) or the stand-ins.
"""
from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

import click

from core.errors import ConnectorError, StateError
from core.exit_codes import EXIT_CODE_TABLE, ExitCode
from tui.commands.common import CommandError, global_options
from tui.plain_output import plain_stdout

# name -> (module exposing `command`, the line `ml-connector --help` shows for it)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("tui.commands.init", "create a workspace: configuration, state database, key"),
    "pairs": ("tui.commands.pairs", "list the shop -> GP company pairs (add one: init --pair)"),
    "credentials": ("tui.commands.credentials", "store, show (masked) or re-key credentials"),
    "check": ("tui.commands.check", "ping WooCommerce and GP, report what fits and what to fix"),
    "webhooks": ("tui.commands.webhooks", "install and check WooCommerce webhooks"),
    "backfill": ("tui.commands.backfill", "import order history since a date (resumable)"),
    "worker": ("tui.commands.worker", "run the sync unattended (a service)"),
    "receive": ("tui.commands.receive", "receive every pair's webhooks on one address"),
    "status": ("tui.commands.status", "queues, held and failed documents, worker and webhooks"),
    "replay": ("tui.commands.replay", "send held or failed orders back to posting"),
    "payments": ("tui.commands.payments", "map WooCommerce gateways to GP payments (GP's ids)"),
    "reconcile": ("tui.commands.reconcile", "compare WooCommerce with GP for a range of days"),
    "gl": ("tui.commands.gl", "list, set or import the GL accounts (checked in GP first)"),
    "audit": ("tui.commands.audit", "verify or export the audit trail"),
    "console": ("tui.commands.console", "open the accountant's console"),
    "demo": ("tui.commands.demo", "try everything on local stand-ins (no credentials)"),
    "sandbox": ("tui.commands.sandbox", "run local WooCommerce and GP stand-ins"),
    "alerts": ("tui.commands.alerts", "alerts and the daily digest: test, check, status, digest"),
    "products": ("tui.commands.products", "the product sync plan waiting for approval"),
}

EXIT_CODES_HELP = "Exit codes (every command):\n\n\b\n" + "\n".join(
    f"  {int(code):>3}  {meaning}" for code, meaning in EXIT_CODE_TABLE)


class CommandRegistry(click.Group):
    """The commands of COMMANDS, each imported when it is run (or asked for its help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        command = importlib.import_module(entry[0]).command
        if not isinstance(command, click.Command):
            raise TypeError(f"{entry[0]}.command is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, summary) in COMMANDS.items()])

    def invoke(self, ctx: click.Context) -> Any:
        # Errors raised on purpose (a wrong setting, missing credentials, a bad date) are said in
        # one line, never as a traceback; the state database's problems have their own code.
        try:
            return super().invoke(ctx)
        except CommandError as exc:
            exc.command = exc.command or ctx.invoked_subcommand
            raise
        except StateError as exc:
            raise CommandError(str(exc), command=ctx.invoked_subcommand,
                               exit_code=ExitCode.STATE) from exc
        except (ConnectorError, ValueError) as exc:
            raise CommandError(str(exc), command=ctx.invoked_subcommand) from exc


@click.group(cls=CommandRegistry, epilog=EXIT_CODES_HELP,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@global_options(top=True)
@click.version_option(package_name="ml-connector", prog_name="ml-connector",
                      message="%(prog)s %(version)s", help="print the version and exit")
def cli() -> None:
    """Move WooCommerce orders, refunds, customers and products into Dynamics GP."""


# Commands that draw a full-screen UI with escape sequences of their own.
FULL_SCREEN = {"console", "demo", "sandbox"}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code (the table is in the README and in --help)."""
    args = list(argv) if argv is not None else sys.argv[1:]
    wrap = plain_stdout() if not FULL_SCREEN & set(args) else nullcontext()
    try:
        with wrap:
            result = cli.main(args=args, prog_name="ml-connector", standalone_mode=False)
    except CommandError as exc:
        exc.show()
        return exc.code
    except click.ClickException as exc:  # usage: unknown option, bad value, missing argument
        exc.show()
        return ExitCode.USAGE
    except (click.Abort, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if result is None:  # a group shown its help, --help, --version
        return ExitCode.OK
    return int(result)


if __name__ == "__main__":
    sys.exit(main())
