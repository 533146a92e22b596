"""Residence and desired area: pick level by level (市 → 区县 → 街道 → 社区) or type a name.

Residence goes down to the deepest level the area list knows (the community, where it is
listed), starting from the QR-code community when the chat came from one. The desired
work area may stop at any level, or be "anywhere".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from core.content.areas import Area
from core.dialog.flow import Input
from core.dialog.messages import Option, Outgoing, t
from core.registration.answers import Field
from core.registration.area_search import find_areas
from core.registration.chat.steps import Asking, Outcome, done, retry, stay, typed_option
from core.storage.models import Conversation

PICK, HERE, ANY, TOP, SCENE = "r:a:", "r:a:here", "r:a:any", "r:a:top", "r:a:scene"


def scene_area(q: Asking) -> Area | None:
    """The community of the QR code the resident scanned, if any."""
    table = Conversation.__table__  # type: ignore[attr-defined]
    code = q.ctx.session.execute(
        sa.select(table.c.area_code).where(table.c.id == q.ctx.conversation_id)
    ).scalar()
    return q.ctx.content.areas.get(code) if code else None


def _option(code: str, label: str) -> Option:
    return Option(PICK + code, t("registration.area.option", name=label))


@dataclass(frozen=True)
class AreaQuestion:
    item: Field  # Field.AREA (residence) or Field.DESIRED_AREA

    @property
    def residence(self) -> bool:
        return self.item == Field.AREA

    def ask(self, q: Asking) -> tuple[Outgoing, ...]:
        areas = q.ctx.content.areas
        if "cands" in q.data:
            options = [_option(c, areas.full_name(c)) for c in q.data["cands"]]
            options.append(Option(TOP, t("registration.area.start_over")))
            return (Outgoing(t("registration.area.candidates"), tuple(options)),)
        scene = scene_area(q) if self.residence and not q.data.get("no_scene") else None
        if scene is not None and q.data.get("cursor") is None:
            yes = Option(SCENE, t("registration.yes"))
            no = Option(TOP, t("registration.area.other"))
            return (
                Outgoing(t("registration.area.scene", area=areas.full_name(scene.code)), (yes, no)),
            )
        return (self._level(q, q.data.get("cursor")),)

    def _level(self, q: Asking, cursor: str | None) -> Outgoing:
        areas = q.ctx.content.areas
        options = [_option(a.code, a.name) for a in areas.children(cursor)]
        here = areas.get(cursor) if cursor else None
        if not self.residence and here is not None:
            options.insert(0, Option(HERE, t("registration.area.here", area=here.name)))
        if not self.residence and cursor is None:
            options.insert(0, Option(ANY, t("registration.anywhere")))
        if cursor is not None:
            options.append(Option(TOP, t("registration.area.start_over")))
        within = areas.full_name(cursor) if cursor else ""
        text_id = "registration.area.pick_in" if cursor else f"registration.ask.{self.item.value}"
        return Outgoing(t(text_id, area=within), tuple(options))

    def take(self, q: Asking, given: Input) -> Outcome:
        choice = given.choice or ""
        if choice == TOP:
            return stay({"no_scene": True})
        if choice == ANY and not self.residence:
            return done(q.answers.answered(self.item, desired_area=""))
        if choice == HERE and q.data.get("cursor") and not self.residence:
            return done(q.answers.answered(self.item, desired_area=q.data["cursor"]))
        if choice == SCENE:
            scene = scene_area(q)
            return self._went_to(q, scene.code) if scene else stay({"no_scene": True})
        if choice.startswith(PICK) and q.ctx.content.areas.get(choice[len(PICK) :]):
            return self._went_to(q, choice[len(PICK) :])
        anywhere = (Option(ANY, t("registration.anywhere")),)
        if given.text and not self.residence and typed_option(q.ctx, given.text, anywhere):
            return done(q.answers.answered(self.item, desired_area=""))
        if given.text:
            return self._typed(q, given.text)
        return retry("registration.error.pick_one")

    def _went_to(self, q: Asking, code: str) -> Outcome:
        """Down one level, or answered when there is nothing below."""
        if q.ctx.content.areas.children(code):
            return stay({"cursor": code, "no_scene": True})
        return done(q.answers.answered(self.item, **{self._attr: code}))

    @property
    def _attr(self) -> str:
        return "area" if self.residence else "desired_area"

    def _typed(self, q: Asking, text: str) -> Outcome:
        found = find_areas(q.ctx.content.areas, text)
        if not found:
            return retry("registration.area.no_match")
        data: dict[str, Any] = {"cands": [a.code for a in found], "no_scene": True}
        return stay(data)
