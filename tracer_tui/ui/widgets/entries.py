"""The entries of a repeatable group (the contact list) as an editable table."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from tracer_tui.core.i18n import N_, _
from tracer_tui.core.questionnaire import Item
from tracer_tui.core.risk import RiskClass
from tracer_tui.core.views import ItemView
from tracer_tui.ui.base import translate_bindings

RISK_LABELS: dict[str, tuple[str, str]] = {
    RiskClass.HIGH.value: (N_("high risk"), "bold red"),
    RiskClass.LOW.value: (N_("low risk"), "green"),
    RiskClass.UNKNOWN.value: (N_("risk not known yet"), "dim"),
}


def risk_label(value: object) -> Text:
    label, style = RISK_LABELS.get(str(value), RISK_LABELS[RiskClass.UNKNOWN.value])
    return Text(_(label), style=style)


class EntryTable(DataTable[object]):
    """Rows are the group's entries: summary columns, computed risk, a mark when incomplete."""

    BINDINGS = [
        Binding("a,insert", "add", N_("Add"), id="add-entry", tooltip=N_("Add an entry")),
        Binding(
            "e,enter", "edit", N_("Edit"), id="edit-entry", tooltip=N_("Edit the selected entry")
        ),
        Binding(
            "d,delete",
            "remove",
            N_("Remove"),
            id="remove-entry",
            tooltip=N_("Remove the selected entry"),
        ),
    ]

    class Requested(Message):
        """The agent asked to add (index None), edit or remove an entry."""

        def __init__(self, table: EntryTable, action: str, index: int | None) -> None:
            super().__init__()
            self.table = table
            self.action = action
            self.index = index

        @property
        def control(self) -> EntryTable:
            return self.table

    def __init__(self, view: ItemView, column_labels: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        translate_bindings(self)
        self.view = view
        self.field_key = view.key
        self.column_labels = column_labels

    @property
    def group(self) -> Item:
        return self.view.item

    def on_mount(self) -> None:
        self.add_column("#", key="n")
        for label in self.column_labels:
            self.add_column(label)
        has_risk = any(c.name == "risk" for c in self.group.computed)
        if has_risk:
            self.add_column(_("Risk"), key="risk")
        self.add_column("", key="state")
        columns = self.group.summary_columns()
        for entry in self.view.entries:
            cells: list[object] = [str(entry.index + 1)]
            cells.extend(_cell(entry.value(column)) for column in columns)
            if has_risk:
                cells.append(risk_label(entry.computed.get("risk")))
            cells.append(Text("⚠ " + _("incomplete"), style="yellow") if entry.has_errors else "")
            self.add_row(*cells, key=str(entry.index))
        if not self.view.entries:
            self.add_row(
                "",
                Text(_("No entries yet: press A to add one."), style="dim"),
                *[""] * (len(self.columns) - 2),
            )

    def _index(self) -> int | None:
        if not self.view.entries or self.row_count == 0:
            return None
        return self.cursor_row if 0 <= self.cursor_row < len(self.view.entries) else None

    def action_add(self) -> None:
        self.post_message(self.Requested(self, "add", None))

    def action_edit(self) -> None:
        index = self._index()
        if index is not None:
            self.post_message(self.Requested(self, "edit", index))

    def action_remove(self) -> None:
        index = self._index()
        if index is not None:
            self.post_message(self.Requested(self, "remove", index))


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)
