"""The terminal channel and the CLI around it, run as a newcomer would."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

from rich.console import Console
from sqlmodel import col, select
from typer.testing import Result

from bots.cli import app
from bots.console.chat import ConsoleSession
from bots.senders import build_senders
from core.delivery.dispatch import Dispatcher
from core.people.staff import Role
from core.runtime import Runtime
from core.storage.models import OutboxMessage
from tests.cli import invoke_ok, runner
from tests.registration.conftest import submit_job_seeker
from tests.registration.helpers import COMMUNITY, id_number, staff_chat
from tests.talk import Talk

_ok = invoke_ok


def test_chat_on_outdated_schema_says_to_upgrade(cli_env: Path) -> None:
    result = runner.invoke(app, ["chat", "--script", "/dev/null"])
    assert result.exit_code == 2 and "jobbot db upgrade" in result.output


def test_scripted_chat_shows_menu_in_chinese_and_english(cli_env: Path) -> None:
    _ok("db", "upgrade")
    script = cli_env / "talk.txt"
    script.write_text("# a resident reads a policy\n菜单\n4\n1\nEnglish\nmenu\n", encoding="utf-8")
    output = _ok("chat", "--script", str(script))
    assert "回复 1  求职/失业/就业登记" in output
    assert "失业登记可以在常住地办理" in output
    assert "Reply 4  Policies and notices" in output


def test_chat_in_english_from_the_start(cli_env: Path) -> None:
    _ok("db", "upgrade")
    script = cli_env / "talk.txt"
    script.write_text("menu\n", encoding="utf-8")
    assert "Reply 1  Register" in _ok(
        "chat", "--lang", "en", "--user", "ann", "--script", str(script)
    )


def test_staff_added_by_cli_links_in_chat(cli_env: Path) -> None:
    _ok("db", "upgrade")
    _ok(
        "staff",
        "add",
        "--username",
        "li",
        "--name",
        "李娜",
        "--role",
        "street",
        "--area",
        "370102001000",
    )
    code = _ok("staff", "link-code", "li").split("Code for li: ")[1].split()[0]
    script = cli_env / "bind.txt"
    script.write_text(f"绑定 {code}\n", encoding="utf-8")
    output = _ok("chat", "--user", "li-phone", "--script", str(script))
    assert "绑定成功" in output and "待办" in output
    listing = _ok("staff", "list")
    assert "李*" in listing and "李娜" not in listing


def test_staff_add_refuses_unknown_area_and_role(cli_env: Path) -> None:
    _ok("db", "upgrade")
    bad_area = runner.invoke(
        app,
        [
            "staff",
            "add",
            "--username",
            "x",
            "--name",
            "某",
            "--role",
            "community",
            "--area",
            "999999999999",
        ],
    )
    bad_role = runner.invoke(
        app,
        [
            "staff",
            "add",
            "--username",
            "x",
            "--name",
            "某",
            "--role",
            "boss",
            "--area",
            "370102001002",
        ],
    )
    assert bad_area.exit_code == 2 and bad_role.exit_code == 2


def test_demo_load_is_idempotent(cli_env: Path) -> None:
    _ok("db", "upgrade")
    assert "demo-community" in _ok("demo", "load")
    assert "already loaded" in _ok("demo", "load")


def test_content_check_reports_counts(cli_env: Path) -> None:
    assert "areas" in _ok("content-check")


def test_serve_refuses_a_cpu_that_does_not_exist(cli_env: Path) -> None:
    result = runner.invoke(app, ["serve", "--cpu", "4096"])
    assert result.exit_code == 2 and "Cannot pin to CPU 4096" in result.output


def _status_of(runtime: Runtime, recipient: str) -> list[str]:
    with runtime.db.transaction() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == recipient)
            .order_by(col(OutboxMessage.id))
        ).all()
        return [row.status for row in rows]


def _returned_by_staff(runtime: Runtime) -> None:
    """A terminal resident submits a 求职登记; community staff return it through 待办."""
    submit_job_seeker(Talk(runtime, user="resident"), id_number())
    staff = staff_chat(runtime, "wang", Role.COMMUNITY, COMMUNITY)
    staff.talk.send("待办")
    staff.talk.send("1")
    staff.talk.send(choice="s:ret")
    staff.talk.send(choice="s:it:phone")
    staff.talk.send(choice="s:it:done")
    staff.talk.send("电话打不通")
    assert staff.talk.ids()[0] == "staff_tasks.done"


def test_terminal_notice_waits_until_its_resident_opens_the_chat(runtime: Runtime) -> None:
    _returned_by_staff(runtime)
    assert _status_of(runtime, "resident") == ["pending"]
    # `jobbot serve`'s dispatcher cannot show it to anyone: it leaves it for the resident.
    asyncio.run(Dispatcher(runtime.db, build_senders(runtime), worker_id="serve").run_once())
    assert _status_of(runtime, "resident") == ["pending"]
    shown = ConsoleSession(runtime, "resident", None, Console()).open()
    assert any("需要补正" in text and "电话打不通" in text for text in shown)
    assert _status_of(runtime, "resident") == ["sent"]


def test_a_chat_never_claims_another_identitys_notices(runtime: Runtime) -> None:
    _returned_by_staff(runtime)
    other = ConsoleSession(runtime, "wang-chat", None, Console())
    assert not any("需要补正" in text for text in other.say("菜单") + other.open())
    assert _status_of(runtime, "resident") == ["pending"]


def test_notice_due_while_the_chat_is_open_shows_on_the_next_turn(runtime: Runtime) -> None:
    resident = ConsoleSession(runtime, "resident", None, Console())
    resident.open()
    _returned_by_staff(runtime)
    shown = resident.say("菜单")
    assert shown[-1].startswith("📣 ") and "需要补正" in shown[-1]
    assert not any("需要补正" in text for text in resident.say("菜单"))


def test_reopening_the_chat_resumes_the_conversation_without_a_welcome(runtime: Runtime) -> None:
    first = ConsoleSession(runtime, "resident", None, Console())
    assert "欢迎关注" in first.open()[0]
    first.say("登记")
    first.say("1")
    asked = first.say("1")[-1]  # privacy accepted: the first question
    again = ConsoleSession(runtime, "resident", None, Console()).open()
    assert not any("欢迎关注" in text for text in again)
    assert again[-1] == asked


TRANSCRIPTS = Path(__file__).parent / "transcripts"
_MOVING = (
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "YYYY-MM-DD"),
    (re.compile(r"\d{2}:\d{2}"), "HH:MM"),
    (re.compile(r"（周[一二三四五六日]）"), "（周X）"),
)


def _steady(text: str, code: str) -> str:
    """The transcript without what changes from run to run: dates, times, the link code."""
    text = text.replace(code, "{code}")
    for pattern, placeholder in _MOVING:
        text = pattern.sub(placeholder, text)
    return text


def test_transcript_of_a_resident_and_staff_shows_notices_and_the_draft_surviving(
    cli_env: Path,
) -> None:
    """`jobbot chat --script` of tests/bots/transcripts/return_and_resume.txt, read as a
    newcomer would; regenerate the .out file with WRITE_TRANSCRIPTS=1 and review it."""
    _ok("db", "upgrade")
    _ok(
        "staff",
        "add",
        "--username",
        "wang",
        "--name",
        "王小红",
        "--role",
        "community",
        "--area",
        "370102001002",
    )
    code = _ok("staff", "link-code", "wang").split("Code for wang: ")[1].split()[0]
    script = cli_env / "script.txt"
    template = (TRANSCRIPTS / "return_and_resume.txt").read_text(encoding="utf-8")
    script.write_text(
        template.replace("{code}", code).replace("{id_number}", id_number("19900307")),
        encoding="utf-8",
    )
    got = _steady(_ok("chat", "--user", "resident", "--script", str(script)), code)
    expected = TRANSCRIPTS / "return_and_resume.out"
    assert got.count("欢迎关注") == 2  # once per identity; reopening resumes
    assert "bot: 📣 【新待办】求职登记 #1" in got  # waited for the staff member's chat
    assert "bot: 📣 您的求职登记（编号 1）需要补正：手机号。说明：电话打不通" in got
    assert "求职意向：保安员(4-07-05-01)、保洁员(4-09-08-01)" in got  # survived 菜单 and reopening
    if os.environ.get("WRITE_TRANSCRIPTS"):
        expected.write_text(got, encoding="utf-8")
    assert got == expected.read_text(encoding="utf-8")


def _add(username: str, role: str, area: str) -> Result:
    return runner.invoke(
        app,
        ["staff", "add", "--username", username, "--name", "王丽", "--role", role, "--area", area],
    )


def test_staff_add_takes_an_area_name_as_the_bot_shows_it(cli_env: Path) -> None:
    _ok("db", "upgrade")
    assert _add("lsl", "community", "历山路社区").exit_code == 0
    assert _add("jfq", "community", "解放桥社区居民委员会").exit_code == 0
    assert _add("qualified", "community", "历下区解放路街道历山路社区").exit_code == 0
    assert _add("zz", "admin", "枣庄市市中区").exit_code == 0
    rows = {line.split()[1]: line for line in _ok("staff", "list").splitlines() if "│" in line}
    assert "370102001003" in rows["lsl"] and "370102001003" in rows["qualified"]
    assert "370102001002" in rows["jfq"] and "370402000000" in rows["zz"]


def test_staff_add_lists_candidates_for_a_name_that_is_not_one_area(cli_env: Path) -> None:
    _ok("db", "upgrade")
    partial = _add("x1", "community", "历山")
    ambiguous = _add("x2", "admin", "市中区")
    unknown = _add("x3", "community", "火星社区")
    street_for_community = _add("x4", "community", "解放路街道")
    assert partial.exit_code == 2 and "370102001003" in partial.output
    assert "370102002009" in partial.output  # 历山名郡社区 too: the operator picks
    assert ambiguous.exit_code == 2 and "济南市市中区" in ambiguous.output
    assert "枣庄市市中区" in ambiguous.output
    assert unknown.exit_code == 2 and street_for_community.exit_code == 2
    assert "x1" not in _ok("staff", "list")


def test_staff_list_shows_every_column_whole_when_piped(cli_env: Path) -> None:
    _ok("db", "upgrade")
    assert _add("community-worker-with-a-long-handle", "community", "解放桥社区").exit_code == 0
    listing = _ok("staff", "list")
    assert "community-worker-with-a-long-handle" in listing and "…" not in listing
    assert "解放桥社区居民委员会" in listing and "linked chats" in listing


def test_piped_messages_are_not_wrapped(cli_env: Path) -> None:
    result = runner.invoke(app, ["chat", "--script", "/dev/null"])
    line = next(x for x in result.output.splitlines() if "Cannot start" in x)
    assert "jobbot db upgrade" in line


def test_help_shows_flags_as_flags(cli_env: Path) -> None:
    lines = _ok("serve", "--help").splitlines()
    for flag in ("--help", "--no-worker"):
        line = next(x for x in lines if flag in x)
        assert "bool" not in line.lower(), line
