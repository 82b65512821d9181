"""The interview engine: the state of one interview as an immutable object.

An :class:`Interview` is built from a script, the person's language, the ``[rules]``, today's
date, the answers so far and the current screen. It tells the screens what to show
(:meth:`Interview.screen`), what is wrong (:meth:`Interview.errors`), where to go
(:meth:`Interview.next`, :meth:`Interview.back`, :meth:`Interview.go_to`) and what to send
(:meth:`Interview.submission`). Changing an answer gives a new interview
(:meth:`Interview.with_answer`), so a screen can keep the previous one for undo and tests can
compare states. Answers are keyed by item id, and inside a group by ``group[index].item``.

Saving and resuming: keep :attr:`Interview.answers` and :attr:`Interview.screen_id`; build the
interview again from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cached_property
from typing import Any

from tracer_tui.core.computed import Computed, RuleContext
from tracer_tui.core.evaluation import (
    Evaluation,
    Plan,
    copy_answers,
    entries_of,
    entry_key,
    split_key,
    store_answer,
)
from tracer_tui.core.i18n import _
from tracer_tui.core.questionnaire import Item, Questionnaire, Screen
from tracer_tui.core.risk import RiskThresholds
from tracer_tui.core.rules import Rules
from tracer_tui.core.types import Language
from tracer_tui.core.values import ItemType, is_empty, to_wire
from tracer_tui.core.views import Errors, ScreenView, ViewBuilder


class InterviewError(Exception):
    """A move the interview does not allow (an unknown key, a hidden screen, …)."""


class IncompleteError(InterviewError):
    """The current screen (``next``) or the interview (``submission``) has errors."""

    def __init__(self, errors: Errors) -> None:
        self.errors = dict(errors)
        super().__init__(f"{len(self.errors)} answers need attention: {', '.join(self.errors)}")


class Interview:
    """The state of one interview. Treat it as immutable: every change returns a new one."""

    def __init__(
        self,
        questionnaire: Questionnaire,
        *,
        language: Language | str,
        rules: Rules,
        today: date,
        answers: Mapping[str, Any] | None = None,
        screen_id: str | None = None,
        thresholds: RiskThresholds | None = None,
        _plan: Plan | None = None,
        _previous: Evaluation | None = None,
    ) -> None:
        self.questionnaire = questionnaire
        self.language = Language(language)
        self.rules = rules
        self.today = today
        self.thresholds = thresholds or RiskThresholds.from_rules(rules)
        if _plan is None:  # from outside: take a private copy of the answers
            self._plan = Plan.of(questionnaire)
            self._answers: dict[str, Any] = copy_answers(answers or {}, self._plan)
        else:  # from a change of another interview: already private
            self._plan = _plan
            self._answers = dict(answers or {})
        self._previous = _previous
        self._requested_screen = screen_id

    # ---- state ----------------------------------------------------------------------------

    @cached_property
    def _eval(self) -> Evaluation:
        context = RuleContext(self.rules, self.thresholds, self.today)
        previous, self._previous = self._previous, None
        return Evaluation(self._plan, context, self._answers, previous).run()

    @property
    def answers(self) -> dict[str, Any]:
        """Every answer as entered (hidden ones too), JSON-ready: what a draft saves."""
        return {key: _plain(value) for key, value in self._answers.items()}

    @cached_property
    def screen_id(self) -> str:
        """The current screen: the one asked for, or the nearest visible one before it."""
        visible = self._eval.screens
        wanted = self._requested_screen
        if wanted is None or wanted in visible:
            return wanted or visible[0]
        order = [screen.id for screen in self.questionnaire.screens]
        if wanted not in order:
            return visible[0]
        before = [s for s in visible if order.index(s) < order.index(wanted)]
        return before[-1] if before else visible[0]

    def visible_screens(self) -> tuple[Screen, ...]:
        return tuple(self.questionnaire.screen(screen_id) for screen_id in self._eval.screens)

    def is_visible(self, key: str) -> bool:
        """Whether an item (``id`` or ``group[i].item``) is shown with the current answers."""
        try:
            group, index, child = split_key(key)
        except KeyError:
            return False
        screen = self._plan.screen_of.get(group)
        if screen is None or group not in self._eval.visible.get(screen, ()):
            return False
        if index is None:
            return True
        entries = self._eval.entries.get(group, [])
        return index < len(entries) and child in entries[index].visible

    def value(self, key: str) -> object:
        """An answer as entered (``None`` when there is none)."""
        group, index, child = split_key(key)
        raw = self._answers.get(group)
        if index is None:
            return raw
        entries = entries_of(raw)
        return entries[index].get(str(child)) if index < len(entries) else None

    @property
    def computed(self) -> Mapping[str, Computed]:
        """The script's computed values (``None`` while their inputs are missing)."""
        return dict(self._eval.computed)

    def entry_computed(self, group: str, index: int) -> Mapping[str, Computed]:
        """The computed values of one entry of a group (e.g. a contact's ``risk``)."""
        entries = self._eval.entries.get(group, [])
        return dict(entries[index].computed) if index < len(entries) else {}

    def entry_count(self, group: str) -> int:
        return len(entries_of(self._answers.get(group)))

    # ---- validation -----------------------------------------------------------------------

    def errors(self, screen_id: str | None = None) -> Errors:
        """The messages of a visible screen (the current one by default), by answer key."""
        return self._eval.errors(screen_id or self.screen_id)

    def item_errors(self, key: str) -> tuple[str, ...]:
        group = split_key(key)[0]
        screen = self._plan.screen_of.get(group)
        return self.errors(screen).get(key, ()) if screen else ()

    def all_errors(self) -> Errors:
        found: dict[str, tuple[str, ...]] = {}
        for screen_id in self._eval.screens:
            found.update(self._eval.errors(screen_id))
        return found

    @property
    def is_complete(self) -> bool:
        return not any(self._eval.errors(screen_id) for screen_id in self._eval.screens)

    def first_incomplete_screen(self) -> str | None:
        return next((s for s in self._eval.screens if self._eval.errors(s)), None)

    # ---- changes --------------------------------------------------------------------------

    def _with(self, answers: dict[str, Any], screen_id: str | None) -> Interview:
        return Interview(
            self.questionnaire,
            language=self.language,
            rules=self.rules,
            today=self.today,
            answers=answers,
            screen_id=screen_id,
            thresholds=self.thresholds,
            _plan=self._plan,
            _previous=self.__dict__.get("_eval"),
        )

    def with_answer(self, key: str, value: object) -> Interview:
        """A new interview where ``key`` holds ``value`` (``None`` or blank removes it)."""
        return self.with_answers({key: value})

    def with_answers(self, changes: Mapping[str, object]) -> Interview:
        answers = dict(self._answers)
        for key, value in changes.items():
            try:
                group, index, child = split_key(key)
            except KeyError:
                raise InterviewError(f"not an answer key: {key!r}") from None
            item = self._plan.items.get(group)
            if index is None:
                if item is None or not item.is_question:
                    raise InterviewError(f"no question {key!r} in this script")
                store_answer(answers, group, value)
                continue
            if item is None or child not in self._plan.children.get(group, {}):
                raise InterviewError(f"no question {key!r} in this script")
            entries: list[Mapping[str, object]] = list(entries_of(answers.get(group)))
            if index >= len(entries):
                raise InterviewError(f"no entry {index} in {group!r}")
            changed = dict(entries[index])
            store_answer(changed, str(child), value)
            entries[index] = changed
            answers[group] = tuple(entries)
        return self._with(answers, self.screen_id)

    def with_entry_added(self, group: str, values: Mapping[str, object] | None = None) -> Interview:
        """A new interview with one more entry at the end of ``group``."""
        if group not in self._plan.children:
            raise InterviewError(f"no group {group!r} in this script")
        answers = dict(self._answers)
        answers[group] = (*entries_of(answers.get(group)), {})
        added = self._with(answers, self.screen_id)
        index = len(answers[group]) - 1
        changes = {entry_key(group, index, key): value for key, value in (values or {}).items()}
        return added.with_answers(changes) if changes else added

    def with_entry_removed(self, group: str, index: int) -> Interview:
        entries = list(entries_of(self._answers.get(group)))
        if group not in self._plan.children or not 0 <= index < len(entries):
            raise InterviewError(f"no entry {index} in {group!r}")
        del entries[index]
        answers = dict(self._answers)
        answers[group] = tuple(entries)
        return self._with(answers, self.screen_id)

    # ---- navigation -----------------------------------------------------------------------

    @property
    def position(self) -> tuple[int, int]:
        """(k, n): the current screen is the k-th of n visible screens."""
        return self._eval.screens.index(self.screen_id) + 1, len(self._eval.screens)

    @property
    def has_next(self) -> bool:
        return self.screen_id != self._eval.screens[-1]

    @property
    def has_back(self) -> bool:
        return self.screen_id != self._eval.screens[0]

    def next(self) -> Interview:
        """The next visible screen; raises :class:`IncompleteError` if this one has errors."""
        errors = self.errors()
        if errors:
            raise IncompleteError(errors)
        if not self.has_next:
            raise InterviewError("this is the last screen")
        number = self._eval.screens.index(self.screen_id)
        return self._with(self._answers, self._eval.screens[number + 1])

    def back(self) -> Interview:
        if not self.has_back:
            raise InterviewError("this is the first screen")
        number = self._eval.screens.index(self.screen_id)
        return self._with(self._answers, self._eval.screens[number - 1])

    def go_to(self, screen_id: str) -> Interview:
        """Jump to a visible screen (the review's "edit this answer")."""
        if screen_id not in self._eval.screens:
            raise InterviewError(f"screen {screen_id!r} is not shown")
        return self._with(self._answers, screen_id)

    # ---- showing --------------------------------------------------------------------------

    @cached_property
    def _views(self) -> ViewBuilder:
        values: dict[str, object] = dict(self.rules.model_dump())
        values.update(self.thresholds.model_dump())
        values["today"] = self.today
        values.update(self._eval.computed)
        return ViewBuilder(self._plan, self._eval, self._answers, self.language, values)

    def text(self, item: Item, entry_computed: Mapping[str, Computed] | None = None) -> str:
        """An item's text in the interview language, placeholders filled in."""
        return self._views.render(item.text, entry_computed)

    def screen(self, screen_id: str | None = None) -> ScreenView:
        """A visible screen (the current one by default), ready to draw."""
        screen_id = screen_id or self.screen_id
        if screen_id not in self._eval.screens:
            raise InterviewError(f"screen {screen_id!r} is not shown")
        return self._views.screen(screen_id)

    # ---- submission -----------------------------------------------------------------------

    def visible_answers(self) -> dict[str, Any]:
        """The visible, well-formed answers in their submitted form (no completeness check)."""
        result: dict[str, Any] = {}
        for screen_id in self._eval.screens:
            for item_id in self._eval.visible[screen_id]:
                if item_id in self._eval.values:
                    result[item_id] = to_wire(self._eval.values[item_id])
                elif item_id in self._eval.entries:
                    result[item_id] = [
                        {
                            child: to_wire(entry.values[child])
                            for child in entry.visible
                            if child in entry.values
                        }
                        for entry in self._eval.entries[item_id]
                    ]
        return result

    def submission(self) -> dict[str, Any]:
        """The answers to send; raises :class:`IncompleteError` unless all is complete.
        Hidden answers are never part of it."""
        errors = self.all_errors()
        if errors:
            raise IncompleteError(errors)
        return self.visible_answers()

    def unexpected_answers(self) -> list[str]:
        """Keys of the answers that the script did not ask for (unknown, hidden, or read)."""
        found: list[str] = []
        for key, raw in self._answers.items():
            item = self._plan.items.get(key)
            if item is None or item.type is ItemType.READ or not self.is_visible(key):
                if not is_empty(raw):
                    found.append(key)
                continue
            if not item.is_group:
                continue
            if not isinstance(raw, tuple):
                found.append(key)
                continue
            for index, entry in enumerate(raw):
                for child, value in entry.items():
                    child_key = entry_key(key, index, str(child))
                    if not is_empty(value) and not self.is_visible(child_key):
                        found.append(child_key)
        return found


def validate_submission(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    *,
    rules: Rules,
    today: date,
    thresholds: RiskThresholds | None = None,
) -> Errors:
    """What the server checks: every message of the interview, and answers not asked for."""
    try:
        interview = Interview(
            questionnaire,
            language=Language.EN,
            rules=rules,
            today=today,
            answers=answers,
            thresholds=thresholds,
        )
    except InterviewError as exc:
        return {"": (str(exc),)}
    errors = dict(interview.all_errors())
    for key in interview.unexpected_answers():
        errors[key] = (_("This answer was not asked for."),)
    return errors


def _plain(value: object) -> Any:
    """A copy made of dicts, lists and plain values (group entries are tuples inside)."""
    if isinstance(value, tuple | list):
        return [_plain(part) for part in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(part) for key, part in value.items()}
    return value
