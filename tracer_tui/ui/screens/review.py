"""Every answer on one page before sending, with jump-to-edit."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Static

from tracer_tui.core.engine import Interview
from tracer_tui.core.i18n import N_, _, ngettext
from tracer_tui.core.questionnaire import ItemType
from tracer_tui.core.views import ItemView
from tracer_tui.ui.base import TracerScreen
from tracer_tui.ui.widgets.entries import risk_label


def show_value(view: ItemView) -> str:
    """An answer as the agent reads it back: labels for choices, Yes/No, as typed else."""
    value = view.value
    if value is None or value == "" or value == []:
        return "—"
    labels = dict(view.choices)
    if view.item.type is ItemType.YES_NO:
        return _("Yes") if value else _("No")
    if view.item.type is ItemType.SINGLE:
        return labels.get(str(value), str(value))
    if view.item.type is ItemType.MULTIPLE and isinstance(value, list | tuple):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    return str(value)


class ReviewScreen(TracerScreen[tuple[str, ...] | None]):
    """Dismissed with ("edit", screen id, key), ("submit",), or None to go back."""

    BINDINGS = [
        Binding(
            "ctrl+s", "submit", N_("Send"), id="review-submit", tooltip=N_("Send the interview")
        ),
        Binding(
            "escape", "back", N_("Back"), id="review-back", tooltip=N_("Back to the interview")
        ),
    ]

    def __init__(self, interview: Interview) -> None:
        super().__init__()
        self.interview = interview
        self.targets: dict[str, tuple[str, str]] = {}

    def compose_body(self) -> Iterable[Widget]:
        yield Static("", id="review-status")
        yield DataTable(id="review", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.title = _("Review")
        interview = self.interview
        table: DataTable[object] = self.query_one("#review", DataTable)
        table.add_column(_("Section"), key="section")
        table.add_column(_("Question"), key="question", width=48)
        table.add_column(_("Answer"), key="answer")
        errors = interview.all_errors()
        for screen in interview.visible_screens():
            view = interview.screen(screen.id)
            for item in view.items:
                if item.item.type is ItemType.READ:
                    continue
                mark = Text("⚠ ", style="yellow") if item.key in errors else Text("")
                if item.item.is_group:
                    self.add(
                        table,
                        view.title,
                        mark + Text(item.text),
                        Text(
                            ngettext("{count} entry", "{count} entries", len(item.entries)).format(
                                count=len(item.entries)
                            )
                        ),
                        screen.id,
                        item.key,
                    )
                    for entry in item.entries:
                        names = [str(v.value) for v in entry.items[:2] if v.value not in (None, "")]
                        answer = Text(" ".join(names) or "—")
                        if "risk" in entry.computed:
                            answer += Text(" · ") + risk_label(entry.computed.get("risk"))
                        self.add(
                            table, "", Text(f"  {entry.index + 1}."), answer, screen.id, item.key
                        )
                    continue
                self.add(
                    table,
                    view.title,
                    mark + Text(item.text),
                    Text(show_value(item)),
                    screen.id,
                    item.key,
                )
        status = self.query_one("#review-status", Static)
        if errors:
            status.update(_("⚠ Some answers need attention: Enter on a line to correct it."))
            status.add_class("error")
        else:
            status.update(_("Everything is complete. Ctrl+S sends the interview."))
        table.focus()

    def add(
        self,
        table: DataTable[object],
        section: str,
        question: Text,
        answer: Text,
        screen_id: str,
        key: str,
    ) -> None:
        row = str(len(self.targets))
        self.targets[row] = (screen_id, key)
        table.add_row(section, question, answer, key=row)

    @on(DataTable.RowSelected, "#review")
    def edit(self, event: DataTable.RowSelected) -> None:
        target = self.targets.get(str(event.row_key.value))
        if target is not None:
            self.dismiss(("edit", *target))

    def action_submit(self) -> None:
        self.dismiss(("submit",))

    def action_back(self) -> None:
        self.dismiss(None)
