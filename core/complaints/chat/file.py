"""投诉建议 (resident): file a complaint or a suggestion, look one up, rate the result.

```mermaid
stateDiagram-v2
    [*] --> kind: 投诉建议 (or 我要投诉 / 建议 … picks the kind)
    kind --> category
    category --> office
    office --> office: a typed name lists matching platforms
    office --> service: optional (content/services.yaml)
    service --> staff: complaint (optional: a recent reviewer, or a name)
    service --> text: suggestion
    staff --> text
    text --> photos: ≤ max_text characters, not only emoji
    photos --> photos: photo events are kept as references
    photos --> contact
    contact --> phone: answer by phone
    contact --> summary
    phone --> summary
    summary --> [*]: filed, TS-YYYYMMDD-NNNN and when the first answer is due
    [*] --> rate: 评价 (the latest closed ticket)
    [*] --> rate: TS-… of a closed, unrated ticket of theirs
```
What the resident wrote, their phone and a typed staff name are kept encrypted in the
conversation state until filing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from core.complaints import handling, people, routing, tickets
from core.complaints.chat import texts
from core.complaints.chat.mine import complaints_section
from core.complaints.models import ComplaintTicket
from core.complaints.rules import ComplaintRules, rules_for
from core.complaints.tickets import COMPLAINT, KINDS, PHONE, SUGGESTION
from core.dialog.commands import fold, is_listed
from core.dialog.flow import IDLE, Ctx, Input, State, Transition
from core.dialog.menu import menu_message
from core.dialog.messages import Outgoing, t
from core.people.personal import personal_spans
from core.registration.area_search import find_areas
from core.registration.validation import Invalid, parse_name, parse_phone
from core.registration.workflow import Env

NAME = "complaint"
RATE_ARG = "rate"
NEXT, SUBMIT, MINE, NONE = "c:next", "c:submit", "c:o:mine", "c:s:none"
USE_EARLY = "c:tx:early"  # 就用刚才写的: the account given before it was asked for
EARLY_MIN = 8  # letters or digits that make typed text an account, not a stray answer


class Step(StrEnum):
    KIND = "kind"
    CATEGORY = "category"
    OFFICE = "office"
    SERVICE = "service"
    STAFF = "staff"
    TEXT = "text"
    PHOTOS = "photos"
    CONTACT = "contact"
    PHONE = "phone"
    SUMMARY = "summary"
    RATE = "rate"


def _env(ctx: Ctx) -> Env:
    return Env(ctx.session, ctx.content, ctx.vault, ctx.now)


def _kind_named(text: str) -> str | None:
    folded = unicodedata.normalize("NFKC", text).lower()
    complaint = "投诉" in folded or "complain" in folded
    suggestion = "建议" in folded or "suggest" in folded or "意见" in folded
    if complaint != suggestion:
        return COMPLAINT if complaint else SUGGESTION
    return None


# What each step reads from the state (written by the steps before it).
_FILED = frozenset({"kind", "cat", "area"})
_NEEDS: dict[Step, frozenset[str]] = {
    Step.KIND: frozenset(),
    Step.CATEGORY: frozenset({"kind"}),
    Step.OFFICE: frozenset({"kind", "cat"}),
    Step.SERVICE: _FILED,
    Step.STAFF: _FILED,
    Step.TEXT: _FILED,
    Step.PHOTOS: _FILED | {"text"},
    Step.CONTACT: _FILED | {"text"},
    Step.PHONE: _FILED | {"text", "contact"},
    Step.SUMMARY: _FILED | {"text", "contact"},
    Step.RATE: frozenset({"ticket"}),
}


class ComplaintFlow:
    name = NAME
    steps = frozenset(Step)
    free_text = frozenset({Step.TEXT})  # what happened, in the resident's words

    def start(self, ctx: Ctx, arg: str) -> Transition:
        folded = unicodedata.normalize("NFKC", arg).strip()
        if folded.upper().startswith("TS-"):
            return self._lookup(ctx, folded.split()[0])
        if folded == RATE_ARG:
            return self._rate_latest(ctx)
        if folded.startswith(("查询", "ticket")):
            listed = complaints_section(ctx) or Outgoing(t("complaints.lookup.empty"))
            return Transition(IDLE, (listed, menu_message(ctx)))
        if not tickets.may_file(_env(ctx), ctx.channel, ctx.user_id):
            return self._limit(ctx)
        kind = _kind_named(folded)
        data: dict[str, Any] = {}
        said: tuple[Outgoing, ...] = ()
        if (early := _account(ctx, arg)) is not None:  # 我要投诉，窗口的人让我等了一小时
            data["early"], said = early, (Outgoing(t("complaints.early_kept")),)
        if kind is None:
            return self._go(ctx, Step.KIND, data, *said)
        return self._go(ctx, Step.CATEGORY, {**data, "kind": kind}, *said)

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        data = dict(state.data)
        step = Step(state.step or Step.KIND)
        if not _NEEDS[step] <= data.keys():
            return self.start(ctx, "")  # a state missing what its step needs: start afresh
        handler = getattr(self, f"_on_{step.value}")
        result: Transition = handler(ctx, state, data, given)
        return result

    def attach(self, ctx: Ctx, state: State, ref: str) -> Transition | None:
        """A photo sent while writing: kept as a reference (the channel's media id)."""
        if state.step not in (Step.TEXT, Step.PHOTOS):
            return None
        rules = rules_for(ctx.content)
        photos = list(state.data.get("photos", []))
        if len(photos) >= rules.max_photos:
            said = Outgoing(t("complaints.photo_limit", max=rules.max_photos))
            return Transition(state, (said, *self.prompt(ctx, state)), remember=False)
        photos.append(ref[:300])
        nxt = State(self.name, state.step, {**state.data, "photos": photos})
        said = Outgoing(t("complaints.photo_kept", count=len(photos)))
        return Transition(nxt, (said, *self.prompt(ctx, nxt)), remember=False)

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        step = Step(state.step or Step.KIND)
        if not _NEEDS[step] <= state.data.keys():
            return texts.ask(ctx, Step.KIND, {})
        return texts.ask(ctx, step, state.data)

    # Steps ---------------------------------------------------------------------------

    def _on_kind(self, ctx: Ctx, state: State, data: dict[str, Any], given: Input) -> Transition:
        kind = (given.choice or "").removeprefix("c:k:")
        if kind not in KINDS:
            kind = _kind_named(given.text) or ""
        if kind not in KINDS:
            return self._keep_or_again(ctx, state, given)
        said: tuple[Outgoing, ...] = ()
        if not given.choice and (early := _account(ctx, given.text)) is not None:
            data, said = {**data, "early": early}, (Outgoing(t("complaints.early_kept")),)
        return self._go(ctx, Step.CATEGORY, {**data, "kind": kind}, *said)

    def _on_category(
        self, ctx: Ctx, state: State, data: dict[str, Any], given: Input
    ) -> Transition:
        code = (given.choice or "").removeprefix("c:c:")
        if code not in rules_for(ctx.content).categories:
            return self._keep_or_again(ctx, state, given)
        return self._go(ctx, Step.OFFICE, {**data, "cat": code, "found": []})

    def _on_office(self, ctx: Ctx, state: State, data: dict[str, Any], given: Input) -> Transition:
        choice = given.choice or ""
        home = people.home_area(ctx.session, ctx.channel, ctx.user_id)
        if choice == MINE and home:
            return self._after_office(ctx, {**data, "area": home})
        code = choice.removeprefix("c:o:")
        if choice.startswith("c:o:") and code in data.get("found", []):
            return self._after_office(ctx, {**data, "area": code})
        found = [a.code for a in find_areas(ctx.content.areas, given.text)] if given.text else []
        if not found:
            return self._keep_or_again(ctx, state, given, "complaints.office.none")
        nxt = State(self.name, Step.OFFICE, {**data, "found": found})
        return Transition(nxt, self.prompt(ctx, nxt), remember=False)

    def _after_office(self, ctx: Ctx, data: dict[str, Any]) -> Transition:
        data.pop("found", None)
        return self._go(ctx, Step.SERVICE, data)

    def _on_service(self, ctx: Ctx, state: State, data: dict[str, Any], given: Input) -> Transition:
        picked = (given.choice or "").removeprefix("c:sv:")
        known = {s.id for s in ctx.content.services}
        if picked != "none" and picked not in known:
            return self._keep_or_again(ctx, state, given)
        data = {**data, "service": None if picked == "none" else picked}
        if data["kind"] == COMPLAINT:
            return self._go(ctx, Step.STAFF, data)
        return self._go(ctx, Step.TEXT, data)

    def _on_staff(self, ctx: Ctx, state: State, data: dict[str, Any], given: Input) -> Transition:
        choice = given.choice or ""
        offered = [str(i) for i in data.get("offered", [])] or self._recent(ctx)
        if not choice and _says_none(ctx, given.text):  # 不涉及, 不清楚: the option's words
            choice = NONE
        if choice == NONE:
            return self._go(ctx, Step.TEXT, _without(data, "offered"))
        picked = choice.removeprefix("c:s:")
        if choice.startswith("c:s:") and picked in offered:
            return self._go(ctx, Step.TEXT, {**_without(data, "offered"), "staff": int(picked)})
        try:
            typed = parse_name(given.text)
        except Invalid:
            return self._keep_or_again(ctx, state, given, "complaints.error.staff_name")
        named = people.staff_named(ctx.session, ctx.vault, ctx.content.areas, data["area"], typed)
        if len(named) == 1:
            said = Outgoing(t("complaints.who.matched", name=named[0].masked))
            nxt = {**_without(data, "offered"), "staff": named[0].id}
            return self._go(ctx, Step.TEXT, nxt, said)
        if named:
            nxt_state = State(self.name, Step.STAFF, {**data, "offered": [k.id for k in named]})
            return Transition(nxt_state, self.prompt(ctx, nxt_state), remember=False)
        # Nobody of that name here: the handler checks the name the resident gave.
        sealed = ctx.vault.encrypt(typed)
        said = Outgoing(t("complaints.who.kept"))
        return self._go(ctx, Step.TEXT, {**_without(data, "offered"), "named": sealed}, said)

    def _on_text(self, ctx: Ctx, state: State, data: dict[str, Any], given: Input) -> Transition:
        rules = rules_for(ctx.content)
        typed = given.text
        if given.choice == USE_EARLY and data.get("early"):
            typed = ctx.vault.decrypt(str(data["early"]))
        try:
            text = tickets.clean_text(typed, rules)
        except tickets.TextProblem as exc:
            return self._again(ctx, state, f"complaints.error.{exc.problem}")
        kept = _without(data, "early")
        return self._go(ctx, Step.PHOTOS, {**kept, "text": ctx.vault.encrypt(text)})

    def _on_photos(self, ctx: Ctx, state: State, data: dict[str, Any], given: Input) -> Transition:
        if given.choice != NEXT:
            return self._again(ctx, state, "complaints.photos.again")
        return self._go(ctx, Step.CONTACT, data)

    def _on_contact(self, ctx: Ctx, state: State, data: dict[str, Any], given: Input) -> Transition:
        how = (given.choice or "").removeprefix("c:ct:")
        if how not in texts.contact_choices(data):
            return self._again(ctx, state)
        if how == PHONE:
            return self._go(ctx, Step.PHONE, {**data, "contact": how})
        return self._go(ctx, Step.SUMMARY, {**_without(data, "phone"), "contact": how})

    def _on_phone(self, ctx: Ctx, state: State, data: dict[str, Any], given: Input) -> Transition:
        try:
            phone = parse_phone(given.text)
        except Invalid as exc:
            return self._again(ctx, state, f"registration.error.{exc.problem}", **exc.params)
        return self._go(ctx, Step.SUMMARY, {**data, "phone": ctx.vault.encrypt(phone)})

    def _on_summary(self, ctx: Ctx, state: State, data: dict[str, Any], given: Input) -> Transition:
        if given.choice != SUBMIT:
            return self._again(ctx, state)
        try:
            ticket = tickets.submit(_env(ctx), self._draft(ctx, data))
        except tickets.LimitReached:
            return self._limit(ctx)
        return Transition(IDLE, (texts.filed(ctx, ticket), menu_message(ctx)))

    def _on_rate(self, ctx: Ctx, state: State, data: dict[str, Any], given: Input) -> Transition:
        rating = (given.choice or "").removeprefix("c:r:")
        ticket = ctx.session.get(ComplaintTicket, int(data.get("ticket", 0)), with_for_update=True)
        if ticket is None or ticket.channel != ctx.channel or ticket.external_id != ctx.user_id:
            return Transition(IDLE, (Outgoing(t("complaints.lookup.none")), menu_message(ctx)))
        if rating not in handling.RATINGS:
            return self._again(ctx, state)
        try:
            reopened = handling.rate(_env(ctx), ticket, rating, channel=ctx.channel)
        except handling.HandlingError:
            return Transition(IDLE, (Outgoing(t("complaints.rate.done_before")), menu_message(ctx)))
        said = texts.rated(ctx, ticket, reopened)
        return Transition(IDLE, (said, menu_message(ctx)))

    # Helpers -------------------------------------------------------------------------

    def _recent(self, ctx: Ctx) -> list[str]:
        since = people.recent_since(ctx.now, rules_for(ctx.content).recent_days)
        known = people.recent_staff(ctx.session, ctx.vault, ctx.channel, ctx.user_id, since)
        return [str(k.id) for k in known]

    def _draft(self, ctx: Ctx, data: Mapping[str, Any]) -> tickets.Draft:
        vault = ctx.vault
        return tickets.Draft(
            kind=data["kind"],
            category=data["cat"],
            area_code=data["area"],
            text=vault.decrypt(data["text"]),
            contact=data["contact"],
            channel=ctx.channel,
            external_id=ctx.user_id,
            lang=ctx.lang,
            staff_id=data.get("staff"),
            staff_named=vault.decrypt(data["named"]) if data.get("named") else None,
            phone=vault.decrypt(data["phone"]) if data.get("phone") else None,
            service=data.get("service"),
            photos=tuple(data.get("photos", [])),
        )

    def _lookup(self, ctx: Ctx, number: str) -> Transition:
        ticket = tickets.find_own(ctx.session, number, ctx.channel, ctx.user_id)
        if ticket is None:
            return Transition(IDLE, (Outgoing(t("complaints.lookup.none")), menu_message(ctx)))
        shown = texts.status(ctx, ticket)
        if ticket.status == routing.CLOSED and ticket.rating is None:
            return self._go(ctx, Step.RATE, {"ticket": ticket.id}, shown)
        return Transition(IDLE, (shown, menu_message(ctx)))

    def _rate_latest(self, ctx: Ctx) -> Transition:
        waiting = [
            ticket
            for ticket in tickets.own_tickets(ctx.session, ctx.channel, ctx.user_id)
            if ticket.status == routing.CLOSED and ticket.rating is None
        ]
        if not waiting:
            return Transition(IDLE, (Outgoing(t("complaints.rate.nothing")), menu_message(ctx)))
        return self._go(ctx, Step.RATE, {"ticket": waiting[0].id}, texts.status(ctx, waiting[0]))

    def _limit(self, ctx: Ctx) -> Transition:
        rules: ComplaintRules = rules_for(ctx.content)
        said = Outgoing(t("complaints.error.daily_limit", max=rules.daily_limit))
        return Transition(IDLE, (said, menu_message(ctx)))

    def _go(self, ctx: Ctx, step: Step, data: Mapping[str, Any], *said: Outgoing) -> Transition:
        state = State(self.name, step, dict(data))
        return Transition(state, (*said, *self.prompt(ctx, state)))

    def _keep_or_again(
        self, ctx: Ctx, state: State, given: Input, text_id: str = "complaints.pick_again"
    ) -> Transition:
        """An answer that does not fit the question: when it is an account of what
        happened (the resident wrote it early), it is kept for the step that asks for one
        and the question is asked again; otherwise the question with ``text_id``."""
        early = None if given.choice else _account(ctx, given.text)
        if early is None:
            return self._again(ctx, state, text_id)
        kept = State(self.name, state.step, {**state.data, "early": early})
        said = Outgoing(t("complaints.early_kept"))
        return Transition(kept, (said, *self.prompt(ctx, kept)), remember=False)

    def _again(
        self, ctx: Ctx, state: State, text_id: str = "complaints.pick_again", **params: object
    ) -> Transition:
        said = Outgoing(t(text_id, **params))
        return Transition(state, (said, *self.prompt(ctx, state)), remember=False)


def _says_none(ctx: Ctx, text: str) -> bool:
    """Typed text that is the 'nobody in particular' option's words (不涉及, 不清楚), or
    one of them: not a staff member's name."""
    typed = fold(text)
    if not typed:
        return False
    catalog = ctx.content.catalog
    for label in catalog.variants("complaints.who.none"):
        if typed == fold(label) or typed in {fold(w) for w in label.split("/")}:
            return True
    return is_listed(catalog, text, "complaints.who.none_words")


def _account(ctx: Ctx, text: str) -> str | None:
    """Text that reads as an account of what happened (at least EARLY_MIN letters or
    digits and otherwise a valid one), sealed for the state; None for anything shorter
    (a name, a number, 投诉 alone)."""
    # An ID or phone number alone (typed at the wrong question) is no account of anything.
    letters = sum(1 for ch in _without_personal(text) if unicodedata.category(ch)[0] in "LN")
    if letters < EARLY_MIN:
        return None
    try:
        account = tickets.clean_text(text, rules_for(ctx.content))
    except tickets.TextProblem:
        return None
    return ctx.vault.encrypt(account)


def _without_personal(text: str) -> str:
    parts, last = [], 0
    for start, end, _masked in personal_spans(text):
        parts.append(text[last:start])
        last = end
    return "".join([*parts, text[last:]])


def _without(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in keys}
