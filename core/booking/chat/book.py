"""预约就业指导: service → office → day → slot → (name) → need → summary → confirm.

```mermaid
stateDiagram-v2
    [*] --> service
    service --> office: no default office (registered community / street) offers it
    service --> day: the default office
    office --> day
    day --> office: 换个服务点
    day --> slot: a half-day with free places, or a typed date
    slot --> name: not registered (real-name booking)
    slot --> need: registered
    name --> need
    need --> summary: text (≤ 200) or skip
    summary --> [*]: confirmed: booking number, queue number, address, what to bring
    summary --> slot: the slot filled meanwhile (the next free ones shown)
    summary --> day: another time
```
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from core.booking import services as svc
from core.booking.chat.common import last_name_enc, offices, refused, resident_name
from core.booking.notify import confirmation
from core.booking.offices import Office
from core.booking.parse import fold, parse_day, parse_time
from core.booking.present import day_text, office_info, service_name, span
from core.dialog.commands import is_listed
from core.dialog.flow import IDLE, Ctx, Input, State, Transition
from core.dialog.menu import menu_message
from core.dialog.messages import Option, Outgoing, t
from core.registration.validation import Invalid, name_doubtful, parse_name
from core.storage.models import Conversation
from core.timeutil import local

NAME = "booking"
MAX_DAY_OPTIONS = 10
OTHER_OFFICE = "b:oo"
SKIP = "b:skip"
CONFIRM = "b:ok"
REDO = "b:redo"


class Step(StrEnum):
    SERVICE = "service"
    OFFICE = "office"
    DAY = "day"
    SLOT = "slot"
    NAME = "name"
    NEED = "need"
    SUMMARY = "summary"


class BookFlow:
    name = NAME
    steps = frozenset(Step)
    free_text = frozenset({Step.NEED})  # what they need help with, in their words

    def start(self, ctx: Ctx, arg: str) -> Transition:
        state = State(NAME, Step.SERVICE, {})
        service = _service_named(ctx, arg) if arg else None
        if service is not None:
            return self._after_service(ctx, service)
        return Transition(state, self.prompt(ctx, state))

    def reschedule(self, ctx: Ctx, data: Mapping[str, Any]) -> Transition:
        """Another day and slot for an existing booking (its service, office and name)."""
        return self._go(ctx, Step.DAY, dict(data))

    # --- answers ------------------------------------------------------------------------

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        if not _complete(state):
            return self.start(ctx, "")
        data = dict(state.data)
        choice = given.choice or ""
        if state.step == Step.SERVICE:
            service = choice[4:] if choice.startswith("b:s:") else _service_named(ctx, given.text)
            if service is None or service not in _offered(ctx):
                return self._again(ctx, state, "booking.bad.service")
            return self._after_service(ctx, service)
        office = offices(ctx).get(str(data.get("office", "")))
        if state.step == Step.OFFICE or office is None:
            return self._office(ctx, state, data, given)
        if choice == OTHER_OFFICE:
            return self._go(ctx, Step.OFFICE, {"service": data["service"], **_kept(data)})
        if state.step == Step.DAY:
            return self._day(ctx, state, office, data, given)
        if state.step == Step.SLOT:
            return self._slot(ctx, state, office, data, given)
        if state.step == Step.NAME:
            try:  # the same rule as a registration's name
                name = parse_name(given.text)
            except Invalid:
                return self._again(ctx, state, "booking.bad.name")
            seen = ctx.vault.lookup_hash(f"name:{name}")  # a keyed hash; never the text
            if name_doubtful(name) and data.get("doubted") != seen:
                asked = State(self.name, Step.NAME, {**data, "doubted": seen})
                return self._again(ctx, asked, "booking.bad.name_doubt")
            kept = {k: v for k, v in data.items() if k != "doubted"}
            return self._go(ctx, Step.NEED, {**kept, "name_enc": ctx.vault.encrypt(name)})
        if state.step == Step.NEED:
            if choice != SKIP and not given.text.strip():
                return self._again(ctx, state)  # blank is no answer; 跳过 is offered
            need = "" if choice == SKIP else given.text.strip()
            if len(need) > svc.NEED_MAX:
                return self._again(ctx, state, "booking.bad.need_long")
            sealed = ctx.vault.encrypt(need) if need else ""
            return self._go(ctx, Step.SUMMARY, {**data, "need_enc": sealed})
        if choice == REDO:
            return self._go(ctx, Step.DAY, _before_day(data))
        if choice == CONFIRM or (
            not choice and is_listed(ctx.content.catalog, given.text, "booking.confirm_words")
        ):
            return self._confirm(ctx, office, data)  # 确认, 好的, 可以 as well as 1
        return self._again(ctx, state)

    def _after_service(self, ctx: Ctx, service: str) -> Transition:
        who = svc.who_of(ctx.session, ctx.channel, ctx.user_id)
        scene = _scene_area(ctx)
        home = svc.default_office(ctx.session, ctx.content, offices(ctx), who, scene)
        if home is not None and service in home.services:
            return self._go(ctx, Step.DAY, {"service": service, "office": home.code})
        return self._go(ctx, Step.OFFICE, {"service": service})

    def _office(self, ctx: Ctx, state: State, data: dict[str, Any], given: Input) -> Transition:
        choice = given.choice or ""
        candidates = _offices_for(ctx, str(data.get("service", "")))
        if choice.startswith("b:o:"):
            picked = [o for o in candidates if o.code == choice[4:]]
        else:
            picked = [o for o in candidates if _names(ctx, o, given.text)]
        if len(picked) != 1:
            return self._again(ctx, state, "booking.bad.office")
        return self._go(ctx, Step.DAY, {**data, "office": picked[0].code})

    def _day(
        self, ctx: Ctx, state: State, office: Office, data: dict[str, Any], given: Input
    ) -> Transition:
        choice = given.choice or ""
        if choice.startswith("b:d:"):
            day_text_, _, half = choice[4:].partition(":")
            return self._go(ctx, Step.SLOT, {**data, "day": day_text_, "half": half})
        today = local(ctx.now).date()
        said = parse_day(given.text, today)
        if said is None:
            return self._again(ctx, state, "booking.bad.day")
        day, half = said
        problem = self._day_problem(ctx, office, str(data["service"]), day)
        if problem is not None:
            return Transition(state, (problem, *self.prompt(ctx, state)), remember=False)
        return self._go(ctx, Step.SLOT, {**data, "day": day.isoformat(), "half": half})

    def _day_problem(self, ctx: Ctx, office: Office, service: str, day: date) -> Outgoing | None:
        """Why a typed date cannot be booked: past, a holiday, too far, or full."""
        today = local(ctx.now).date()
        info = office_info(office, ctx.lang)
        if day < today:
            return Outgoing(t("booking.bad.past", day=day_text(day)))
        if not ctx.content.worktime.is_workday(day):
            return Outgoing(t("booking.bad.closed", day=day_text(day), office=info))
        last = svc.last_day(office, ctx.content.worktime, ctx.now)
        if day > last:
            return Outgoing(t("booking.bad.too_far", day=day_text(day), last=day_text(last)))
        if not self._free(ctx, office, service, day):
            return Outgoing(t("booking.bad.day_full", day=day_text(day), office=info))
        return None

    def _slot(
        self, ctx: Ctx, state: State, office: Office, data: dict[str, Any], given: Input
    ) -> Transition:
        choice = given.choice or ""
        typed = parse_time(given.text) if not choice else None
        if typed is not None:
            typed = _slot_of(office, typed)
        wanted = time.fromisoformat(choice[4:]) if choice.startswith("b:t:") else typed
        day = date.fromisoformat(data["day"])
        free = {f.start for f in self._free(ctx, office, str(data["service"]), day)}
        if wanted is None or wanted not in office.slots():
            return self._again(ctx, state, "booking.bad.time")
        if wanted not in free:  # filled (or closed) since the list was shown
            return self._again(ctx, state, "booking.just_filled")
        chosen = {**data, "start": wanted.isoformat("minutes")}
        if "name_enc" in data or resident_name(ctx) is not None:
            return self._go(ctx, Step.NEED, chosen)
        earlier = last_name_enc(ctx)  # the name given for an earlier booking
        if earlier is not None:
            return self._go(ctx, Step.NEED, {**chosen, "name_enc": earlier})
        return self._go(ctx, Step.NAME, chosen)

    def _confirm(self, ctx: Ctx, office: Office, data: dict[str, Any]) -> Transition:
        name = resident_name(ctx)
        if name is None:
            name = ctx.vault.decrypt(str(data.get("name_enc", ""))) if data.get("name_enc") else ""
        if not name:
            return self._go(ctx, Step.NAME, data)
        need = ctx.vault.decrypt(data["need_enc"]) if data.get("need_enc") else ""
        replace = data.get("replace")
        request = svc.Request(
            office=office,
            service=str(data["service"]),
            day=date.fromisoformat(str(data["day"])),
            start=time.fromisoformat(str(data["start"])),
            channel=ctx.channel,
            external_id=ctx.user_id,
            name=name,
            need=need,
            replacing=int(replace) if replace else None,
        )
        try:
            booking = svc.book(ctx.session, ctx.vault, ctx.content, request, ctx.now)
        except svc.BookingError as exc:
            return self._refused(ctx, office, data, exc.problem)
        said = confirmation(ctx.content, office, booking, ctx.lang, rescheduled=bool(replace))
        return Transition(IDLE, (*said, menu_message(ctx)))

    def _refused(self, ctx: Ctx, office: Office, data: dict[str, Any], problem: str) -> Transition:
        if problem in ("full", "too_late", "past"):
            # Filled (or closed) while they were choosing: the next free slots of that day,
            # else the days that still have room.
            day = date.fromisoformat(str(data["day"]))
            step = Step.SLOT if self._free(ctx, office, str(data["service"]), day) else Step.DAY
            nxt = {**data, "half": ""} if step is Step.SLOT else _before_day(data)
            state = State(NAME, step, nxt)
            return Transition(state, (Outgoing(t("booking.just_filled")), *self.prompt(ctx, state)))
        return Transition(IDLE, (refused(ctx, problem), menu_message(ctx)))

    # --- questions ----------------------------------------------------------------------

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        if not _complete(state):
            state = State(NAME, Step.SERVICE, {})
        data = state.data
        if state.step == Step.SERVICE:
            options = tuple(
                Option(
                    f"b:s:{sid}",
                    t("booking.service_option", name=service_name(ctx.content, sid, ctx.lang)),
                )
                for sid in _offered(ctx)
            )
            return (Outgoing(t("booking.ask.service"), options),)
        office = offices(ctx).get(str(data.get("office", "")))
        if state.step == Step.OFFICE or office is None:
            return (self._office_question(ctx, str(data.get("service", ""))),)
        if state.step == Step.DAY:
            return (self._day_question(ctx, office, str(data["service"])),)
        if state.step == Step.SLOT:
            return (self._slot_question(ctx, office, data),)
        if state.step == Step.NAME:
            return (Outgoing(t("booking.ask.name")),)
        if state.step == Step.NEED:
            return (
                Outgoing(
                    t("booking.ask.need", max=svc.NEED_MAX), (Option(SKIP, t("booking.skip")),)
                ),
            )
        return (self._summary(ctx, office, data),)

    def _office_question(self, ctx: Ctx, service: str) -> Outgoing:
        options = tuple(
            Option(f"b:o:{o.code}", t("booking.office_option", name=o.name[ctx.lang]))
            for o in _offices_for(ctx, service)
        )
        return Outgoing(t("booking.ask.office"), options)

    def _day_question(self, ctx: Ctx, office: Office, service: str) -> Outgoing:
        free = svc.free_slots(ctx.session, ctx.content.worktime, office, service, ctx.now)
        halves: dict[tuple[date, str], int] = {}
        for each in free:
            key = (each.day, svc.half_of(each.start))
            halves[key] = halves.get(key, 0) + each.free
        options = [
            Option(
                f"b:d:{day.isoformat()}:{half}",
                t("booking.day_option", day=day_text(day), half=t(f"booking.half.{half}"), free=n),
            )
            for (day, half), n in list(halves.items())[:MAX_DAY_OPTIONS]
        ]
        other = Option(OTHER_OFFICE, t("booking.other_office"))
        if len(_offices_for(ctx, service)) > 1:
            options.append(other)
        where = office_info(office, ctx.lang)
        if not halves:
            return Outgoing(t("booking.none_free", office=where), tuple(options))
        return Outgoing(t("booking.ask.day", office=office.name[ctx.lang]), tuple(options))

    def _slot_question(self, ctx: Ctx, office: Office, data: Mapping[str, Any]) -> Outgoing:
        day = date.fromisoformat(str(data["day"]))
        half = str(data.get("half", ""))
        free = [
            f
            for f in self._free(ctx, office, str(data["service"]), day)
            if not half or svc.half_of(f.start) == half
        ]
        minutes = office.rules.slot_minutes
        options = tuple(
            Option(
                f"b:t:{f.start.isoformat('minutes')}",
                t("booking.slot_option", time=span(f.start, minutes), free=f.free),
            )
            for f in free
        )
        if not options:
            return Outgoing(
                t("booking.slot_none", day=day_text(day)), (Option(REDO, t("booking.redo")),)
            )
        return Outgoing(t("booking.ask.slot", day=day_text(day)), options)

    def _summary(self, ctx: Ctx, office: Office, data: Mapping[str, Any]) -> Outgoing:
        need = ctx.vault.decrypt(data["need_enc"]) if data.get("need_enc") else ""
        name = resident_name(ctx) or (
            ctx.vault.decrypt(str(data["name_enc"])) if data.get("name_enc") else ""
        )
        text = t(
            "booking.summary",
            service=service_name(ctx.content, str(data["service"]), ctx.lang),
            office=office.name[ctx.lang],
            address=office.address[ctx.lang],
            day=day_text(date.fromisoformat(str(data["day"]))),
            time=span(str(data["start"]), office.rules.slot_minutes),
            name=name,
            need=need or t("booking.need_none"),
        )
        options = (Option(CONFIRM, t("booking.confirm")), Option(REDO, t("booking.redo")))
        return Outgoing(text, options)

    def _free(self, ctx: Ctx, office: Office, service: str, day: date) -> list[svc.Free]:
        return svc.free_slots(ctx.session, ctx.content.worktime, office, service, ctx.now, day)

    def _go(self, ctx: Ctx, step: Step, data: dict[str, Any]) -> Transition:
        state = State(NAME, step, data)
        return Transition(state, self.prompt(ctx, state))

    def _again(self, ctx: Ctx, state: State, text_id: str = "booking.pick_again") -> Transition:
        return Transition(state, (Outgoing(t(text_id)), *self.prompt(ctx, state)), remember=False)


# What each step needs in the stored data (a state stored by an older release, or edited,
# may lack it: the flow then starts again rather than fail).
_NEEDS = {
    Step.SERVICE: (),
    Step.OFFICE: ("service",),
    Step.DAY: ("service", "office"),
    Step.SLOT: ("service", "office", "day"),
    Step.NAME: ("service", "office", "day", "start"),
    Step.NEED: ("service", "office", "day", "start"),
    Step.SUMMARY: ("service", "office", "day", "start"),
}


def _complete(state: State) -> bool:
    needs = _NEEDS.get(Step(state.step)) if state.step in set(Step) else None
    if needs is None or any(not state.data.get(key) for key in needs):
        return False
    try:
        if "day" in needs:
            date.fromisoformat(str(state.data["day"]))
        if "start" in needs:
            time.fromisoformat(str(state.data["start"]))
    except ValueError:
        return False
    return True


def _kept(data: Mapping[str, Any]) -> dict[str, Any]:
    """What survives a change of office or time: a reschedule's booking and the name."""
    return {k: data[k] for k in ("replace", "name_enc") if k in data}


