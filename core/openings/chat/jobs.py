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

from core.content.areas import AreaTree
from core.dialog.flow import IDLE, Ctx, Input, State, Transition
from core.dialog.menu import menu_message
from core.dialog.messages import Option, Outgoing, Text, t
from core.dialog.router import elsewhere
from core.matching.search import SearchResult
from core.openings import present
from core.openings.catalogue import Catalogue
from core.openings.matches import matching_refs, profile_of
from core.openings.models import Opening
from core.people.personal import has_personal

PAGE = 5
MAX_QUERY = 40
MATCHES = "j:mine"  # the option (and start argument) for 我的匹配


class Step(StrEnum):
    ASK = "ask"
    RESULTS = "results"
    DETAIL = "detail"


class JobsFlow:
    name = "jobs"
    steps = frozenset(Step)
    free_text = frozenset({Step.RESULTS, Step.DETAIL})  # a typed word is a new search

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def start(self, ctx: Ctx, arg: str) -> Transition:
        """Searches at once when a keyword came with the command, else asks for one."""
        if arg == MATCHES:
            return self._matches(ctx, 0)
        if arg.strip():
            return self._search(ctx, arg, 0)
        state = State(self.name, Step.ASK, {})
        return Transition(state, self.prompt(ctx, state))

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        """Takes a keyword, a page turn, a suggestion or an opening's number."""
        choice, data = given.choice or "", state.data
        if choice == MATCHES:
            return self._matches(ctx, 0)
        if choice in ("j:more", "j:list"):
            return self._again(ctx, data, int(data.get("page", 0)) + (choice == "j:more"))
        if choice == "j:new":
            state = State(self.name, Step.ASK, {})
            return Transition(state, self.prompt(ctx, state))
        if choice == "j:back":
            return Transition(IDLE, (menu_message(ctx),))
        if choice == "j:wide" and data.get("kw"):
            return self._search(ctx, str(data["kw"]), 0)
        if choice.startswith("j:s") and choice[3:].isdigit():
            return self._suggested(ctx, data, int(choice[3:]))
        if choice.startswith("j:o") and choice[3:].isdigit():
            return self._open(ctx, state, int(choice[3:]))
        if given.text and not choice:
            return self._elsewhere(ctx, given.text) or self._search(ctx, given.text, 0)
        return Transition(state, (Outgoing(t("jobs.pick")), *self.prompt(ctx, state)))

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        if state.step == Step.ASK:
            return (Outgoing(t("jobs.ask"), (Option(MATCHES, t("jobs.my_matches")),)),)
        if state.step == Step.DETAIL:
            opening = self._by_ref(ctx, str(state.data.get("ref", "")))
            if opening is not None:
                return (_detail(opening),)
        return self._again(ctx, state.data, int(state.data.get("page", 0))).replies

    def _again(self, ctx: Ctx, data: Mapping[str, Any], page: int) -> Transition:
        """The same list again (or its next page): a search, or the resident's matches."""
        if data.get("mine"):
            return self._matches(ctx, page)
        return self._search(ctx, str(data.get("q", "")), page)

    def _matches(self, ctx: Ctx, page: int) -> Transition:
        """我的匹配: openings that fit the desired jobs and area of the latest registration."""
        profile = profile_of(ctx.session, ctx.channel, ctx.user_id)
        if profile is None or not profile.wishes:
            offer = (
                Option("m:register", t("menu.item.register")),
                Option("j:new", t("jobs.new_search")),
            )
            return Transition(
                State(self.name, Step.ASK, {}),
                (Outgoing(t("jobs.matches_need_registration"), offer),),
            )
        refs = matching_refs(self.catalogue.index(), profile, ctx.content.areas, ctx.now)
        if not refs:
            return Transition(State(self.name, Step.ASK, {}), (Outgoing(t("jobs.matches_none")),))
        page = min(page, (len(refs) - 1) // PAGE)
        openings = self._by_refs(refs[page * PAGE : (page + 1) * PAGE])
        shown = [openings[r] for r in refs[page * PAGE : (page + 1) * PAGE] if r in openings]
        data = {"mine": True, "page": page, "refs": [o.ref for o in shown]}
        header = t(
            "jobs.matches", total=len(refs), page=page + 1, pages=(len(refs) + PAGE - 1) // PAGE
        )
        return Transition(
            State(self.name, Step.RESULTS, data),
            (_list_message(header, shown, (page + 1) * PAGE < len(refs)),),
            remember=False,
        )

    def _search(self, ctx: Ctx, query: str, page: int) -> Transition:
        if has_personal(query):  # an ID or phone number is no job: not kept, not repeated
            return Transition(State(self.name, Step.ASK, {}), (Outgoing(t("jobs.personal")),))
        query = " ".join(query.split())[:MAX_QUERY]
        result = self.catalogue.search(
            query, areas=ctx.content.areas, limit=PAGE, offset=page * PAGE, now=ctx.now
        )
        notes = _area_notes(ctx.content.areas, query, result)
        if not result.hits:
            return _nothing(self.name, query, result, page, notes)
        refs = [hit.ref for hit in result.hits]
        openings = self._by_refs(refs)
        shown = [openings[r] for r in refs if r in openings]
        data = {"q": query, "page": page, "refs": [o.ref for o in shown]}
        return Transition(
            State(self.name, Step.RESULTS, data),
            (*notes, _listing(query, result, page, shown)),
            remember=False,
        )

    def _elsewhere(self, ctx: Ctx, text: str) -> Transition | None:
        """Typed text that asks for another service by its phrases (我要投诉，窗口…; 想预约指导)
        and finds no close opening goes to that service, as it would from the main menu: a
        resident who changes their mind in the middle of a search is not shown jobs for a
        complaint. A job that shares such a word still finds its openings (政策咨询员), and one
        nobody offers is still searched when it reads as a job (注册会计师, 投诉专员)."""
        if not has_personal(text):  # one with an ID or phone number is never searched
            query = " ".join(text.split())[:MAX_QUERY]
            result = self.catalogue.search(  # remembered: the search that follows is free
                query, areas=ctx.content.areas, limit=PAGE, offset=0, now=ctx.now
            )
            if result.hits and result.near_from != 0:
                return None
        if ctx.parts.job_word(ctx, text):  # 注册会计师, 投诉专员: a job nobody offers yet
            return None
        return elsewhere(ctx, text, self.name)

    def _suggested(self, ctx: Ctx, data: Mapping[str, Any], index: int) -> Transition:
        suggestions = [str(s) for s in data.get("suggestions", [])]
        if not 1 <= index <= len(suggestions):
            return self._search(ctx, "", 0)
        return self._search(ctx, suggestions[index - 1], 0)

    def _open(self, ctx: Ctx, state: State, index: int) -> Transition:
        refs = list(state.data.get("refs", []))
        opening = self._by_ref(ctx, refs[index - 1]) if 1 <= index <= len(refs) else None
        if opening is None:
            return Transition(state, (Outgoing(t("jobs.gone")), *self.prompt(ctx, state)))
        return Transition(
            State(self.name, Step.DETAIL, {**state.data, "ref": opening.ref}), (_detail(opening),)
        )

    def _by_refs(self, refs: Sequence[str]) -> dict[str, Opening]:
        """From the catalogue's snapshot, the one the refs came from: no query per list."""
        found = {ref: self.catalogue.opening(ref) for ref in refs}
        return {ref: o for ref, o in found.items() if o is not None}

    def _by_ref(self, ctx: Ctx, ref: str) -> Opening | None:
        opening = self.catalogue.opening(ref)
        if opening is None or (opening.expires_at is not None and opening.expires_at <= ctx.now):
            return None
        return opening


def _listing(query: str, result: SearchResult, page: int, shown: Sequence[Opening]) -> Outgoing:
    """The page of results; related openings (no close match) are said to be and marked."""
    pages = (result.total + PAGE - 1) // PAGE
    where = {"query": query, "page": page + 1, "pages": pages}
    near = result.near_from
    if near is None:
        header = t("jobs.results", total=result.total, **where)
    elif near == 0:
        header = t("jobs.related_only", total=result.total, **where)
    else:
        header = t("jobs.results_and_related", close=near, related=result.total - near, **where)
    first_related = len(shown) if near is None else max(0, near - page * PAGE)
    return _list_message(header, shown, (page + 1) * PAGE < result.total, first_related)


def _list_message(
    header: Text, shown: Sequence[Opening], more: bool, first_related: int | None = None
) -> Outgoing:
    """Numbered openings; those from ``first_related`` on are marked as related ones."""
    related = len(shown) if first_related is None else first_related
    options = [
        Option(
            f"j:o{i}",
            present.line(o) if i <= related else t("jobs.item_related", line=present.line(o)),
        )
        for i, o in enumerate(shown, start=1)
    ]
    if more:
        options.append(Option("j:more", t("common.next_page")))
    options.append(Option("j:new", t("jobs.new_search")))
    return Outgoing(header, tuple(options))


def _area_notes(areas: AreaTree, query: str, result: SearchResult) -> tuple[Outgoing, ...]:
    """Says when the named area had nothing (and which wider area is shown instead), and when
    a short area name is ambiguous (市中区 is in 济南 and in 枣庄)."""
    found = [a for a in (areas.get(c) for c in result.area_codes) if a is not None]
    notes: list[Outgoing] = []
    shorts = [a.short for a in found]
    several = [a for a in found if shorts.count(a.short) > 1]
    if several:
        names = "、".join(areas.full_name(a.code) for a in several)
        notes.append(Outgoing(t("jobs.area_ambiguous", name=several[0].short, names=names)))
    if result.widened and result.hits:
        wider = [a for a in (areas.get(c) for c in result.widened) if a is not None]
        notes.append(
            Outgoing(
                t(
                    "jobs.area_widened",
                    area="、".join(a.name for a in found) or "-",
                    keywords=result.keywords or query,
                    wider="、".join(a.name for a in wider) or "-",
                )
            )
        )
    return tuple(notes)


def _nothing(
    name: str, query: str, result: SearchResult, page: int, notes: tuple[Outgoing, ...] = ()
) -> Transition:
    if page > 0:
        return Transition(State(name, Step.ASK, {}), (Outgoing(t("jobs.no_more")),))
    suggestions = list(result.suggestions[:3])
    options = [
        Option(f"j:s{i}", t("jobs.suggestion", keyword=s))
        for i, s in enumerate(suggestions, start=1)
    ]
    data: dict[str, Any] = {"q": query, "suggestions": suggestions}
    if result.area_codes and result.keywords:  # nothing here: the same words anywhere
        options.append(Option("j:wide", t("jobs.search_anywhere", keywords=result.keywords)))
        data["kw"] = result.keywords
    options += [Option("j:new", t("jobs.new_search")), Option("j:back", t("jobs.back"))]
    said = "jobs.nothing"
    if suggestions:
        said = "jobs.nothing_suggest" if result.related else "jobs.nothing_popular"
    state = State(name, Step.ASK, data)
    return Transition(state, (*notes, Outgoing(t(said, query=query or "-"), tuple(options))))


def _detail(opening: Opening) -> Outgoing:
    return Outgoing(
        present.detail(opening),
        (Option("j:list", t("jobs.back_to_list")), Option("j:new", t("jobs.new_search"))),
    )
