"""The registration ledger as staff file it: typed XLSX cells, who handled each step."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from core.people.staff import StaffView, find_by_username, view
from core.registration import review
from core.registration.ledger import build, write
from core.registration.workflow import Env
from core.runtime import Runtime
from core.timeutil import utcnow
from tests.registration.conftest import WELDER, fill_identity, latest, submit_unemployed
from tests.registration.helpers import StaffChat, id_number
from tests.talk import Talk

FORMULA = '=HYPERLINK("http://x.example","电工证")'


def _staff(runtime: Runtime, username: str) -> StaffView:
    with runtime.db.transaction() as session:
        found = find_by_username(session, username)
        assert found is not None
        return view(found)


def _job_seeker_with_formula_skills(talk: Talk, number: str) -> None:
    fill_identity(talk, "job_seeker", number)
    talk.send(choice="r:edu:20")
    talk.send(choice="r:st:unemployed")
    talk.send(FORMULA)
    talk.send("电焊")
    talk.send(choice=f"r:j:{WELDER}")
    talk.send(choice="r:j:done")
    talk.send(choice="r:a:any")
    talk.send("3000-5000")
    talk.send(choice="r:y")
    assert talk.ids() == ["registration.summary.title"], talk.ids()
    talk.send(choice="r:submit")


def _ledger(runtime: Runtime, tmp_path: Path, *, unmasked: bool) -> Worksheet:
    with runtime.db.transaction() as session:
        env = Env(session, runtime.content, runtime.vault, utcnow())
        ledger = build(env, "370102001000", unmasked=unmasked, lang="zh-CN", actor="test")
    path = tmp_path / ("full.xlsx" if unmasked else "masked.xlsx")
    write(ledger, path)
    sheet = load_workbook(path).active
    assert isinstance(sheet, Worksheet)
    return sheet


def _records(sheet: Worksheet) -> list[dict[str, object]]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, (c for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]


def _reviewed(runtime: Runtime, community: StaffChat, street: StaffChat) -> None:
    """One 失业登记 accepted and approved, one 求职登记 returned; both in 解放路街道."""
    submit_unemployed(Talk(runtime, user="r-approved"), id_number("19860412", seq="913"))
    approved = latest(runtime).id
    _job_seeker_with_formula_skills(Talk(runtime, user="r-returned"), id_number("19900307"))
    returned = latest(runtime).id
    assert approved is not None and returned is not None
    wang, li = _staff(runtime, "jfq-wang"), _staff(runtime, "jfl-li")
    with runtime.db.transaction() as session:
        env = Env(session, runtime.content, runtime.vault, utcnow())
        review.accept(env, wang, approved)
        review.approve(env, li, approved)
        review.return_for_correction(env, wang, returned, ["phone"])


def test_ledger_sheet_is_styled_for_filing_with_typed_cells(
    runtime: Runtime, community: StaffChat, street: StaffChat, tmp_path: Path
) -> None:
    _reviewed(runtime, community, street)
    sheet = _ledger(runtime, tmp_path, unmasked=True)
    assert sheet.freeze_panes == "E2" and all(c.font.bold for c in sheet[1])
    assert sheet.column_dimensions["A"].width >= 6
    widths = {c.value: sheet.column_dimensions[c.column_letter].width for c in sheet[1]}
    assert widths["居住地"] > widths["性别"]  # fitted to what the column holds
    approved, returned = _records(sheet)
    for cell in (
        approved["编号"],
        approved["身份证号"],
        approved["手机号"],
        approved["居住地代码"],
    ):
        assert cell.data_type == "s" and isinstance(cell.value, str)  # type: ignore[attr-defined]
    assert approved["身份证号"].value == id_number("19860412", seq="913")  # type: ignore[attr-defined]
    assert approved["出生日期"].value == datetime(1986, 4, 12)  # type: ignore[attr-defined]
    assert approved["出生日期"].number_format == "yyyy-mm-dd"  # type: ignore[attr-defined]
    assert isinstance(approved["提交时间"].value, datetime)  # type: ignore[attr-defined]
    assert approved["失业日期"].value == datetime(2025, 3, 1)  # type: ignore[attr-defined]
    assert approved["受理人"].value == "jfq-wang" and approved["办结人"].value == "jfl-li"  # type: ignore[attr-defined]
    assert returned["退回人"].value == "jfq-wang" and returned["办结人"].value is None  # type: ignore[attr-defined]
    skills = returned["技能和证书"]
    assert skills.value == FORMULA and skills.data_type == "s"  # type: ignore[attr-defined]
    assert skills.quotePrefix  # type: ignore[attr-defined]


def test_masked_ledger_leaves_out_the_birth_day(
    runtime: Runtime, community: StaffChat, street: StaffChat, tmp_path: Path
) -> None:
    _reviewed(runtime, community, street)
    sheet = _ledger(runtime, tmp_path, unmasked=False)
    approved = _records(sheet)[0]
    assert approved["出生日期"].value == "1986-04"  # type: ignore[attr-defined]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if "19860412" in c or "1986-04-12" in c]
    assert approved["身份证号"].value.startswith("3701***")  # type: ignore[attr-defined]
    assert date(1986, 4, 12) not in [c for row in sheet.iter_rows(values_only=True) for c in row]
