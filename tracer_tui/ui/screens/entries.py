"""Adding, editing and removing the entries of a group (the contact list) of the interview."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracer_tui.core.i18n import _

if TYPE_CHECKING:
    from tracer_tui.core.engine import Interview
    from tracer_tui.core.questionnaire import Item
    from tracer_tui.ui.screens.interview import InterviewScreen


def edit_entry(screen: InterviewScreen, group: Item, index: int | None) -> None:
    """Open the entry dialog on entry ``index``, or on a new entry when it is None. The
    dialog returns the interview with the entry kept, or None to forget the changes."""
    from tracer_tui.ui.screens.entry import EntryEditor

    if screen.interview is None:
        return
    original = screen.interview
    if index is None:
        editing = original.with_entry_added(group.id)
        index = editing.entry_count(group.id) - 1
    else:
        editing = original

    def done(result: Interview | None) -> None:
        screen.interview = result or original
        screen.touched.add(group.id)
        screen.save_draft()
        screen.draw(focus=group.id, rebuild=True)

    screen.app.push_screen(EntryEditor(editing, group, index, screen.save_editing), done)


def remove_entry(screen: InterviewScreen, group: Item, index: int) -> None:
    """Remove entry ``index`` after the agent confirms."""
    from tracer_tui.ui.screens.confirm import ConfirmScreen

    def answered(remove: bool | None) -> None:
        if remove and screen.interview is not None:
            screen.interview = screen.interview.with_entry_removed(group.id, index)
            screen.save_draft()
            screen.draw(focus=group.id, rebuild=True)

    question = _("Remove entry {number} from the list?").format(number=index + 1)
    screen.app.push_screen(ConfirmScreen(question), answered)
