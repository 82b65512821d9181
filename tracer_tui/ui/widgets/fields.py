"""One input widget per question type, built from the engine's ItemView.

Widgets carry the answer key in ``field_key``; their CSS id is derived from it, since keys
such as ``contacts[2].phone`` are not valid ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Label, RadioButton, RadioSet, SelectionList, Static

from tracer_tui.core.i18n import N_, _
from tracer_tui.core.questionnaire import ItemType
from tracer_tui.core.views import ItemView
from tracer_tui.ui.base import translate_bindings

PLACEHOLDERS: dict[ItemType, str] = {
    ItemType.DATE: N_("DD/MM/YYYY"),
    ItemType.PHONE: N_("0470 12 34 56"),
    ItemType.NATIONAL_NUMBER: N_("YY.MM.DD-SSS.CC"),
    ItemType.POSTCODE: N_("4 digits"),
    ItemType.EMAIL: N_("name@example.be"),
}
INPUT_TYPES: dict[ItemType, str] = {ItemType.INTEGER: "integer", ItemType.DECIMAL: "text"}


def field_id(key: str) -> str:
    """A CSS id for an answer key: ``contacts[2].phone`` → ``f-contacts-2--phone``."""
    return "f-" + key.replace("[", "-").replace("]", "").replace(".", "--")


def error_id(key: str) -> str:
    return "e" + field_id(key)[1:]


class YesNo(Widget, can_focus=True):
    """A yes/no answer from the keyboard: y (or j, o) and n, arrows to switch, Delete to clear."""

    DEFAULT_CSS = """
    YesNo {
        height: 1;
        width: auto;
        padding: 0 1;
    }
    YesNo:focus {
        background: $boost;
        text-style: bold;
    }
    """

    BINDINGS = [
        Binding("y,j,o", "set(True)", N_("Yes"), id="yes", tooltip=N_("Answer yes"), show=False),
        Binding("n", "set(False)", N_("No"), id="no", tooltip=N_("Answer no"), show=False),
        Binding(
            "left,right,space",
            "toggle",
            N_("Switch"),
            id="switch",
            show=False,
            tooltip=N_("Switch between yes and no"),
        ),
        Binding(
            "enter",
            "go_on",
            N_("Go on"),
            id="go-on",
            show=False,
            tooltip=N_("Next field, or next screen from the last one"),
        ),
        Binding(
            "delete,backspace",
            "set(None)",
            N_("Clear"),
            id="clear",
            show=False,
            tooltip=N_("Remove the answer"),
        ),
    ]

    value: reactive[bool | None] = reactive(None)

    class Changed(Message):
        def __init__(self, field: YesNo, value: bool | None) -> None:
            super().__init__()
            self.field = field
            self.value = value

        @property
        def control(self) -> YesNo:
            return self.field

    def __init__(self, value: bool | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        translate_bindings(self)
        self.set_reactive(YesNo.value, value)

    def render(self) -> Text:
        yes, no = _("Yes"), _("No")
        text = Text()
        text.append("(●) " if self.value is True else "( ) ")
        text.append(yes, style="bold" if self.value is True else "")
        text.append(" [y]", style="dim")
        text.append("    ")
        text.append("(●) " if self.value is False else "( ) ")
        text.append(no, style="bold" if self.value is False else "")
        text.append(" [n]", style="dim")
        return text

    class Submitted(Message):
        """Enter on a yes/no: go on, as Enter does in a text field."""

        def __init__(self, field: YesNo) -> None:
            super().__init__()
            self.field = field

        @property
        def control(self) -> YesNo:
            return self.field

    def action_go_on(self) -> None:
        self.post_message(self.Submitted(self))

    def action_set(self, value: bool | None) -> None:
        self.value = value

    def action_switch(self) -> None:
        self.value = not self.value if self.value is not None else True

    def watch_value(self, value: bool | None) -> None:
        self.post_message(self.Changed(self, value))


def make_input(view: ItemView) -> Widget:
    """The widget for one question, holding its current answer."""
    item = view.item
    wid = field_id(view.key)
    value: Any = view.value
    widget: Widget
    match item.type:
        case ItemType.YES_NO:
            widget = YesNo(value if isinstance(value, bool) else None, id=wid)
        case ItemType.SINGLE:
            widget = RadioSet(
                *[RadioButton(label, value=(choice == value)) for choice, label in view.choices],
                id=wid,
                compact=True,
            )
        case ItemType.MULTIPLE:
            chosen = set(value or ())
            widget = SelectionList[str](
                *[(label, choice, choice in chosen) for choice, label in view.choices],
                id=wid,
                compact=True,
            )
        case _:
            placeholder = PLACEHOLDERS.get(item.type)
            widget = Input(
                value="" if value is None else str(value),
                placeholder=_(placeholder) if placeholder else "",
                type=INPUT_TYPES.get(item.type, "text"),  # type: ignore[arg-type]
                id=wid,
                compact=True,
            )
    setattr(widget, "field_key", view.key)  # noqa: B010 - read back by the screens
    return widget


def raw_value(widget: Widget, view: ItemView) -> object:
    """What the engine gets for a widget: its text, a bool, a choice or a list of them."""
    if isinstance(widget, YesNo):
        return widget.value
    if isinstance(widget, RadioSet):
        index = widget.pressed_index
        return view.choices[index][0] if 0 <= index < len(view.choices) else None
    if isinstance(widget, SelectionList):
        return list(widget.selected)
    if isinstance(widget, Input):
        return widget.value
    return None


def question_widgets(view: ItemView, show_errors: bool) -> Iterator[Widget]:
    """Label, input and message line of one question."""
    label = view.text + (" *" if view.required else "")
    yield Label(label, classes="question")
    if view.hint:
        yield Static(view.hint, classes="hint")
    yield make_input(view)
    message = " ".join(view.errors) if show_errors else ""
    error = Static(message, id=error_id(view.key), classes="field-error")
    error.display = bool(message)
    yield error


def show_error(parent: Widget, key: str, errors: tuple[str, ...]) -> None:
    """Update the message line of ``key`` (hidden when there is nothing to say)."""
    matches = parent.query(f"#{error_id(key)}")
    if matches:
        line = matches.first()
        if isinstance(line, Static):
            line.update(" ".join(errors))
            line.display = bool(errors)
