"""The terminal channel and the CLI around it, run as a newcomer would."""

from __future__ import annotations

from pathlib import Path

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
