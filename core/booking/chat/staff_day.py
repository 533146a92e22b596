"""The staff's day (今日预约, and from 待办): the office's bookings in time order with masked
names; 叫号 calls the next number (the resident is told which window), then 完成 (with an
optional note) or 未到.

```mermaid
stateDiagram-v2
    [*] --> day: 今日预约, or the office's line in 待办
    day --> one: 叫号 (the next waiting number; "叫号 2" = window 2), or a booking picked
    one --> note: 完成
    note --> day: served (note optional)
    one --> day: 未到 (no-show)
```
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import col, select

from core.booking import hall
from core.booking import services as svc
from core.booking.chat.common import offices
from core.booking.models import Booking
from core.booking.offices import Office
from core.booking.present import service_name, staff_line
from core.dialog import tasks
from core.dialog.flow import IDLE, Ctx, Input, State, TaskItem, Transition
from core.dialog.menu import menu_message
from core.dialog.messages import Option, Outgoing, t
from core.people.personal import mask_name
from core.people.staff import StaffView
from core.timeutil import local

NAME = "booking_day"
CALL = "b:call"
OPEN = "b:k:"
DONE = "b:done"
NO_SHOW = "b:noshow"
LIST = "b:list"
SKIP = "b:skip"
SWITCH = "b:of:"
SHOWN = 20
_CALL_WORDS = re.compile(r"^(?:叫号|call)\s*(\d{1,2})?\s*(?:号窗口|号|window)?$", re.IGNORECASE)


class Step(StrEnum):
    DAY = "day"
    ONE = "one"
    NOTE = "note"


def staff_offices(ctx: Ctx, staff: StaffView) -> list[Office]:
    return svc.in_area(ctx.content, staff.area_code, offices(ctx).all())


def booking_tasks(ctx: Ctx, staff: StaffView) -> list[TaskItem]:
    """One 待办 line per office with people still to serve today (one query)."""
    codes = [o.code for o in staff_offices(ctx, staff)]
    if not codes:
        return []
    rows = ctx.session.exec(
        select(Booking.office, sa.func.count(), sa.func.min(Booking.starts_at))
        .where(col(Booking.office).in_(codes))
        .where(Booking.day == local(ctx.now).date())
        .where(col(Booking.status).in_(svc.ACTIVE))
        .group_by(col(Booking.office))
    ).all()
    by_code = offices(ctx).by_code
    return [
        TaskItem(
            ref=code,
            label=t(
                "booking.staff.task",
                office=by_code[code].name[ctx.lang],
                count=count,
                next=local(first).strftime("%H:%M"),
            ),
            due_at=first,
        )
        for code, count, first in rows
    ]


class StaffDayFlow:
    name = NAME
    steps = frozenset(Step)
    parent = tasks.NAME  # 返回 at the first step goes back to the 待办 list

    def start(self, ctx: Ctx, arg: str) -> Transition:
        if ctx.staff is None:
            return tasks.listing(ctx)
        mine = staff_offices(ctx, ctx.staff)
        office = next((o for o in mine if o.code == arg), mine[0] if mine else None)
        if office is None:
            return Transition(IDLE, (Outgoing(t("booking.staff.no_office")), menu_message(ctx)))
        return self._go(ctx, Step.DAY, {"office": office.code, "window": 1})

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        staff = ctx.staff
        office = self._office(ctx, state)
        if staff is None or office is None:
            return self.start(ctx, "")
        data = dict(state.data)
        choice = given.choice or ""
        if choice == LIST:
            return self._go(ctx, Step.DAY, _day_data(data))
        typed = _CALL_WORDS.match(unicodedata.normalize("NFKC", given.text).strip())
        if state.step == Step.DAY and (choice == CALL or (typed and not choice)):
            window = int(typed.group(1)) if typed and typed.group(1) else int(data["window"])
            return self._call(ctx, office, {**data, "window": window})
        if state.step == Step.DAY and choice.startswith(SWITCH):
            other = next(
                (o for o in staff_offices(ctx, staff) if o.code == choice[len(SWITCH) :]), None
            )
            if other is None:
                return self._again(ctx, state)
            return self._go(ctx, Step.DAY, {"office": other.code, "window": 1})
        if state.step == Step.DAY and choice.startswith(OPEN) and choice[len(OPEN) :].isdigit():
            booking = self._booking(ctx, office, int(choice[len(OPEN) :]))
            if booking is None:
                return self._again(ctx, state, "booking.staff.gone")
            return self._go(ctx, Step.ONE, {**data, "id": booking.id})
        booking = self._booking(ctx, office, int(data.get("id", 0)))
        if state.step in (Step.ONE, Step.NOTE) and booking is None:
            return self._go(ctx, Step.DAY, _day_data(data), "booking.staff.gone")
        if state.step == Step.ONE and choice == DONE:
            return self._go(ctx, Step.NOTE, data)
        if state.step == Step.ONE and choice == NO_SHOW and booking is not None:
            return self._finish(ctx, office, data, booking, served=False, note="")
        if state.step == Step.NOTE and booking is not None and (choice == SKIP or given.text):
            note = "" if choice == SKIP else given.text.strip()
            if len(note) > 500:
                return self._again(ctx, state, "booking.staff.note_long")
            return self._finish(ctx, office, data, booking, served=True, note=note)
        return self._again(ctx, state)

    def _call(self, ctx: Ctx, office: Office, data: dict[str, object]) -> Transition:
        try:
            window = int(str(data["window"]))
            called = hall.call(ctx.session, ctx.content, office, window, ctx.now)
        except svc.BookingError:
            said = Outgoing(t("booking.staff.bad_window", windows=office.windows))
            return self._go(ctx, Step.DAY, {**_day_data(data), "window": 1}, said=said)
        if called is None:
            return self._go(ctx, Step.DAY, data, "booking.staff.nobody")
        said = Outgoing(
            t(
                "booking.staff.called",
                queue=called.queue_no,
                window=called.window or 1,
                name=mask_name(ctx.vault.decrypt(called.name_enc)),
            )
        )
        return self._go(ctx, Step.ONE, {**data, "id": called.id}, said=said)

    def _finish(
        self,
        ctx: Ctx,
        office: Office,
        data: dict[str, object],
        booking: Booking,
        *,
        served: bool,
        note: str,
    ) -> Transition:
        try:
            hall.finish(ctx.session, office, booking, served=served, note=note, now=ctx.now)
        except svc.BookingError:
            return self._go(ctx, Step.DAY, _day_data(data), "booking.staff.gone")
        said = "booking.staff.served" if served else "booking.staff.no_show"
        return self._go(ctx, Step.DAY, _day_data(data), said, queue=booking.queue_no)

    def _office(self, ctx: Ctx, state: State) -> Office | None:
        if ctx.staff is None:
            return None
        code = str(state.data.get("office", ""))
        return next((o for o in staff_offices(ctx, ctx.staff) if o.code == code), None)

    def _booking(self, ctx: Ctx, office: Office, booking_id: int) -> Booking | None:
        booking = ctx.session.get(Booking, booking_id)
        today = local(ctx.now).date()
        if booking is None or booking.office != office.code or booking.day != today:
            return None
        return booking if booking.status in svc.ACTIVE else None

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        office = self._office(ctx, state)
        if office is None:
            return self.start(ctx, "").replies
        if state.step == Step.DAY:
            return (self._day(ctx, office, int(state.data.get("window", 1))),)
        booking = self._booking(ctx, office, int(state.data.get("id", 0)))
        if booking is None:
            back = State(NAME, Step.DAY, _day_data(state.data))
            return (Outgoing(t("booking.staff.gone")), *self.prompt(ctx, back))
        back_option = Option(LIST, t("booking.staff.back"))
        if state.step == Step.NOTE:
            skip = Option(SKIP, t("booking.staff.note_skip"))
            return (Outgoing(t("booking.staff.note_ask"), (skip, back_option)),)
        need = ctx.vault.decrypt(booking.need_enc) if booking.need_enc else ""
        text = t(
            "booking.staff.one",
            line=staff_line(ctx.content, ctx.vault, booking, ctx.lang),
            service=service_name(ctx.content, booking.service, ctx.lang),
            need=need or t("booking.need_none"),
        )
        options = (
            Option(DONE, t("booking.staff.done")),
            Option(NO_SHOW, t("booking.staff.mark_no_show")),
            back_option,
        )
        return (Outgoing(text, options),)

    def _day(self, ctx: Ctx, office: Office, window: int) -> Outgoing:
        today = local(ctx.now).date()
        everyone = svc.day_of(ctx.session, office.code, today)
        lines = tuple(staff_line(ctx.content, ctx.vault, b, ctx.lang) for b in everyone)
        waiting = [b for b in everyone if b.status in svc.ACTIVE][:SHOWN]
        others = (
            [o for o in staff_offices(ctx, ctx.staff) if o.code != office.code] if ctx.staff else []
        )
        options = (
            Option(CALL, t("booking.staff.call", window=window)),
            *(
                Option(f"{OPEN}{b.id}", staff_line(ctx.content, ctx.vault, b, ctx.lang))
                for b in waiting
            ),
            *(
                Option(f"{SWITCH}{o.code}", t("booking.staff.switch", office=o.name[ctx.lang]))
                for o in others
            ),
        )
        text = t(
            "booking.staff.day",
            office=office.name[ctx.lang],
            day=today.isoformat(),
            count=len(everyone),
            lines=lines or t("booking.staff.empty"),
        )
        return Outgoing(text, options)

    def _go(
        self,
        ctx: Ctx,
        step: Step,
        data: dict[str, object],
        text_id: str | None = None,
        said: Outgoing | None = None,
        **params: object,
    ) -> Transition:
        state = State(NAME, step, data)
        first = said or (Outgoing(t(text_id, **params)) if text_id else None)
        return Transition(state, (*((first,) if first else ()), *self.prompt(ctx, state)))

    def _again(self, ctx: Ctx, state: State, text_id: str = "booking.pick_again") -> Transition:
        return Transition(state, (Outgoing(t(text_id)), *self.prompt(ctx, state)), remember=False)


def _day_data(data: dict[str, object] | object) -> dict[str, object]:
    source = data if isinstance(data, dict) else dict(data)  # type: ignore[call-overload]
    return {"office": source.get("office"), "window": source.get("window", 1)}
