"""From the terminal: a scripted registration, API tokens, and the ledger in XLSX and CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bots.cli import app
from core.storage.db import Database
from core.storage.models import AuditEntry, Staff
from tests.cli import invoke_ok, runner
from tests.registration.helpers import id_number

NUMBER = id_number("19860412", seq="913")
SCRIPT = f"""# a resident registers as a job seeker, by numbers as on WeChat
登记
1
1
张小明
{NUMBER.lower()}
+86 138 1234 5678
解放桥社区
1
2
4
1
电焊
1
2
1
3000-5000
1
12
我的
"""


@pytest.fixture
def cli_ready(cli_env: Path) -> Path:
    _ok("db", "upgrade")
    return cli_env


_ok = invoke_ok


def _registered(tmp: Path) -> str:
    script = tmp / "register.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    return _ok("chat", "--user", "zhang", "--script", str(script))


def _audit(tmp: Path, action: str) -> list[AuditEntry]:
    database = Database(f"sqlite:///{tmp / 'cli.db'}")
    with database.transaction() as session:
        found = list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))
    database.dispose()
    return found


def test_scripted_chat_registers_a_job_seeker(cli_ready: Path) -> None:
    output = _registered(cli_ready)
    assert "求职登记已提交，编号 1" in output
    assert "编号 1 求职登记：已提交，待社区受理" in output
    replies = [line for line in output.splitlines() if line.startswith("bot:")]
    assert not any(NUMBER in line or "13812345678" in line for line in replies)


def test_ledger_xlsx_is_masked_by_default(cli_ready: Path) -> None:
    _registered(cli_ready)
    out = cli_ready / "ledger.xlsx"
    said = _ok("ledger", "registrations", "--area", "370102001000", "--out", str(out))
    assert "1 registrations (masked)" in said
    rows = list(load_workbook(out).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    header, row = rows[0], rows[1]
    record = dict(zip(header, row, strict=True))
    assert (
        record["身份证号"] == "3701**********" + NUMBER[-4:] and record["手机号"] == "138****5678"
    )
    assert record["姓名"] == "张*明" and record["求职意向"] == "焊工(6-18-02-04)"
    assert record["性别"] == "男" and record["出生日期"] == "1986-04"
    assert _audit(cli_ready, "ledger.export") and not _audit(cli_ready, "ledger.export_unmasked")
    assert out.stat().st_mode & 0o777 == 0o600


def test_unmasked_csv_ledger_is_audited(cli_ready: Path) -> None:
    _registered(cli_ready)
    out = cli_ready / "ledger.csv"
    _ok("ledger", "registrations", "--area", "370102000000", "--out", str(out), "--unmasked")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        (record,) = list(csv.DictReader(handle))
    assert record["身份证号"] == NUMBER and record["手机号"] == "13812345678"
    assert out.stat().st_mode & 0o777 == 0o600  # ID numbers in clear: the owner's only
    (entry,) = _audit(cli_ready, "ledger.export_unmasked")
    assert entry.subject == "area:370102000000" and entry.actor.startswith("cli:")


def test_ledger_of_another_area_is_empty_and_english_headers_work(cli_ready: Path) -> None:
    _registered(cli_ready)
    out = cli_ready / "other.csv"
    _ok("ledger", "registrations", "--area", "370202000000", "--out", str(out), "--lang", "en")
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("Number,Kind,State")
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "999999999999", "--out", "x.csv"], "not in content/areas.yaml"),
        (["--area", "370102000000", "--out", "x.pdf"], "use .xlsx or .csv"),
        (["--area", "370102000000", "--out", "/no/such/dir/x.csv"], "No such directory"),
    ],
)
def test_ledger_refuses_bad_arguments(cli_ready: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["ledger", "registrations", *args])
    assert result.exit_code == 2 and message in result.output


def test_staff_token_is_shown_once_and_stored_hashed(cli_ready: Path) -> None:
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
    said = _ok("staff", "token", "li")
    token = said.split("(shown once): ")[1].split()[0]
    database = Database(f"sqlite:///{cli_ready / 'cli.db'}")
    with database.transaction() as session:
        staff = session.exec(select(Staff).where(Staff.username == "li")).one()
    database.dispose()
    assert staff.api_token_hash and token not in staff.api_token_hash
    assert runner.invoke(app, ["staff", "token", "nobody"]).exit_code == 2
