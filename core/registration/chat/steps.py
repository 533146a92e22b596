"""The contract between the form flows and their questions: each question asks and takes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from core.dialog.commands import fold, is_listed
from core.dialog.flow import Ctx, Input
from core.dialog.messages import Option, Outgoing, Text, t
from core.registration.answers import Answers
from core.registration.rules import Kind, RegistrationRules, rules_for
from core.timeutil import local


@dataclass(frozen=True)
class Asking:
    """One question being asked: the answers so far and the question's own sub-state."""

    ctx: Ctx
    kind: Kind
    answers: Answers
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def rules(self) -> RegistrationRules:
        return rules_for(self.ctx.content)

    @property
    def today(self) -> date:
        return local(self.ctx.now).date()


@dataclass(frozen=True)
class Outcome:
    """``answers`` set: the question is answered. ``error``: ask again, saying why.
    ``data`` set: stay on the question with this sub-state (a level deeper, a list shown)."""

    answers: Answers | None = None
    error: Text | None = None
    data: Mapping[str, Any] | None = None
    say: tuple[Outgoing, ...] = ()


def done(answers: Answers, *say: Outgoing) -> Outcome:
    return Outcome(answers=answers, say=say)


def retry(text_id: str, **params: Any) -> Outcome:
    return Outcome(error=t(text_id, **params))


def stay(data: Mapping[str, Any], *say: Outgoing) -> Outcome:
    return Outcome(data=data, say=say)


class Question(Protocol):
    def ask(self, q: Asking) -> tuple[Outgoing, ...]:
        """The question, with its options."""
        ...

    def take(self, q: Asking, given: Input) -> Outcome:
        """Checks the answer and stores it, or says what was wrong."""
        ...


SKIP = "r:skip"
YES, NO = "r:y", "r:n"


def yes_no_options() -> tuple[Option, ...]:
    return (Option(YES, t("registration.yes")), Option(NO, t("registration.no")))


def said_word(ctx: Ctx, given: Input, text_id: str) -> bool:
    """Whether the typed answer is one of the words listed under ``text_id`` (any language)."""
    return is_listed(ctx.content.catalog, given.text, text_id)


def said_yes(ctx: Ctx, given: Input, yes: str = YES, no: str = NO) -> bool | None:
    """An option or a typed word (是/否, yes/no) as a yes or a no; None when neither."""
    if given.choice in (yes, no):
        return given.choice == yes
    if said_word(ctx, given, "registration.words.yes"):
        return True
    if said_word(ctx, given, "registration.words.no"):
        return False
    return None


_PARTS = re.compile(r"[/|()]")  # after NFKC: "中等专业学校（中专）", "无固定期限/不适用"


def typed_option(
    ctx: Ctx, text: str, options: Sequence[Option], *, loose: bool = True
) -> str | None:
    """The option a resident named in their own words: its whole label, a part of it ("中专"
    for "中等专业学校（中专）", "无固定期限" for "无固定期限/不适用") or, when ``loose``,
    words that only one label contains ("高中" for "普通高中")."""
    typed = fold(text)
    if not typed:
        return None
    labels = [(o.id, fold(ctx.text(o.label))) for o in options]
    for option_id, label in labels:
        if typed == label or typed in {fold(p) for p in _PARTS.split(label)}:
            return option_id
    if loose and len(typed) >= 2:
        found = [option_id for option_id, label in labels if typed in label]
        if len(found) == 1:
            return found[0]
    return None
