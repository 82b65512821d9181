"""Editing one entry of a repeatable group (one contact) in a dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Input, RadioSet, SelectionList, Static

from tracer_tui.core.engine import Interview
from tracer_tui.core.i18n import N_, _
from tracer_tui.core.questionnaire import Item
from tracer_tui.core.views import EntryView, ItemView
from tracer_tui.ui.base import TracerModal
from tracer_tui.ui.widgets.entries import risk_label
from tracer_tui.ui.widgets.fields import YesNo, field_id, raw_value, show_error
from tracer_tui.ui.widgets.form import answer_keys, first_with_errors, form_widgets

FIELDS = "Input, YesNo, RadioSet, SelectionList"


class EntryEditor(TracerModal[Interview | None]):
    """Returns the interview with the entry saved, or None when the agent cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="save-entry", tooltip=N_("Keep this entry")),
        Binding(
            "escape",
            "cancel",
            N_("Cancel"),
            id="cancel-entry",
            tooltip=N_("Forget the changes to this entry"),
        ),
    ]

    def __init__(
        self,
        interview: Interview,
        group: Item,
        index: int,
        on_change: Callable[[Interview], None],
    ) -> None:
        super().__init__()
        self.interview = interview
        self.group = group
        self.index = index
        self.on_change = on_change
        self.touched: set[str] = set()
        self.show_all = False

    def compose(self) -> ComposeResult:
        with Vertical(id="entry-box"):
            yield Static("", id="entry-title")
            yield VerticalScroll(id="entry-form")
            yield Static("", id="entry-risk")
            yield Static(_("Ctrl+S keeps the entry, Escape forgets the changes."), classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.draw()

    def entry(self) -> EntryView:
        screen = self.interview.screen()
        group = next(v for v in screen.items if v.item.id == self.group.id)
        return group.entries[self.index]

    def draw(self, focus: str | None = None) -> None:
        entry = self.entry()
        title = self.interview.text(self.group)
        self.query_one("#entry-title", Static).update(f"{title} — {self.index + 1}")
        self.query_one("#entry-risk", Static).update(
            risk_label(entry.computed.get("risk")) if "risk" in entry.computed else ""
        )
        form = self.query_one("#entry-form", VerticalScroll)
        widgets = form_widgets(
            entry.items, lambda key: self.show_all or key in self.touched, lambda _item: []
        )

        async def replace() -> None:
            await form.remove_children()
            await form.mount_all(widgets)
            key = focus or next(iter(answer_keys(entry.items)), None)
            if key is not None and self.query(f"#{field_id(key)}"):
                self.query_one(f"#{field_id(key)}").focus()

        self.call_later(replace)

    def view_of(self, key: str) -> ItemView | None:
        return next((v for v in self.entry().items if v.key == key), None)

    @on(Input.Changed)
    @on(YesNo.Changed)
    @on(RadioSet.Changed)
    @on(SelectionList.SelectedChanged)
    def answer_changed(self, event: Any) -> None:
        event.stop()
        key = getattr(event.control, "field_key", None)
        view = self.view_of(key) if key else None
        if key is None or view is None:
            return
        value = raw_value(event.control, view)
        if self.interview.value(key) == value or (
            value == "" and self.interview.value(key) is None
        ):
            return
        before = answer_keys(self.entry().items)
        self.interview = self.interview.with_answer(key, value)
        self.touched.add(key)
        self.on_change(self.interview)
        entry = self.entry()
        if answer_keys(entry.items) != before:
            self.draw(focus=key)
            return
        self.query_one("#entry-risk", Static).update(
            risk_label(entry.computed.get("risk")) if "risk" in entry.computed else ""
        )
        changed = self.view_of(key)
        if changed is not None:
            show_error(self, key, changed.errors)

    @on(Input.Submitted)
    @on(YesNo.Submitted)
    def enter_pressed(self, event: Input.Submitted | YesNo.Submitted) -> None:
        event.stop()
        fields = list(self.query(f"#entry-form {FIELDS}").results())
        if fields and event.control is fields[-1]:
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        entry = self.entry()
        if entry.has_errors:
            self.show_all = True
            wrong = {v.key for v in entry.items if v.errors}
            self.draw(focus=first_with_errors(entry.items, wrong))
            self.notify(_("Some answers need attention."), severity="warning")
            return
        self.dismiss(self.interview)

    def action_cancel(self) -> None:
        self.dismiss(None)
