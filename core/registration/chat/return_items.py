"""Ticking what a resident must correct (一次性告知): every item at once, by number or button."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from core.dialog.commands import fold
from core.dialog.flow import Ctx, Input, State
from core.dialog.messages import Option, Outgoing, t
from core.registration.chat.forms import questions_of
from core.registration.models import Registration
from core.registration.review import OTHER_ITEM

ITEM = "s:it:"
_NUMBERS = re.compile(r"\d+")
_SEPARATORS = re.compile(r"[、,;\s]+")  # after NFKC: ，； are , ;


@dataclass(frozen=True)
class ItemPicker:
    fields: tuple[str, ...]
    chosen: tuple[str, ...]
    names: tuple[str, ...] = ()  # each field's name as staff read it ("手机号")

    @classmethod
    def of(cls, ctx: Ctx, state: State) -> ItemPicker:
        reg = ctx.session.get(Registration, int(state.data.get("reg", 0)))
        order = questions_of(reg.kind) if reg is not None else ()
        fields = (*(f.value for f in order), OTHER_ITEM)
        names = tuple(fold(ctx.text(t(f"registration.field.{name}"))) for name in fields)
        return cls(fields, tuple(state.data.get("items", [])), names)

    def options(self) -> tuple[Option, ...]:
        ticks = [
            Option(
                ITEM + name,
                t(
                    "staff_tasks.item",
                    mark=t("staff_tasks.ticked" if name in self.chosen else "staff_tasks.unticked"),
                    field=t(f"registration.field.{name}"),
                ),
            )
            for name in self.fields
        ]
        return (*ticks, Option(ITEM + "done", t("staff_tasks.items_done")))

    def message(self) -> Outgoing:
        return Outgoing(t("staff_tasks.items_ask"), self.options())

    def toggle(self, given: Input) -> list[str] | None:
        """The new selection after a button or typed numbers ("1 3 5"); None if neither."""
        if given.choice and given.choice.startswith(ITEM):
            picked: Sequence[str] = [given.choice[len(ITEM) :]]
        else:
            text = unicodedata.normalize("NFKC", given.text)
            numbers = [int(n) for n in _NUMBERS.findall(text)]
            picked = [self.fields[n - 1] for n in numbers if 1 <= n <= len(self.fields)]
            if not numbers:  # the items' names typed ("手机号、文化程度")
                words = [fold(w) for w in _SEPARATORS.split(text) if w.strip()]
                named = dict(zip(self.names, self.fields, strict=False))
                picked = [named[w] for w in words if w in named]
                if len(picked) != len(words):
                    return None  # a word that names no item: ask again, tick nothing
        if not picked or not set(picked) <= set(self.fields):
            return None
        chosen = list(self.chosen)
        for name in picked:
            chosen.remove(name) if name in chosen else chosen.append(name)
        return chosen
