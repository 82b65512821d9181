"""The masked PIN entry of the login, pledge and lock screens."""

from __future__ import annotations

from textual.widgets import Input

from tracer_tui.core.i18n import _

PIN_MIN = 4
PIN_MAX = 12


class PinInput(Input):
    """Digits only, 4 to 12 of them, shown as dots. The value is cleared after each use:
    the PIN is never kept. Hidden and disabled until :meth:`show`."""

    DEFAULT_CSS = """
    PinInput {
        width: 24;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder=_("PIN"),
            password=True,
            restrict=r"[0-9]*",
            max_length=PIN_MAX,
            id=id,
            select_on_focus=False,
            disabled=True,
        )
        self.display = False

    def show(self) -> None:
        """Offer the PIN entry and put the cursor in it."""
        self.display = True
        self.disabled = False
        self.focus()

    def hide(self) -> None:
        """Take the PIN entry away (and what was typed in it)."""
        self.value = ""
        self.disabled = True
        self.display = False

    @property
    def complete(self) -> bool:
        return PIN_MIN <= len(self.value) <= PIN_MAX

    def take(self) -> str:
        """The PIN typed, and clear the field."""
        pin = self.value
        self.value = ""
        return pin
