"""Questions answered in one go: identity, choices from a list, yes/no, text and dates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from core.dialog.flow import Input
from core.dialog.messages import Option, Outgoing, t
from core.registration.answers import Field
from core.registration.chat.steps import (
    SKIP,
    Asking,
    Outcome,
    done,
    retry,
    said_word,
    said_yes,
    stay,
    typed_option,
    yes_no_options,
)
from core.registration.rules import Kind, RegistrationRules
from core.registration.validation import (
    Invalid,
    name_doubtful,
    parse_end_date,
    parse_free_text,
    parse_id,
    parse_name,
    parse_past_date,
    parse_phone,
    parse_salary,
)


def _invalid(exc: Invalid) -> Outcome:
    return retry(f"registration.error.{exc.problem}", **exc.params)


def _ask(item: Field, *options: Option) -> tuple[Outgoing, ...]:
    return (Outgoing(t(f"registration.ask.{item.value}"), options),)


@dataclass(frozen=True)
class NameQuestion:
    def ask(self, q: Asking) -> tuple[Outgoing, ...]:
        return _ask(Field.NAME)

    def take(self, q: Asking, given: Input) -> Outcome:
        try:
            name = parse_name(given.text)
        except Invalid as exc:
            return _invalid(exc)
        if name_doubtful(name):
            # "我要找工作", "不知道": said so, and taken when sent again (a rare surname).
            # Only a keyed hash is kept in the conversation, never the text.
            seen = q.ctx.vault.lookup_hash(f"name:{name}")
            if q.data.get("doubted") != seen:
                return stay({"doubted": seen}, Outgoing(t("registration.name_doubt")))
        return done(q.answers.with_personal(Field.NAME, name))


@dataclass(frozen=True)
class IdNumberQuestion:
    """GB 11643 and the age rules; 失业登记 also needs the person below pension age."""

    def ask(self, q: Asking) -> tuple[Outgoing, ...]:
        return _ask(Field.ID_NUMBER)

    def take(self, q: Asking, given: Input) -> Outcome:
        pension = q.kind == Kind.UNEMPLOYED
        try:
            number = parse_id(given.text, q.today, q.rules, check_pension=pension)
        except Invalid as exc:
            return _invalid(exc)
        answers = q.answers.with_personal(Field.ID_NUMBER, number.value)
        if not number.known_province:
            return done(answers, Outgoing(t("registration.warning.region")))
        return done(answers)


@dataclass(frozen=True)
class PhoneQuestion:
    def ask(self, q: Asking) -> tuple[Outgoing, ...]:
        return _ask(Field.PHONE)

    def take(self, q: Asking, given: Input) -> Outcome:
        try:
            return done(q.answers.with_personal(Field.PHONE, parse_phone(given.text)))
        except Invalid as exc:
            return _invalid(exc)


@dataclass(frozen=True)
class ChoiceQuestion:
    """One of a content list (education, status, reason, form); by number or typed label."""

    item: Field
    codes: Callable[[RegistrationRules], tuple[str, ...]]
    labels: str  # catalog prefix of the labels
    short: str  # option id prefix

    def _options(self, q: Asking) -> tuple[Option, ...]:
        return tuple(
            Option(f"r:{self.short}:{code}", t(f"{self.labels}.{code}"))
            for code in self.codes(q.rules)
        )

    def ask(self, q: Asking) -> tuple[Outgoing, ...]:
        return _ask(self.item, *self._options(q))

    def take(self, q: Asking, given: Input) -> Outcome:
        code = self._code(q, given)
        if code is None:
            return retry("registration.error.pick_one")
        return done(q.answers.answered(self.item, **{self.item.value: code}))

    def _code(self, q: Asking, given: Input) -> str | None:
        prefix = f"r:{self.short}:"
        if given.choice and given.choice.startswith(prefix):
            code = given.choice[len(prefix) :]
            return code if code in self.codes(q.rules) else None
        picked = typed_option(q.ctx, given.text, self._options(q))
        return picked[len(prefix) :] if picked else None


@dataclass(frozen=True)
class YesNoQuestion:
    item: Field

    def ask(self, q: Asking) -> tuple[Outgoing, ...]:
        return _ask(self.item, *yes_no_options())

    def take(self, q: Asking, given: Input) -> Outcome:
        answer = said_yes(q.ctx, given)
        if answer is None:
            return retry("registration.error.yes_or_no")
        return done(q.answers.answered(self.item, **{self.item.value: answer}))


@dataclass(frozen=True)
class TextQuestion:
    """Free text up to ``limit`` characters; ``optional`` adds a 跳过 option."""

    item: Field
    limit: int
    optional: bool = False

    def ask(self, q: Asking) -> tuple[Outgoing, ...]:
        skip = (Option(SKIP, t("registration.skip")),) if self.optional else ()
        return _ask(self.item, *skip)

    def take(self, q: Asking, given: Input) -> Outcome:
        if self.optional and (given.choice == SKIP or _typed_skip(q, given)):
            return done(q.answers.answered(self.item, **{self.item.value: ""}))
        try:
            value = parse_free_text(given.text, limit=self.limit)
        except Invalid as exc:
            return _invalid(exc)
        return done(q.answers.answered(self.item, **{self.item.value: value}))


@dataclass(frozen=True)
class SalaryQuestion:
    def ask(self, q: Asking) -> tuple[Outgoing, ...]:
        return _ask(Field.SALARY, Option(SKIP, t("registration.salary_any")))

    def take(self, q: Asking, given: Input) -> Outcome:
        if given.choice == SKIP or said_word(q.ctx, given, "registration.words.any_salary"):
            return done(q.answers.answered(Field.SALARY, salary_low=None, salary_high=None))
        try:
            salary = parse_salary(given.text, q.rules.max_salary)
        except Invalid as exc:
            return _invalid(exc)
        return done(
            q.answers.answered(Field.SALARY, salary_low=salary.low, salary_high=salary.high)
        )


@dataclass(frozen=True)
class PastDateQuestion:
    """A date not in the future (失业日期, 就业日期), and not before the 16th birthday."""

    item: Field

    def ask(self, q: Asking) -> tuple[Outgoing, ...]:
        return _ask(self.item)

    def take(self, q: Asking, given: Input) -> Outcome:
        try:
            day = parse_past_date(given.text, q.today, not_before=_working_age(q))
        except Invalid as exc:
            return _invalid(exc)
        return done(q.answers.answered(self.item, **{self.item.value: day}))


def _working_age(q: Asking) -> date | None:
    number = q.answers.personal.id_number
    if not number:
        return None
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    try:
        return born.replace(year=born.year + q.rules.minimum_age)
    except ValueError:  # born on 29 February
        return born.replace(year=born.year + q.rules.minimum_age, day=28)


@dataclass(frozen=True)
class EndDateQuestion:
    """合同终止日期: after the start date, or none (无固定期限)."""

    def ask(self, q: Asking) -> tuple[Outgoing, ...]:
        return _ask(Field.CONTRACT_END, Option(SKIP, t("registration.no_end")))

    def take(self, q: Asking, given: Input) -> Outcome:
        if given.choice == SKIP or _typed_skip(q, given, "registration.no_end"):
            return done(q.answers.answered(Field.CONTRACT_END, contract_end=None))
        start = q.answers.start_date
        if start is None:
            return retry("registration.error.start_first")
        try:
            day = parse_end_date(given.text, start)
        except Invalid as exc:
            return _invalid(exc)
        return done(q.answers.answered(Field.CONTRACT_END, contract_end=day))


def _typed_skip(q: Asking, given: Input, label: str = "registration.skip") -> bool:
    """The skip option's words typed ("跳过", "无固定期限"), not picked by number."""
    return typed_option(q.ctx, given.text, (Option(SKIP, t(label)),), loose=False) == SKIP
