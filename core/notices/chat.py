"""政策资讯: browse the policy and service notices published in content/notices.yaml.

```mermaid
stateDiagram-v2
    [*] --> list
    list --> list: 下一页 / typed words (补贴, 失业金怎么领) list the notices about them
    list --> detail: pick a notice
    detail --> list: 返回列表
    detail --> list: typed words
    list --> [*]: another service's request (预约 职业指导) no notice is titled with
```
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from core.content.notices import Notice
from core.dialog.flow import IDLE, Ctx, Input, State, Transition
from core.dialog.menu import menu_message
from core.dialog.messages import Link, Option, Outgoing, t
from core.dialog.router import elsewhere
from core.people.personal import has_personal, redact

PAGE = 5
MAX_QUERY = 30
# Pairs of characters that say how a question is asked, not what it is about.
_ASKING = frozenset(
    {
        "怎么",
        "什么",
        "如何",
        "哪里",
        "哪些",
        "可以",
        "能不",
        "不能",
        "我要",
        "我想",
        "请问",
        "是不",
        "需要",
    }
)
_WORD = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]+")


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
        kept = {"q": state.data["q"]} if state.data.get("q") else {}
        if choice == "n:more":
            page = int(state.data.get("page", 0)) + 1
            nxt = State(self.name, Step.LIST, {**kept, "page": page})
            return Transition(nxt, self.prompt(ctx, nxt), remember=False)
        if choice == "n:list":
            nxt = State(self.name, Step.LIST, {**kept, "page": state.data.get("page", 0)})
            return Transition(nxt, self.prompt(ctx, nxt), remember=False)
        if choice == "n:all":
            nxt = State(self.name, Step.LIST, {"page": 0})
            return Transition(nxt, self.prompt(ctx, nxt), remember=False)
        notice = _by_id(ctx, choice.removeprefix("n:")) if choice.startswith("n:") else None
        if notice is None and given.text and not choice:
            return self._about(ctx, state, given.text)
        if notice is None:
            return Transition(state, (Outgoing(t("notices.pick")), *self.prompt(ctx, state)))
        nxt = State(self.name, Step.DETAIL, {**state.data, "notice": notice.id})
        return Transition(nxt, self.prompt(ctx, nxt))

    def _about(self, ctx: Ctx, state: State, text: str) -> Transition:
        """Typed words list the notices about them, or say there are none and list all."""
        query = " ".join(text.split())[:MAX_QUERY]
        if not has_personal(query) and not _in_titles(ctx, query):
            # 预约 职业指导, 我要投诉…: another service's, unless a notice is titled so.
            moved = elsewhere(ctx, text, self.name)
            if moved is not None:
                return moved
        # An ID or phone number is never kept in the state or shown back in a header.
        if has_personal(query) or not _about(ctx, query):
            if state.step == Step.DETAIL:  # reading one: stay on it
                return Transition(state, (Outgoing(t("notices.pick")), *self.prompt(ctx, state)))
            said = Outgoing(t("notices.nothing_about", query=redact(query)))
            nxt = State(self.name, Step.LIST, {"page": 0})
            return Transition(nxt, (said, *self.prompt(ctx, nxt)), remember=False)
        nxt = State(self.name, Step.LIST, {"q": query, "page": 0})
        return Transition(nxt, self.prompt(ctx, nxt), remember=False)

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        if state.step == Step.DETAIL:
            notice = _by_id(ctx, str(state.data.get("notice", "")))
            if notice is not None:
                return (_detail(ctx, notice),)
        query = str(state.data.get("q", ""))
        return (_listing(ctx, int(state.data.get("page", 0)), query),)


def _by_id(ctx: Ctx, notice_id: str) -> Notice | None:
    return next((n for n in ctx.content.notices if n.id == notice_id), None)


def _keys(query: str) -> set[str]:
    """What a query is about: its pairs of Chinese characters (a single one alone) and its
    Latin words, without the pairs that only say how it asks (怎么, 可以)."""
    keys: set[str] = set()
    for word in _WORD.findall(unicodedata.normalize("NFKC", query).lower()):
        if word.isascii():
            if len(word) > 1:
                keys.add(word)
        elif len(word) == 1:
            keys.add(word)
        else:
            keys.update(word[i : i + 2] for i in range(len(word) - 1))
    return keys - _ASKING


def _about(ctx: Ctx, query: str) -> list[Notice]:
    """The notices a query is about, most pairs of characters (or whole Latin words) shared
    with the title (counted thrice) and the text first, then the newest."""
    keys = _keys(query)
    scored = []
    for notice in ctx.content.notices:
        title = unicodedata.normalize("NFKC", notice.title[ctx.lang]).lower()
        body = unicodedata.normalize("NFKC", notice.body[ctx.lang]).lower()
        score = sum(3 * (k in title) + (k in body) for k in keys)
        if score:
            scored.append((-score, -notice.published.toordinal(), notice))
    return [n for *_, n in sorted(scored, key=lambda s: s[:2])]


def _in_titles(ctx: Ctx, query: str) -> bool:
    """Whether a notice's title shares a topic of the query (失业登记 is one)."""
    keys = _keys(query)
    return any(
        k in unicodedata.normalize("NFKC", n.title[ctx.lang]).lower()
        for n in ctx.content.notices
        for k in keys
    )


def _listing(ctx: Ctx, page: int, query: str = "") -> Outgoing:
    notices = _about(ctx, query) if query else list(ctx.content.notices)
    if not notices:  # the notices changed since: all of them
        notices, query = list(ctx.content.notices), ""
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
    if query:
        options.append(Option("n:all", t("notices.all")))
        header = t("notices.list_about", query=query, count=len(notices), page=page + 1)
        return Outgoing(header, tuple(options))
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
