"""A reply survives being kept for re-deliveries, in the form written now and the earlier one."""

from __future__ import annotations

import orjson

from core.dialog.messages import Link, Option, Outgoing, Reply, t


def _reply() -> Reply:
    nested = t("jobs.line", title="保安员", pay=t("jobs.pay", low=4000, high=5000))
    return Reply(
        "zh-CN",
        (
            Outgoing(
                t("jobs.found", count=24, lines=(nested, t("jobs.more")), note=None),
                (Option("j:1", nested), Option("m:menu", t("menu.back"))),
                (Link("https://example.org/1", t("jobs.apply")),),
            ),
        ),
    )


def test_a_kept_reply_reads_back_the_same() -> None:
    reply = _reply()
    assert Reply.from_json(orjson.loads(reply.dumps())) == reply


def test_a_reply_kept_in_the_earlier_form_still_reads_back() -> None:
    reply = _reply()
    assert Reply.from_json(orjson.loads(orjson.dumps(reply.to_json()))) == reply


def test_a_re_delivery_is_marked_as_such() -> None:
    raw = orjson.loads(_reply().dumps())
    assert Reply.from_json(raw, duplicate=True).duplicate
    assert not Reply.from_json(raw).duplicate
