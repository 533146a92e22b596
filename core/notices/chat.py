"""政策资讯: browse the policy and service notices published in content/notices.yaml.

```mermaid
stateDiagram-v2
    [*] --> list
    list --> list: 下一页
    list --> detail: pick a notice
    detail --> list: 返回列表
```
"""

from __future__ import annotations

from enum import StrEnum

from core.content.notices import Notice
from core.dialog.flow import IDLE, Ctx, Input, State, Transition
from core.dialog.menu import menu_message
from core.dialog.messages import Link, Option, Outgoing, t

PAGE = 5


class Step(StrEnum):
    LIST = "list"
    DETAIL = "detail"


class NoticesFlow:
    name = "notices"
    steps = frozenset(Step)

    def start(self, ctx: Ctx, arg: str) -> Transition:
        """Shows the newest notices."""
        if not ctx.content.notices:
            return Transition(IDLE, (Outgoing(t("notices.none")), menu_message(ctx)))
        state = State(self.name, Step.LIST, {"page": 0})
        return Transition(state, self.prompt(ctx, state))

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        """Opens a notice, turns the page, or goes back to the list."""
        choice = given.choice or ""
        if choice == "n:more":
            page = int(state.data.get("page", 0)) + 1
            nxt = State(self.name, Step.LIST, {"page": page})
            return Transition(nxt, self.prompt(ctx, nxt), remember=False)
        if choice == "n:list":
            nxt = State(self.name, Step.LIST, {"page": state.data.get("page", 0)})
            return Transition(nxt, self.prompt(ctx, nxt), remember=False)
        notice = _by_id(ctx, choice.removeprefix("n:")) if choice.startswith("n:") else None
        if notice is None:
            return Transition(state, (Outgoing(t("notices.pick")), *self.prompt(ctx, state)))
        nxt = State(self.name, Step.DETAIL, {**state.data, "notice": notice.id})
        return Transition(nxt, self.prompt(ctx, nxt))

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        if state.step == Step.DETAIL:
            notice = _by_id(ctx, str(state.data.get("notice", "")))
            if notice is not None:
                return (_detail(ctx, notice),)
        return (_listing(ctx, int(state.data.get("page", 0))),)


def _by_id(ctx: Ctx, notice_id: str) -> Notice | None:
    return next((n for n in ctx.content.notices if n.id == notice_id), None)


def _listing(ctx: Ctx, page: int) -> Outgoing:
    notices = ctx.content.notices
    page = max(0, min(page, (len(notices) - 1) // PAGE))
    shown = notices[page * PAGE : (page + 1) * PAGE]
    options = [
        Option(
            f"n:{n.id}", t("notices.item", title=n.title[ctx.lang], date=n.published.isoformat())
        )
        for n in shown
    ]
    if (page + 1) * PAGE < len(notices):
        options.append(Option("n:more", t("common.next_page")))
    return Outgoing(t("notices.list", page=page + 1), tuple(options))


def _detail(ctx: Ctx, notice: Notice) -> Outgoing:
    links = (Link(notice.source, t("notices.source")),) if notice.source else ()
    body = t(
        "notices.detail",
        title=notice.title[ctx.lang],
        date=notice.published.isoformat(),
        body=notice.body[ctx.lang],
    )
    return Outgoing(body, (Option("n:list", t("notices.back_to_list")),), links)
