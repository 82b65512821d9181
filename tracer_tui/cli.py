"""The ``tracer`` command. Wires the parts together; heavy imports stay inside commands so
that ``tracer practice`` paints fast."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from tracer_tui import __version__
from tracer_tui.errors import UserError

if TYPE_CHECKING:
    from tracer_tui.client.services import Boot
    from tracer_tui.config import Settings

EXIT_USAGE = 2


def fail(message: str) -> NoReturn:
    """End the command with one clear line and exit code 2."""
    click.echo(f"tracer: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@dataclass
class CliState:
    config: Path | None
    _settings: Any = field(default=None, repr=False)

    def settings(self, **overrides: Any) -> Settings:
        from tracer_tui.config import ConfigError, load_settings

        if self._settings is None or overrides:
            try:
                self._settings = load_settings(self.config, **overrides)
            except ConfigError as exc:
                fail(str(exc))
        settings: Settings = self._settings
        return settings


class TracerGroup(click.Group):
    """A group whose subcommands may live in other modules, imported only when used, and
    which turns known errors into one line and exit code 2."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _, attr = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attr)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            click.echo("", err=True)
            sys.exit(130)


def run_app(boot: Boot) -> None:
    """Run the UI; a configuration found bad after the first frame ends with one line."""
    from tracer_tui.ui.app import make_app

    app = make_app(boot)
    try:
        app.run()
    finally:
        app.shutdown_services()
    if app.boot_error:
        fail(app.boot_error)
    if app.return_code:
        sys.exit(app.return_code)


@click.group(
    cls=TracerGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    lazy={
        "server": "tracer_tui.cli_server:server",
        "card": "tracer_tui.cli_card:card",
        "questionnaire": "tracer_tui.cli_questionnaire:questionnaire",
    },
)
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Configuration file (default: $TRACER_CONFIG, else the user config directory).",
)
@click.version_option(__version__, prog_name="tracer")
@click.pass_context
def main_group(ctx: click.Context, config: Path | None) -> None:
    """tracer: the contact-tracing call-centre terminal application.

    Without a command, opens the agent app against the configured central server.
    """
    ctx.obj = CliState(config)
    if ctx.invoked_subcommand is None:
        from tracer_tui.launch import agent_boot

        run_app(agent_boot(config))


@main_group.command()
@click.option(
    "--seed",
    type=click.IntRange(0),
    default=1,
    show_default=True,
    help="Seed of the fake cases: the same seed gives the same cases.",
)
@click.option(
    "--cases",
    type=click.IntRange(1, 500),
    default=24,
    show_default=True,
    help="Number of fake cases in the practice pool.",
)
@click.pass_obj
def practice(state: CliState, seed: int, cases: int) -> None:
    """Practice mode: fake cases on an embedded server; nothing real is touched."""
    from tracer_tui.launch import practice_boot

    run_app(practice_boot(state.config, seed=seed, cases=cases))


def main() -> None:
    main_group(prog_name="tracer")
