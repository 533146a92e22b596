"""The terminal channel and the CLI around it, run as a newcomer would."""

from __future__ import annotations

from pathlib import Path

from typer.testing import Result

from bots.cli import app
from tests.cli import invoke_ok, runner

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
