"""Drawing a list of engine ItemViews as widgets, and reading answers back."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from textual.widget import Widget
from textual.widgets import Label, Static

from tracer_tui.core.questionnaire import Item, ItemType
from tracer_tui.core.views import ItemView
from tracer_tui.ui.widgets.entries import EntryTable
from tracer_tui.ui.widgets.fields import error_id, field_id, question_widgets


def form_widgets(
    views: Iterable[ItemView],
    show_errors: Callable[[str], bool],
    column_labels: Callable[[Item], list[str]],
) -> list[Widget]:
    """Widgets for the visible items of a screen (or of one group entry)."""
    widgets: list[Widget] = []
    for view in views:
        if view.item.type is ItemType.READ:
            widgets.append(Static(view.text, classes="read-aloud"))
        elif view.item.is_group:
            widgets.append(
                Label(view.text + (" *" if view.item.min_entries else ""), classes="question")
            )
            if view.hint:
                widgets.append(Static(view.hint, classes="hint"))
            widgets.append(EntryTable(view, column_labels(view.item), id=field_id(view.key)))
            message = " ".join(view.errors) if show_errors(view.key) else ""
            error = Static(message, id=error_id(view.key), classes="field-error")
            error.display = bool(message)
            widgets.append(error)
        else:
            widgets.extend(question_widgets(view, show_errors(view.key)))
    return widgets


def answer_keys(views: Iterable[ItemView]) -> list[str]:
    """The keys of the answerable items, in screen order."""
    return [view.key for view in views if view.item.type is not ItemType.READ]


def first_with_errors(views: Iterable[ItemView], errors: Collection[str]) -> str | None:
    return next((view.key for view in views if view.key in errors), None)
