"""What every screen shares: header, practice marker, footer, translated bindings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from textual.app import ComposeResult
from textual.binding import BindingsMap
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from tracer_tui.core.i18n import _

if TYPE_CHECKING:
    from tracer_tui.ui.app import TracerApp

R = TypeVar("R")


def translate_bindings(node: DOMNode) -> None:
    """Bindings are declared with ``N_()`` markers at class level, before the language is
    known; translate this node's copy of them for the Footer and the key help."""
    keys = {
        key: [
            replace(binding, description=_(binding.description), tooltip=_(binding.tooltip))
            if binding.description or binding.tooltip
            else binding
            for binding in bindings
        ]
        for key, bindings in node._bindings.key_to_bindings.items()
    }
    node._bindings = BindingsMap.from_keys(keys)


class QuietFooter(Footer):
    """A Footer that redraws only when the keys it shows change.

    Textual's Footer rebuilds all its keys at every focus change; in a form, moving from
    field to field would cost a rebuild each time for the same keys."""

    _shown: tuple[tuple[str, str, bool], ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        shown = tuple(
            (key, active.binding.description, active.enabled)
            for key, active in screen.active_bindings.items()
            if active.binding.show
        )
        if shown == self._shown and self.children:
            self._bindings_ready = True
            return
        self._shown = shown
        super().bindings_changed(screen)


class PracticeMarker(Static):
    """The permanent, unmistakable practice-mode banner."""

    DEFAULT_CSS = """
    PracticeMarker {
        width: 100%;
        height: 1;
        background: $warning;
        color: $background;
        text-style: bold;
        content-align: center middle;
    }
    """


class TracerScreen(Screen[R], Generic[R]):
    """A full screen with the header, the practice marker when there is one, and the footer."""

    def __init__(self, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        translate_bindings(self)

    @property
    def tracer(self) -> TracerApp:
        return cast("TracerApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        marker = self.tracer.boot.marker
        if marker:
            yield PracticeMarker(_(marker))
        yield from self.compose_body()
        yield QuietFooter()

    def compose_body(self) -> Iterable[Widget]:
        return ()


class TracerModal(ModalScreen[R], Generic[R]):
    def __init__(self, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        translate_bindings(self)
