"""Desired jobs (求职意向) and the job taken (就业登记): typed words, confirmed occupations.

The resident types a job in their words ("电焊", "月嫂"); the bot offers the nearest
occupations of the national classification and the resident picks one, keeps their own
words, or types again. 求职登记 may name several jobs, 就业登记 exactly one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from core.dialog.flow import Input
from core.dialog.messages import Option, Outgoing, t
from core.people.personal import has_personal
from core.registration.answers import Answers, Field, Wish
from core.registration.chat.steps import (
    Asking,
    Outcome,
    done,
    retry,
    said_word,
    stay,
    typed_option,
)
from core.registration.notify import joined
from core.registration.occupations import suggest
from core.registration.validation import Invalid, parse_free_text

PICK, KEEP, RETRY, MORE, DONE = "r:j:", "r:j:keep", "r:j:retry", "r:j:more", "r:j:done"
SAID_LIMIT = 40


@dataclass(frozen=True)
class JobsQuestion:
    item: Field  # Field.JOBS (several) or Field.JOB (one)

    def _limit(self, q: Asking) -> int:
        return q.rules.max_jobs if self.item == Field.JOBS else 1

    def ask(self, q: Asking) -> tuple[Outgoing, ...]:
        picked = [Wish(**w) for w in q.data.get("picked", [])]
        if "cands" in q.data:
            return (self._confirm(q),)
        if q.data.get("more"):
            more = (
                Option(MORE, t("registration.jobs.add")),
                Option(DONE, t("registration.jobs.done")),
            )
            text = t(
                "registration.jobs.more",
                jobs=joined([t("registration.plain", text=w.label) for w in picked]),
            )
            return (Outgoing(text, more),)
        return (Outgoing(t(f"registration.ask.{self.item.value}")),)

    def _confirm(self, q: Asking) -> Outgoing:
        said = q.data.get("said", "")
        options = [
            Option(PICK + code, t("registration.jobs.option", name=name, code=code))
            for code, name in q.data["cands"]
        ]
        options += [
            Option(KEEP, t("registration.jobs.keep", said=said)),
            Option(RETRY, t("registration.jobs.retry")),
        ]
        text_id = "registration.jobs.confirm" if q.data["cands"] else "registration.jobs.no_match"
        return Outgoing(t(text_id, said=said), tuple(options))

    def take(self, q: Asking, given: Input) -> Outcome:
        choice = given.choice or ""
        picked: list[dict[str, Any]] = list(q.data.get("picked", []))
        if choice == RETRY or (choice == MORE and q.data.get("more")):
            return stay({"picked": picked})
        if choice == DONE and picked:
            return self._finish(q, picked)
        if picked and "cands" not in q.data:
            # "还有别的吗？" answered in words: 没有了 / 就这些 end the list (also when asked
            # for the next one), 还有 asks for one more; anything else is the next job itself.
            if said_word(q.ctx, given, "registration.jobs.done_words"):
                return self._finish(q, picked)
            if q.data.get("more") and said_word(q.ctx, given, "registration.jobs.more_words"):
                return stay({"picked": picked})
        if "cands" in q.data and (choice == KEEP or choice.startswith(PICK)):
            return self._chosen(q, picked, choice)
        if given.text and "cands" in q.data:
            named = self._named(q, given.text)
            if named is not None:
                return self._chosen(q, picked, named)
        if given.text:
            return self._typed(q, picked, given.text)
        return retry("registration.error.pick_one")

    def _named(self, q: Asking, text: str) -> str | None:
        """On the candidates: the same words again keep them as said; an occupation's
        name (or code) picks it."""
        try:
            if parse_free_text(text, limit=SAID_LIMIT) == q.data.get("said"):
                return KEEP
        except Invalid:
            return None
        return typed_option(q.ctx, text, self._confirm(q).options[:-2], loose=False)

    def _chosen(self, q: Asking, picked: list[dict[str, Any]], choice: str) -> Outcome:
        said = q.data.get("said", "")
        wish = Wish(said)
        if choice != KEEP:
            names = dict(q.data["cands"])
            code = choice[len(PICK) :]
            if code not in names:
                return retry("registration.error.pick_one")
            wish = Wish(said, code, names[code])
        if any(_same(wish, Wish(**w)) for w in picked):
            # Named twice ("焊工", then "焊工" again): kept once, and the resident is told.
            again = Outgoing(t("registration.jobs.already", job=wish.label))
            return stay({"picked": picked, "more": True}, again)
        picked = [*picked, asdict(wish)]
        if len(picked) >= self._limit(q):
            return self._finish(q, picked)
        return stay({"picked": picked, "more": True})

    def _typed(self, q: Asking, picked: list[dict[str, Any]], text: str) -> Outcome:
        if has_personal(text):  # no job: not kept in the conversation, not repeated
            return retry("registration.error.personal_in_job")
        try:
            said = parse_free_text(text, limit=SAID_LIMIT)
        except Invalid as exc:
            return retry(f"registration.error.{exc.problem}", **exc.params)
        found = suggest(q.ctx.content.directory, said)
        cands = [[s.code, s.name] for s in found]
        return stay({"picked": picked, "said": said, "cands": cands})

    def _finish(self, q: Asking, picked: list[dict[str, Any]]) -> Outcome:
        wishes = tuple(Wish(**w) for w in picked)
        answers: Answers
        if self.item == Field.JOBS:
            answers = q.answers.answered(Field.JOBS, jobs=wishes)
        else:
            answers = q.answers.answered(Field.JOB, job=wishes[0])
        return done(answers)


def _same(one: Wish, other: Wish) -> bool:
    """The same occupation, or the same words kept as said."""
    if one.code or other.code:
        return one.code == other.code
    return one.said.strip() == other.said.strip()