def _before_day(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"service": data["service"], "office": data["office"], **_kept(data)}


def _offered(ctx: Ctx) -> list[str]:
    """Services some office takes bookings for, in the order of content/services.yaml."""
    offered = {sid for o in offices(ctx).all() for sid in o.services}
    return [s.id for s in ctx.content.services if s.id in offered]


def _offices_for(ctx: Ctx, service: str) -> list[Office]:
    return [o for o in offices(ctx).all() if service in o.services]


def _slot_of(office: Office, said: time) -> time:
    """The slot a typed time falls in (9点半 is the 09:00-10:00 slot); an hour the hall is
    closed in the morning but open in the afternoon is the afternoon's (两点 is 14:00)."""
    length = timedelta(minutes=office.rules.slot_minutes)
    for candidate in (said, said.replace(hour=said.hour + 12) if said.hour < 12 else None):
        if candidate is None:
            continue
        at = datetime.combine(date.min, candidate)
        for start in office.slots():
            begins = datetime.combine(date.min, start)
            if begins <= at < begins + length:
                return start
    return said


def _service_named(ctx: Ctx, text: str) -> str | None:
    folded = fold(text)
    if not folded:
        return None
    for service in ctx.content.services:
        if any(fold(name) in folded or folded == fold(name) for name in service.name.values()):
            return service.id
    return None


def _names(ctx: Ctx, office: Office, text: str) -> bool:
    folded = fold(text)
    if len(folded) < 2:
        return False
    area = ctx.content.areas.get(office.code)
    names = [*office.name.values(), *((area.name, area.short) if area else ())]
    return any(folded in fold(name) for name in names)


def _scene_area(ctx: Ctx) -> str | None:
    conv = ctx.session.get(Conversation, ctx.conversation_id)
    return conv.area_code if conv else None
