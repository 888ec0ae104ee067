"""The ``assay`` command line: thin parsers that call services and print text or JSON.

Each area of the CLI is a module in this package with a ``register(subparsers)`` function;
``COMMAND_MODULES`` lists them. Handlers take a :class:`~app.cli.common.CliContext` and return
an exit code. User errors become one line on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from app import __version__
from app.cli.common import CliContext, terminal_safe
from app.services.errors import UserError
from app.storage import errors as db_errors
from app.support.logging_setup import configure_logging, log_file_path
from app.support.progress import Cancelled

logger = logging.getLogger(__name__)

#: The modules of this package that add sub-commands, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "inventory",
    "systems",
    "findings",
    "records",
    "assess",
    "report",
    "review",
    "export",
    "package",
    "frameworks",
    "engagement",
    "demo",
    "check",
    "workspace",
    "doctor",
    "server",
)

EXIT_OK, EXIT_USER_ERROR, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit code 1."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USER_ERROR, f"assay: error: {message} (see '{self.prog} --help')\n")


def _global_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--workspace",
        metavar="PATH|URL",
        default=argparse.SUPPRESS,
        help="workspace file, or postgresql://user@host:port/db for a team server "
        "(default: your default workspace)",
    )
    options.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON"
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    """Build the full ``assay`` parser with every registered sub-command."""
    parser = _Parser(
        prog="assay",
        description="Assess AI systems as governed identities, offline.",
        parents=[_global_options()],
    )
    parser.add_argument("--version", action="version", version=f"Assay {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    gui = subparsers.add_parser("gui", help="start the desktop app (the default)")
    gui.add_argument("path", nargs="?", metavar="WORKSPACE", help="workspace to open")
    for name in COMMAND_MODULES:
        importlib.import_module(f"app.cli.{name}").register(subparsers)
    _share_global_options(parser)
    return parser


def _share_global_options(parser: argparse.ArgumentParser) -> None:
    """Let ``--workspace`` and ``--json`` also follow any sub-command."""
    for action in parser._actions:  # noqa: SLF001 - argparse has no public walk
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for sub in action.choices.values():
                known = {opt for a in sub._actions for opt in a.option_strings}  # noqa: SLF001
                for option in _global_options()._actions:  # noqa: SLF001
                    if not set(option.option_strings) & known:
                        sub._add_action(option)  # noqa: SLF001
                _share_global_options(sub)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code.

    Exit 0 on success, 1 on any user or environment error (a one-line reason on stderr), 2
    only for a genuine bug. A reader that stops early (``assay ... | head -1``) ends the run
    quietly.

    Args:
        argv: The arguments after the program name; ``sys.argv[1:]`` when None.
    """
    configure_logging()
    args = build_parser().parse_args(argv)
    if not getattr(args, "handler", None):
        build_parser().print_help()
        return EXIT_USER_ERROR
    ctx = CliContext(args)
    try:
        code = int(args.handler(ctx))
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except UserError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        print("assay: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Cancelled:
        return _fail("stopped at your request; nothing of the unfinished step was saved")
    except MemoryError:
        logger.error("out of memory in %s", args.command)
        return _fail("not enough memory to finish; nothing was saved")
    except Exception as exc:
        if db_errors.is_database_error(exc):
            return _database_failure(exc, args.command, ctx.workspace_path(), ctx.server_url())
        return _internal_error(exc, args.command)
    finally:
        ctx.close()


def _fail(message: str) -> int:
    print(terminal_safe(f"assay: {message}"), file=sys.stderr)
    return EXIT_USER_ERROR


def _database_failure(
    exc: Exception, command: str, workspace: Path | None, server: str | None = None
) -> int:
    """Report a database error in one line; log its kind and class, never its statement."""
    failure = db_errors.classify(exc)
    logger.error("database error in %s: %s (%s)", command, failure.kind, failure.error_class)
    if failure.kind == "other":
        return _internal_error(exc, command)
    if server is not None:
        return _fail(db_errors.describe_server(exc, server))
    return _fail(db_errors.describe(exc, workspace))


def _internal_error(exc: Exception, command: str) -> int:
    """Log a bug's class and where it happened (not its message, which may hold row values)."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("internal error in %s: %s\n%s", command, type(exc).__name__, frames)
    print(
        f"assay: internal error ({type(exc).__name__}); please report it "
        f"(details in {log_file_path()})",
        file=sys.stderr,
    )
    return EXIT_INTERNAL_ERROR


def _quiet_broken_pipe() -> int:
    """The reader of our output went away (``assay … | head``): stop without a message.

    The command's work is done; pointing stdout at the null device keeps the final flush at
    exit from failing once more. Without a file descriptor behind stdout there is nothing to do.
    """
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK
