"""A yes/no question in a modal dialog."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tracer_tui.core.i18n import N_, _
from tracer_tui.ui.base import TracerModal


class ConfirmScreen(TracerModal[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", N_("Yes"), id="yes", tooltip=N_("Yes")),
        Binding("n,escape", "answer(False)", N_("No"), id="no", tooltip=N_("No")),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(_("Yes") + " (y)", id="confirm-yes", variant="error")
                yield Button(_("No") + " (n)", id="confirm-no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
