"""The resident's bookings: 我的 lists them; 我的预约 (or 取消预约/改约 with a booking number)
opens one to cancel or move it; 确认预约 answers the confirmation asked after no-shows.

```mermaid
stateDiagram-v2
    [*] --> list: 我的预约
    [*] --> one: 改约 Y7K3M9QP (one's own number)
    list --> one
    one --> cancel: 取消
    cancel --> [*]: cancelled, the place is free at once
    one --> booking.day: 改约 (booking flow, same service and office)
```
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from sqlmodel import col, select

from core.booking import services as svc
from core.booking.chat.book import BookFlow
from core.booking.chat.common import offices, refused
from core.booking.models import Booking
from core.booking.present import booking_line
from core.dialog.flow import IDLE, Ctx, Input, State, Transition
from core.dialog.menu import menu_message
from core.dialog.messages import Option, Outgoing, t
from core.timeutil import local

NAME = "booking_mine"
CONFIRM_ARG = "confirm"
OPEN = "b:m:"
CANCEL = "b:x"
CANCEL_YES = "b:x:y"
MOVE = "b:r"
LIST = "b:l"


class Step(StrEnum):
    LIST = "list"
    ONE = "one"
    CANCEL = "cancel"


def bookings_section(ctx: Ctx) -> Outgoing | None:
    """我的: the active bookings, and how to change them."""
    who = svc.who_of(ctx.session, ctx.channel, ctx.user_id)
    active = svc.active_of(ctx.session, who.key, ctx.now)
    if not active:
        return None
    lines = tuple(
        booking_line(ctx.content, offices(ctx).get(b.office), b, ctx.lang) for b in active
    )
    return Outgoing(t("booking.mine.section", lines=lines))


class MineFlow:
    name = NAME
    steps = frozenset(Step)

    def __init__(self, book: BookFlow) -> None:
        self.book = book

    def start(self, ctx: Ctx, arg: str) -> Transition:
        if arg == CONFIRM_ARG:
            return self._confirm(ctx)
        if arg.strip():
            try:
                booking = svc.mine_by_number(ctx.session, ctx.channel, ctx.user_id, arg)
            except svc.BookingError as exc:
                return self._listing(ctx, (refused(ctx, exc.problem),))
            return self._go(ctx, Step.ONE, {"id": booking.id})
        return self._listing(ctx)

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        choice = given.choice or ""
        if choice == LIST:
            return self._listing(ctx)
        if state.step == Step.LIST:
            if choice.startswith(OPEN) and choice[len(OPEN) :].isdigit():
                return self._open(ctx, int(choice[len(OPEN) :]))
            if given.text.strip() and not choice:
                return self.start(ctx, given.text)
            return self._again(ctx, state)
        booking = self._mine(ctx, int(state.data.get("id", 0)))
        if booking is None:
            return self._listing(ctx, (refused(ctx, "not_yours"),))
        if state.step == Step.ONE and choice == CANCEL:
            return self._go(ctx, Step.CANCEL, {"id": booking.id})
        if state.step == Step.ONE and choice == MOVE:
            data = {"service": booking.service, "office": booking.office}
            return self.book.reschedule(
                ctx, {**data, "replace": booking.id, "name_enc": booking.name_enc}
            )
        if state.step == Step.CANCEL and choice == CANCEL_YES:
            try:
                svc.cancel(ctx.session, booking, ctx.now, "resident")
            except svc.BookingError as exc:
                return self._listing(ctx, (refused(ctx, exc.problem),))
            said = Outgoing(t("booking.cancelled", number=booking.number))
            return Transition(IDLE, (said, menu_message(ctx)))
        return self._again(ctx, state)

    def _mine(self, ctx: Ctx, booking_id: int) -> Booking | None:
        booking = ctx.session.get(Booking, booking_id)
        who = svc.who_of(ctx.session, ctx.channel, ctx.user_id)
        if booking is None or booking.who != who.key or booking.status != svc.BOOKED:
            return None
        return booking

    def _open(self, ctx: Ctx, booking_id: int) -> Transition:
        booking = self._mine(ctx, booking_id)
        if booking is None:
            return self._listing(ctx, (refused(ctx, "not_yours"),))
        return self._go(ctx, Step.ONE, {"id": booking.id})

    def _listing(self, ctx: Ctx, said: tuple[Outgoing, ...] = ()) -> Transition:
        who = svc.who_of(ctx.session, ctx.channel, ctx.user_id)
        active = [b for b in svc.active_of(ctx.session, who.key, ctx.now) if b.status == svc.BOOKED]
        if not active:
            return Transition(IDLE, (*said, Outgoing(t("booking.mine.none")), menu_message(ctx)))
        state = State(NAME, Step.LIST, {})
        return Transition(state, (*said, *self.prompt(ctx, state)))

    def _confirm(self, ctx: Ctx) -> Transition:
        """确认预约: confirms the bookings of today and tomorrow that asked for it (the
        confirmation is asked the day before)."""
        who = svc.who_of(ctx.session, ctx.channel, ctx.user_id)
        today = local(ctx.now).date()
        waiting = ctx.session.exec(
            select(Booking)
            .where(Booking.who == who.key)
            .where(Booking.status == svc.BOOKED)
            .where(col(Booking.confirm_needed))
            .where(col(Booking.confirmed_at).is_(None))
            .where(Booking.starts_at > ctx.now)
            .where(col(Booking.day).in_([today, today + timedelta(days=1)]))
        ).all()
        for booking in waiting:
            booking.confirmed_at = booking.updated_at = ctx.now
            ctx.session.add(booking)
        said = "booking.confirmed" if waiting else "booking.nothing_to_confirm"
        return Transition(IDLE, (Outgoing(t(said, count=len(waiting))), menu_message(ctx)))

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        if state.step == Step.LIST:
            who = svc.who_of(ctx.session, ctx.channel, ctx.user_id)
            active = svc.active_of(ctx.session, who.key, ctx.now)
            options = tuple(
                Option(
                    f"{OPEN}{b.id}",
                    booking_line(ctx.content, offices(ctx).get(b.office), b, ctx.lang),
                )
                for b in active
                if b.status == svc.BOOKED
            )
            return (Outgoing(t("booking.mine.pick"), options),)
        booking = self._mine(ctx, int(state.data.get("id", 0)))
        if booking is None:
            return self._listing(ctx, (refused(ctx, "not_yours"),)).replies
        line = booking_line(ctx.content, offices(ctx).get(booking.office), booking, ctx.lang)
        back = Option(LIST, t("booking.mine.back"))
        if state.step == Step.CANCEL:
            yes = Option(CANCEL_YES, t("booking.mine.cancel_yes"))
            return (Outgoing(t("booking.mine.cancel_ask", line=line), (yes, back)),)
        options = (
            Option(MOVE, t("booking.mine.move")),
            Option(CANCEL, t("booking.mine.cancel")),
            back,
        )
        day = local(booking.starts_at).date()
        return (Outgoing(t("booking.mine.one", line=line, day=day.isoformat()), options),)

    def _go(self, ctx: Ctx, step: Step, data: dict[str, object]) -> Transition:
        state = State(NAME, step, data)
        return Transition(state, self.prompt(ctx, state))

    def _again(self, ctx: Ctx, state: State) -> Transition:
        return Transition(
            state, (Outgoing(t("booking.pick_again")), *self.prompt(ctx, state)), remember=False
        )
