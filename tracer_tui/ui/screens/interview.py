"""The interview: a minimal form over the task's script.

This is the walking skeleton's form (every screen of the script on one scrollable page);
the standardised screen-by-screen interview replaces it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from textual import work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, Select, SelectionList, Static

from tracer_tui.client.errors import ApiError, Unreachable
from tracer_tui.core.i18n import N_, _
from tracer_tui.core.identifiers import (
    IdentifierError,
    format_phone,
    is_belgian_postcode,
    normalise_national_number,
    normalise_phone,
)
from tracer_tui.core.questionnaire import Item, ItemType, Questionnaire
from tracer_tui.ui.base import TracerScreen
from tracer_tui.ui.labels import kind_label
from tracer_tui.ui.messages import describe_error
from tracer_tui.wire import InterviewSubmission, TaskView

DATE_FORMATS = ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d")


def parse_date(text: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("Enter a date as DD/MM/YYYY."))


def parse_value(item: Item, raw: Any) -> Any:
    """The answer to submit for one widget value; raises ValueError with a message."""
    if item.type is ItemType.MULTIPLE:
        return list(raw)
    if item.type in (ItemType.YES_NO, ItemType.SINGLE):
        return None if raw is Select.NULL else raw
    text = str(raw).strip()
    if not text:
        return None
    try:
        match item.type:
            case ItemType.INTEGER:
                return int(text)
            case ItemType.DECIMAL:
                return float(text.replace(",", "."))
            case ItemType.DATE:
                return parse_date(text).isoformat()
            case ItemType.PHONE:
                return normalise_phone(text)
            case ItemType.NATIONAL_NUMBER:
                return normalise_national_number(text)
            case ItemType.POSTCODE:
                if not is_belgian_postcode(text):
                    raise ValueError(_("A Belgian postcode has four digits."))
                return text
            case ItemType.EMAIL:
                if "@" not in text or text.startswith("@") or text.endswith("@"):
                    raise ValueError(_("This is not an e-mail address."))
                return text
    except IdentifierError as exc:
        kind = _("phone number") if item.type is ItemType.PHONE else _("national number")
        raise ValueError(_("This is not a valid {kind}.").format(kind=kind)) from exc
    except ValueError as exc:
        if item.type in (ItemType.INTEGER, ItemType.DECIMAL):
            raise ValueError(_("Enter a number.")) from exc
        raise
    return text


class InterviewScreen(TracerScreen[None]):
    BINDINGS = [
        Binding("ctrl+s", "submit", N_("Submit"), id="submit", tooltip=N_("Send the interview")),
        Binding("escape", "back", N_("Back"), id="back", tooltip=N_("Back to the queue")),
    ]

    def __init__(self, task: TaskView) -> None:
        super().__init__()
        self.task_view = task
        self.questionnaire: Questionnaire | None = None
        self.started_at = datetime.now(UTC)
        self.sending = False

    @property
    def language(self) -> str:
        return self.task_view.person.language.value

    def compose_body(self) -> Iterable[Widget]:
        person = self.task_view.person
        with Horizontal(id="interview"):
            yield VerticalScroll(Static(_("Loading the script…")), id="form")
            with Vertical(id="task-panel"):
                yield Static(kind_label(self.task_view.kind), classes="panel-title")
                yield Static(person.display_name, id="panel-name")
                if person.birth_date:
                    yield Static(
                        _("Born {date}").format(date=person.birth_date.strftime("%d/%m/%Y"))
                    )
                for phone in person.phones:
                    yield Static("☎ " + format_phone(phone))
                yield Static(_("Language: {code}").format(code=person.language.value.upper()))
                yield Static(_("Attempts: {count}").format(count=self.task_view.attempts))

    def on_mount(self) -> None:
        self.title = _("Interview")
        self.load()

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
                await self.query_one("#form").remove_children()
                await self.query_one("#form").mount(Static(describe_error(error), classes="error"))
                return
            self.tracer.questionnaires[key] = questionnaire
        self.questionnaire = questionnaire
        form = self.query_one("#form", VerticalScroll)
        await form.remove_children()
        await form.mount_all(self.build_form(questionnaire))
        first = form.query("Input, Select, SelectionList").first()
        first.focus()

    def build_form(self, questionnaire: Questionnaire) -> list[Widget]:
        lang = self.language
        widgets: list[Widget] = [Static(questionnaire.title.get(lang), classes="script-title")]
        for screen in questionnaire.screens:
            widgets.append(Static(screen.title.get(lang), classes="section"))
            for item in screen.items:
                if not item.is_question:
                    widgets.append(Static(item.text.get(lang), classes="read-aloud"))
                    continue
                label = item.text.get(lang) + (" *" if item.required else "")
                widgets.append(Label(label, classes="question"))
                widgets.append(self.input_for(item))
                widgets.append(Static("", id=f"err-{item.id}", classes="field-error"))
        return widgets

    def input_for(self, item: Item) -> Widget:
        wid = f"q-{item.id}"
        lang = self.language
        match item.type:
            case ItemType.YES_NO:
                options = [(_("Yes"), True), (_("No"), False)]
                return Select(options, id=wid, prompt=_("Choose"))
            case ItemType.SINGLE:
                return Select(
                    [(c.label.get(lang), c.value) for c in item.choices], id=wid, prompt=_("Choose")
                )
            case ItemType.MULTIPLE:
                return SelectionList[str](
                    *[(c.label.get(lang), c.value) for c in item.choices], id=wid
                )
            case ItemType.INTEGER:
                return Input(id=wid, type="integer")
            case ItemType.DATE:
                return Input(id=wid, placeholder=_("DD/MM/YYYY"))
            case _:
                return Input(id=wid)

    def collect(self) -> tuple[dict[str, Any], list[str]]:
        """The answers, and the ids of the items whose value is wrong or missing."""
        assert self.questionnaire is not None
        answers: dict[str, Any] = {}
        wrong: list[str] = []
        for item in self.questionnaire.questions():
            widget = self.query_one(f"#q-{item.id}")
            raw: Any
            if isinstance(widget, SelectionList):
                raw = widget.selected
            elif isinstance(widget, Select | Input):
                raw = widget.value
            else:
                continue
            error = self.query_one(f"#err-{item.id}", Static)
            try:
                value = parse_value(item, raw)
                if item.required and value in (None, []):
                    raise ValueError(_("This answer is required."))
            except ValueError as exc:
                error.update(str(exc))
                wrong.append(item.id)
                continue
            error.update("")
            if value not in (None, []):
                answers[item.id] = value
        return answers, wrong

    def action_submit(self) -> None:
        if self.questionnaire is None or self.sending:
            return
        answers, wrong = self.collect()
        if wrong:
            self.query_one(f"#q-{wrong[0]}").focus()
            self.notify(_("Some answers need attention."), severity="warning")
            return
        submission = InterviewSubmission(
            submission_id=uuid4(),
            questionnaire_id=self.questionnaire.id,
            questionnaire_version=self.questionnaire.version,
            language=self.task_view.person.language,
            answers=answers,
            started_at=self.started_at,
            finished_at=datetime.now(UTC),
        )
        self.sending = True
        self.send(submission)

    @work(exclusive=True, group="send")
    async def send(self, submission: InterviewSubmission) -> None:
        api = self.tracer.api
        assert api is not None
        try:
            await api.submit_interview(self.task_view.id, submission)
        except ApiError as error:
            self.sending = False
            self.tracer.online = not isinstance(error, Unreachable)
            self.notify(describe_error(error), severity="error", timeout=8)
            return
        self.tracer.online = True
        self.notify(_("Interview sent."))
        self.dismiss()

    def has_input(self) -> bool:
        for widget in self.query("#form Input, #form Select, #form SelectionList"):
            if isinstance(widget, Input) and widget.value.strip():
                return True
            if isinstance(widget, Select) and widget.value is not Select.NULL:
                return True
            if isinstance(widget, SelectionList) and widget.selected:
                return True
        return False

    def action_back(self) -> None:
        if not self.has_input():
            self.dismiss()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss()

        from tracer_tui.ui.screens.confirm import ConfirmScreen

        self.app.push_screen(
            ConfirmScreen(_("Leave this interview? The answers typed so far are lost.")), answered
        )
