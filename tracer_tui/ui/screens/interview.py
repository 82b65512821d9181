"""The standardised interview, screen by screen, in the person's language.

Every change goes through the engine (``tracer_tui.core.engine.Interview``) and is saved as a
local draft at once, so that closing or killing the app loses nothing: reopening the task
comes back to the same screen with every answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from textual import on, work
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, RadioSet, SelectionList, Static

from tracer_tui.client.errors import ApiError, Unreachable
from tracer_tui.core.engine import IncompleteError, Interview, InterviewError
from tracer_tui.core.i18n import N_, _
from tracer_tui.core.identifiers import format_phone
from tracer_tui.core.questionnaire import Item, Questionnaire
from tracer_tui.core.views import ItemView, ScreenView
from tracer_tui.ui.base import TracerScreen
from tracer_tui.ui.drafts import Drafts, drafts_of, make_draft
from tracer_tui.ui.labels import kind_label
from tracer_tui.ui.messages import describe_error
from tracer_tui.ui.screens.delivery import deliver
from tracer_tui.ui.screens.entries import edit_entry, remove_entry
from tracer_tui.ui.widgets.entries import EntryTable
from tracer_tui.ui.widgets.fields import YesNo, field_id, raw_value, show_error
from tracer_tui.ui.widgets.form import answer_keys, first_with_errors, form_widgets
from tracer_tui.wire import InterviewSubmission, TaskView

if TYPE_CHECKING:
    from tracer_tui.client.store import Draft

log = logging.getLogger(__name__)
FIELDS = "Input, YesNo, RadioSet, SelectionList, EntryTable"


class InterviewScreen(TracerScreen[None]):
    BINDINGS = [
        Binding(
            "pagedown,alt+right",
            "next",
            N_("Next"),
            id="next",
            tooltip=N_("Next screen (checks this one first)"),
            priority=True,
        ),
        Binding(
            "pageup,alt+left",
            "previous",
            N_("Previous"),
            id="previous",
            tooltip=N_("Previous screen"),
            priority=True,
        ),
        Binding(
            "ctrl+r",
            "review",
            N_("Review"),
            id="review",
            tooltip=N_("Every answer on one page, before sending"),
        ),
        Binding("ctrl+s", "submit", N_("Send"), id="submit", tooltip=N_("Send the interview")),
        Binding(
            "escape",
            "leave",
            N_("Queue"),
            id="leave",
            tooltip=N_("Back to the queue; the answers are kept"),
        ),
    ]

    def __init__(self, task: TaskView) -> None:
        super().__init__()
        self.task_view = task
        self.interview: Interview | None = None
        self.view: ScreenView | None = None
        self.touched: set[str] = set()
        self.show_all = False
        self.sending = False
        self.submission_id: UUID = uuid4()
        self.started_at = datetime.now(UTC)
        self.panes: dict[str, tuple[tuple[str, ...], VerticalScroll]] = {}
        self.drawn = asyncio.Event()  # set when the current screen is shown and focused

    @property
    def drafts(self) -> Drafts:
        return drafts_of(self.tracer)

    # -- layout ------------------------------------------------------------------------------
    def compose_body(self) -> Iterable[Widget]:
        person = self.task_view.person
        with Horizontal(id="interview"):
            with Vertical(id="interview-main"):
                yield Static("", id="progress")
                yield Container(Static(_("Loading the script…"), id="loading"), id="form")
            with Vertical(id="task-panel"):
                yield Static(kind_label(self.task_view.kind), classes="panel-title")
                yield Static(person.display_name, id="panel-name")
                if person.birth_date:
                    born = person.birth_date.strftime("%d/%m/%Y")
                    yield Static(_("Born {date}").format(date=born))
                for phone in person.phones:
                    yield Static("☎ " + format_phone(phone))
                yield Static(_("Language: {code}").format(code=person.language.value.upper()))
                yield Static(_("Attempts: {count}").format(count=self.task_view.attempts))
                yield Static("", id="sections")

    def on_mount(self) -> None:
        self.title = _("Interview")
        self.load()

    # -- loading: the script, then the draft -------------------------------------------------
    @work(exclusive=True, group="load")
    async def load(self) -> None:
        key = (self.task_view.questionnaire_id, self.task_view.questionnaire_version)
        questionnaire = self.tracer.questionnaires.get(key)
        if questionnaire is None:
            api = self.tracer.api
            assert api is not None
            try:
                questionnaire = await api.questionnaire(*key)
            except ApiError as error:
                self.tracer.online = not isinstance(error, Unreachable)
                await self.show_message(describe_error(error))
                return
            self.tracer.questionnaires[key] = questionnaire
        draft = await asyncio.to_thread(self.drafts.load, self.task_view.id)
        self.start(questionnaire, draft)

    async def show_message(self, text: str) -> None:
        form = self.query_one("#form", Container)
        await form.remove_children()
        await form.mount(Static(text, classes="error"))

    def start(self, questionnaire: Questionnaire, draft: Draft | None) -> None:
        answers: dict[str, Any] | None = None
        screen_id: str | None = None
        if draft is not None and (draft.questionnaire_id, draft.questionnaire_version) == (
            questionnaire.id,
            questionnaire.version,
        ):
            answers, screen_id = draft.answers, draft.screen_id
            self.submission_id = draft.submission_id
            self.started_at = draft.started_at
            self.touched = set(answers)
        try:
            self.interview = Interview(
                questionnaire,
                language=self.task_view.person.language,
                rules=self.tracer.settings.rules,
                today=date.today(),
                answers=answers,
                screen_id=screen_id,
            )
        except InterviewError:
            log.warning("draft does not fit script %s v%s", *questionnaire.key)
            self.interview = Interview(
                questionnaire,
                language=self.task_view.person.language,
                rules=self.tracer.settings.rules,
                today=date.today(),
            )
        self.draw()

    # -- drawing -----------------------------------------------------------------------------
    def column_labels(self, group: Item) -> list[str]:
        assert self.interview is not None
        children = {child.id: child for child in group.items}
        return [self.interview.text(children[c]) for c in group.summary_columns()]

    def draw(self, focus: str | None = None, rebuild: bool = False) -> None:
        """Show the current screen; keep the focus on ``focus`` (an answer key).

        Each visited screen keeps its widgets in a pane of its own: moving between screens
        only shows and hides panes; a pane is rebuilt when its visible items change
        (conditions) or ``rebuild`` is asked (a group's entries changed).
        """
        interview = self.interview
        assert interview is not None
        view = self.view = interview.screen()
        k, n = interview.position
        self.query_one("#progress", Static).update(
            _("Step {k} of {n}").format(k=k, n=n) + f" — {view.title}"
        )
        self.draw_sections()
        form = self.query_one("#form", Container)
        keys = tuple(answer_keys(view.items))
        cached = self.panes.get(view.id)
        widgets: list[Widget] | None = None
        if cached is None or cached[0] != keys or rebuild:
            widgets = form_widgets(view.items, self.shown, self.column_labels)

        async def show() -> None:
            await self.query("#loading").remove()
            if widgets is not None:
                if cached is not None:
                    await cached[1].remove()
                pane = VerticalScroll(*widgets, id=f"pane-{view.id}", classes="pane")
                self.panes[view.id] = (keys, pane)
                await form.mount(pane)
            for screen_id, (_keys, pane) in self.panes.items():
                pane.display = screen_id == view.id
            if widgets is None:
                for item in view.items:
                    show_error(self, item.key, item.errors if self.shown(item.key) else ())
            self.focus_key(focus or next(iter(keys), None))
            self.drawn.set()

        self.drawn.clear()
        self.call_later(show)

    def shown(self, key: str) -> bool:
        """Whether the messages of ``key`` are shown: once touched, or after a failed move."""
        return self.show_all or key in self.touched

    def draw_sections(self) -> None:
        assert self.interview is not None
        current = self.interview.screen_id
        lines = [_("Sections")]
        for screen in self.interview.visible_screens():
            title = screen.title.get(self.interview.language)
            mark = (
                "▶"
                if screen.id == current
                else ("⚠" if self.interview.errors(screen.id) and self.show_all else "·")
            )
            lines.append(f"{mark} {title}")
        self.query_one("#sections", Static).update("\n".join(lines))

    def focus_key(self, key: str | None) -> None:
        if key is None:
            return
        matches = self.query(f"#{field_id(key)}")
        if matches:
            matches.first().focus()
            matches.first().scroll_visible(animate=False)

    def view_of(self, key: str) -> ItemView | None:
        if self.view is None:
            return None
        return next((v for v in self.view.items if v.key == key), None)

    # -- answers -----------------------------------------------------------------------------
    @on(Input.Changed)
    @on(YesNo.Changed)
    @on(RadioSet.Changed)
    @on(SelectionList.SelectedChanged)
    def answer_changed(self, event: Any) -> None:
        widget = event.control
        key = getattr(widget, "field_key", None)
        view = self.view_of(key) if key else None
        if self.interview is None or key is None or view is None:
            return
        value = raw_value(widget, view)
        if self.interview.value(key) == value or (
            value == "" and self.interview.value(key) is None
        ):
            return
        before = answer_keys(self.view.items) if self.view else []
        self.interview = self.interview.with_answer(key, value)
        self.touched.add(key)
        self.save_draft()
        self.view = self.interview.screen()
        if answer_keys(self.view.items) != before:
            self.draw(focus=key)
        else:
            self.show_errors_of(key)

    def show_errors_of(self, key: str) -> None:
        view = self.view_of(key)
        if view is not None:
            show_error(self, key, view.errors)

    @on(Input.Submitted)
    @on(YesNo.Submitted)
    def enter_pressed(self, event: Input.Submitted | YesNo.Submitted) -> None:
        """Enter goes on: to the next field, or to the next screen from the last one."""
        pane = self.view.id if self.view else ""
        fields = list(self.query(f"#pane-{pane} {FIELDS}").results())
        widget = event.control
        if fields and widget is fields[-1]:
            self.action_next()
        else:
            self.focus_next()

    # -- drafts ------------------------------------------------------------------------------
    def save_draft(self) -> None:
        if self.interview is None:
            return
        draft = make_draft(
            self.interview,
            task_id=self.task_view.id,
            submission_id=self.submission_id,
            started_at=self.started_at,
        )
        self._save(draft, self.drafts.next_version())

    @work(thread=True, group="draft")
    def _save(self, draft: Draft, version: int) -> None:
        self.drafts.save_if_newest(draft, version)

    # -- navigation ----------------------------------------------------------------------------
    def action_next(self) -> None:
        if self.interview is None:
            return
        try:
            moved = self.interview.next()
        except IncompleteError as error:
            self.show_all = True
            self.draw(focus=first_with_errors(self.view.items if self.view else (), error.errors))
            self.notify(_("Some answers need attention."), severity="warning")
            return
        except InterviewError:  # the last screen: on to the review
            self.action_review()
            return
        self.show_all = False
        self.interview = moved
        self.save_draft()
        self.draw()

    def action_previous(self) -> None:
        if self.interview is None or not self.interview.has_back:
            return
        self.interview = self.interview.back()
        self.save_draft()
        self.draw()

    def go_to(self, screen_id: str, key: str | None = None) -> None:
        assert self.interview is not None
        self.interview = self.interview.go_to(screen_id)
        self.show_all = True
        self.save_draft()
        self.draw(focus=key)

    def action_review(self) -> None:
        if self.interview is None:
            return
        from tracer_tui.ui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.interview), self.reviewed)

    def reviewed(self, choice: tuple[str, ...] | None) -> None:
        if not choice:
            return
        if choice[0] == "submit":
            self.action_submit()
        elif choice[0] == "edit":
            self.go_to(choice[1], choice[2] if len(choice) > 2 else None)

    def action_leave(self) -> None:
        """Back to the queue; the draft stays, the task can be reopened where it was left."""
        self.dismiss()

    # -- groups --------------------------------------------------------------------------------
    @on(EntryTable.Requested)
    def entry_requested(self, event: EntryTable.Requested) -> None:
        if event.action == "remove" and event.index is not None:
            remove_entry(self, event.table.group, event.index)
        else:
            edit_entry(self, event.table.group, event.index)

    def save_editing(self, interview: Interview) -> None:
        """The entry editor saves the draft as the agent types, like every other answer."""
        self.interview = interview
        self.save_draft()

    # -- sending -------------------------------------------------------------------------------
    def action_submit(self) -> None:
        if self.interview is None or self.sending:
            return
        try:
            answers = self.interview.submission()
        except IncompleteError:
            screen = self.interview.first_incomplete_screen()
            if screen is not None:
                self.go_to(
                    screen,
                    first_with_errors(
                        self.interview.screen(screen).items, self.interview.errors(screen)
                    ),
                )
            self.notify(_("Some answers need attention."), severity="warning")
            return
        questionnaire = self.interview.questionnaire
        submission = InterviewSubmission(
            submission_id=self.submission_id,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            language=self.interview.language,
            answers=answers,
            started_at=self.started_at,
            finished_at=datetime.now(UTC),
        )
        self.sending = True
        self.send(submission)

    @work(exclusive=True, group="send")
    async def send(self, submission: InterviewSubmission) -> None:
        if await deliver(self.tracer, self.task_view.id, submission):
            self.dismiss()
        else:
            self.sending = False
