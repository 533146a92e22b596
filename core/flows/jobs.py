"""找工作: search openings by keyword (with an area in the same breath), page, open one.

```mermaid
stateDiagram-v2
    [*] --> ask: 找工作
    [*] --> results: 找工作 保安 历下
    ask --> results: keyword
    results --> results: 下一页 / new keyword / suggestion
    results --> detail: pick an opening
    detail --> results: 返回列表
```
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from sqlmodel import col, select

from core.dialog.flow import Ctx, Input, State, Transition
from core.matching.search import SearchResult
from core.messages import Option, Outgoing, t
from core.openings import present
from core.openings.catalogue import Catalogue
from core.openings.models import Opening

PAGE = 5
MAX_QUERY = 40


class Step(StrEnum):
    ASK = "ask"
    RESULTS = "results"
    DETAIL = "detail"


class JobsFlow:
    name = "jobs"

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def start(self, ctx: Ctx, arg: str) -> Transition:
        """Searches at once when a keyword came with the command, else asks for one."""
        if arg.strip():
            return self._search(ctx, arg, 0)
        state = State(self.name, Step.ASK, {})
        return Transition(state, self.prompt(ctx, state))

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        """Takes a keyword, a page turn, a suggestion or an opening's number."""
        choice, data = given.choice or "", state.data
        if choice == "j:more":
            return self._search(ctx, str(data.get("q", "")), int(data.get("page", 0)) + 1)
        if choice == "j:list":
            return self._search(ctx, str(data.get("q", "")), int(data.get("page", 0)))
        if choice == "j:new":
            return Transition(State(self.name, Step.ASK, {}), (Outgoing(t("jobs.ask")),))
        if choice.startswith("j:s") and choice[3:].isdigit():
            return self._suggested(ctx, data, int(choice[3:]))
        if choice.startswith("j:o") and choice[3:].isdigit():
            return self._open(ctx, state, int(choice[3:]))
        if given.text and not choice:
            return self._search(ctx, given.text, 0)
        return Transition(state, (Outgoing(t("jobs.pick")), *self.prompt(ctx, state)))

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        if state.step == Step.ASK:
            return (Outgoing(t("jobs.ask")),)
        if state.step == Step.DETAIL:
            opening = _by_ref(ctx, str(state.data.get("ref", "")))
            if opening is not None:
                return (_detail(opening),)
        return self._search(
            ctx, str(state.data.get("q", "")), int(state.data.get("page", 0))
        ).replies

    def _search(self, ctx: Ctx, query: str, page: int) -> Transition:
        query = " ".join(query.split())[:MAX_QUERY]
        result = self.catalogue.index().search(
            query, areas=ctx.content.areas, limit=PAGE, offset=page * PAGE, now=ctx.now
        )
        if not result.hits:
            return _nothing(self.name, query, result, page)
        refs = [hit.ref for hit in result.hits]
        openings = _by_refs(ctx, refs)
        shown = [openings[r] for r in refs if r in openings]
        data = {"q": query, "page": page, "refs": [o.ref for o in shown]}
        return Transition(
            State(self.name, Step.RESULTS, data),
            (_listing(query, result, page, shown),),
            remember=False,
        )

    def _suggested(self, ctx: Ctx, data: Mapping[str, Any], index: int) -> Transition:
        suggestions = [str(s) for s in data.get("suggestions", [])]
        if not 1 <= index <= len(suggestions):
            return self._search(ctx, "", 0)
        return self._search(ctx, suggestions[index - 1], 0)

    def _open(self, ctx: Ctx, state: State, index: int) -> Transition:
        refs = list(state.data.get("refs", []))
        opening = _by_ref(ctx, refs[index - 1]) if 1 <= index <= len(refs) else None
        if opening is None:
            return Transition(state, (Outgoing(t("jobs.gone")), *self.prompt(ctx, state)))
        return Transition(
            State(self.name, Step.DETAIL, {**state.data, "ref": opening.ref}), (_detail(opening),)
        )


def _listing(query: str, result: SearchResult, page: int, shown: Sequence[Opening]) -> Outgoing:
    options = [Option(f"j:o{i}", present.line(o)) for i, o in enumerate(shown, start=1)]
    if (page + 1) * PAGE < result.total:
        options.append(Option("j:more", t("common.next_page")))
    options.append(Option("j:new", t("jobs.new_search")))
    pages = (result.total + PAGE - 1) // PAGE
    return Outgoing(
        t("jobs.results", query=query, total=result.total, page=page + 1, pages=pages),
        tuple(options),
    )


def _nothing(name: str, query: str, result: SearchResult, page: int) -> Transition:
    if page > 0:
        return Transition(State(name, Step.ASK, {}), (Outgoing(t("jobs.no_more")),))
    suggestions = list(result.suggestions[:3])
    options = [
        Option(f"j:s{i}", t("jobs.suggestion", keyword=s))
        for i, s in enumerate(suggestions, start=1)
    ]
    said = "jobs.nothing_suggest" if suggestions else "jobs.nothing"
    state = State(name, Step.ASK, {"q": query, "suggestions": suggestions})
    return Transition(state, (Outgoing(t(said, query=query or "-"), tuple(options)),))


def _detail(opening: Opening) -> Outgoing:
    return Outgoing(
        present.detail(opening),
        (Option("j:list", t("jobs.back_to_list")), Option("j:new", t("jobs.new_search"))),
    )


def _by_refs(ctx: Ctx, refs: Sequence[str]) -> dict[str, Opening]:
    rows = ctx.session.exec(select(Opening).where(col(Opening.ref).in_(list(refs))))
    return {o.ref: o for o in rows}


def _by_ref(ctx: Ctx, ref: str) -> Opening | None:
    opening = ctx.session.exec(select(Opening).where(Opening.ref == ref)).first()
    if opening is None or (opening.expires_at is not None and opening.expires_at <= ctx.now):
        return None
    return opening
