"""求职登记 by chat: notice first, every question validated, summary, edits, submit."""

from __future__ import annotations

from sqlmodel import select

from core.dialog.plaintext import render_reply
from core.registration import drafts
from core.registration.drafts import Draft
from core.registration.models import Registration, RegistrationDraft
from core.runtime import Runtime
from core.storage.models import Conversation
from tests.registration.conftest import (
    PHONE,
    WELDER,
    fill_identity,
    job_seeker_summary,
    latest,
)
from tests.registration.helpers import COMMUNITY, id_number
from tests.talk import Talk

NUMBER = id_number()


def _shown(talk: Talk) -> str:
    assert talk.last is not None
    return "\n".join(render_reply(talk.runtime.content.catalog, talk.last))


def _draft(runtime: Runtime, talk: Talk) -> Draft:
    with runtime.db.transaction() as session:
        found = drafts.load(session, runtime.vault, talk.channel, talk.user)
    assert found is not None
    return found


def test_registration_starts_with_the_privacy_notice_and_its_version(resident: Talk) -> None:
    resident.send("登记")
    resident.send(choice="r:k:job_seeker")
    assert resident.ids() == ["registration.privacy.frame"]
    assert "2025.2" in _shown(resident)
    assert resident.options() == ["r:pv:y", "r:pv:n"]


def test_declining_the_notice_ends_politely_and_stores_nothing(
    runtime: Runtime, resident: Talk
) -> None:
    resident.send("登记")
    resident.send(choice="r:k:job_seeker")
    resident.send("不同意")
    assert resident.ids() == ["registration.privacy.declined", "menu.title"]
    with runtime.db.transaction() as session:
        assert session.exec(select(RegistrationDraft)).all() == []
        assert session.exec(select(Registration)).all() == []


def test_going_back_to_the_notice_and_declining_deletes_the_draft(
    runtime: Runtime, resident: Talk
) -> None:
    resident.send("登记")
    resident.send(choice="r:k:job_seeker")
    resident.send(choice="r:pv:y")
    resident.send("张小明")
    resident.send("返回")
    resident.send("返回")
    assert resident.ids() == ["registration.privacy.frame"]
    resident.send(choice="r:pv:n")
    with runtime.db.transaction() as session:
        assert session.exec(select(RegistrationDraft)).all() == []


def test_summary_masks_id_and_phone_and_submit_registers(runtime: Runtime, resident: Talk) -> None:
    job_seeker_summary(resident, NUMBER)
    shown = _shown(resident)
    assert "3701**********" + NUMBER[-4:] in shown and "138****5678" in shown
    assert NUMBER not in shown and PHONE not in shown and "张小明" not in shown
    assert f"焊工({WELDER})" in shown
    resident.send(choice="r:submit")
    assert resident.ids() == ["registration.notice.submitted", "menu.title"]
    reg = latest(runtime)
    assert (reg.kind, reg.status, reg.area_code) == ("job_seeker", "submitted", COMMUNITY)
    assert reg.privacy_version == "2025.2" and reg.privacy_accepted_at is not None
    assert reg.details["jobs"] == [{"said": "电焊", "code": WELDER, "name": "焊工"}]
    assert NUMBER not in reg.id_number_enc and runtime.vault.decrypt(reg.id_number_enc) == NUMBER


def test_every_invalid_answer_reasks_the_same_question_and_keeps_the_rest(
    runtime: Runtime, resident: Talk
) -> None:
    resident.send("登记")
    resident.send(choice="r:k:job_seeker")
    resident.send(choice="r:pv:y")
    for bad, error in (("张", "name_short"), ("张3", "name_characters")):
        resident.send(bad)
        assert resident.ids() == [f"registration.error.{error}", "registration.ask.name"]
    resident.send("张小明")
    for bad, error in (
        ("37010219900307", "id_length"),
        ("37010219900307123A", "id_characters"),
        ("370102199002301230", "id_birth_date"),
        (NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1"), "id_check_digit"),
        ("370102900307123", "id_old_format"),
        (id_number("20150101"), "id_too_young"),
    ):
        resident.send(bad)
        assert resident.ids() == [f"registration.error.{error}", "registration.ask.id_number"]
    resident.send(NUMBER.lower())
    for bad, error in (("1381234", "phone_length"), ("12812345678", "phone_prefix")):
        resident.send(bad)
        assert resident.ids() == [f"registration.error.{error}", "registration.ask.phone"]
    resident.send("+86 １３８ １２３４ ５６７８")
    assert resident.ids() == ["registration.ask.area"]
    draft = _draft(runtime, resident)
    assert draft.answers.personal.name == "张小明" and draft.answers.personal.id_number == NUMBER
    assert draft.answers.personal.phone == PHONE


def test_invalid_profile_answers_reask_and_keep_the_rest(runtime: Runtime, resident: Talk) -> None:
    fill_identity(resident, "job_seeker", NUMBER)
    resident.send("博士后")
    assert resident.ids() == ["registration.error.pick_one", "registration.ask.education"]
    resident.send(choice="r:edu:20")
    resident.send(choice="r:st:unemployed")
    resident.send("电" * 201)
    assert resident.ids() == ["registration.error.text_long", "registration.ask.skills"]
    resident.send("电工证")
    resident.send("电焊")
    resident.send(choice=f"r:j:{WELDER}")
    resident.send(choice="r:j:done")
    resident.send("火星基地")
    assert resident.ids() == ["registration.area.no_match", "registration.ask.desired_area"]
    resident.send(choice="r:a:any")
    for bad, error in (("很多钱", "salary_format"), ("5000-3000", "salary_order")):
        resident.send(bad)
        assert resident.ids() == [f"registration.error.{error}", "registration.ask.salary"]
    resident.send("3000")
    resident.send("也许吧")
    assert resident.ids() == ["registration.error.yes_or_no", "registration.ask.training"]
    resident.send("是")
    assert resident.ids() == ["registration.summary.title"]
    answers = _draft(runtime, resident).answers
    assert (answers.education, answers.skills, answers.salary_low) == ("20", "电工证", 3000)


def test_changing_a_field_by_number_comes_back_to_the_summary(
    runtime: Runtime, resident: Talk
) -> None:
    job_seeker_summary(resident, NUMBER)
    position = resident.options().index("r:e:phone") + 1
    resident.send(str(position))
    assert resident.ids() == ["registration.ask.phone"]
    resident.send("13900001111")
    assert resident.ids() == ["registration.summary.title"]
    assert "139****1111" in _shown(resident)
    assert _draft(runtime, resident).answers.personal.name == "张小明"


def test_changing_the_area_walks_levels_and_comes_back_to_the_summary(resident: Talk) -> None:
    job_seeker_summary(resident, NUMBER)
    resident.send(choice="r:e:area")
    resident.send(choice="r:a:370100000000")
    assert resident.ids() == ["registration.area.pick_in"]
    resident.send(choice="r:a:370102000000")
    resident.send(choice="r:a:370102002000")
    resident.send(choice="r:a:370102002002")
    assert resident.ids() == ["registration.summary.title"]
    assert "佛山苑社区" in _shown(resident)


def test_back_returns_to_the_previous_question(resident: Talk) -> None:
    fill_identity(resident, "job_seeker", NUMBER)
    resident.send("返回")
    assert resident.ids() == ["registration.ask.area"]
    resident.send("返回")
    assert resident.ids() == ["registration.ask.phone"]


def test_a_typed_area_name_is_confirmed_before_it_is_used(resident: Talk) -> None:
    resident.send("登记")
    resident.send(choice="r:k:job_seeker")
    resident.send(choice="r:pv:y")
    resident.send("张小明")
    resident.send(NUMBER)
    resident.send(PHONE)
    resident.send("我住在历下区解放路街道")
    assert resident.ids() == ["registration.area.candidates"]
    assert resident.options()[0] == "r:a:370102001000"
    resident.send("1")
    assert resident.ids() == ["registration.area.pick_in"]
    assert f"r:a:{COMMUNITY}" in resident.options()


def test_qr_code_community_is_offered_first(resident: Talk) -> None:
    resident.send(event="subscribe", scene=COMMUNITY)
    resident.send("登记")
    resident.send(choice="r:k:job_seeker")
    resident.send(choice="r:pv:y")
    resident.send("张小明")
    resident.send(NUMBER)
    resident.send(PHONE)
    assert resident.ids() == ["registration.area.scene"]
    resident.send("1")
    assert resident.ids() == ["registration.ask.education"]


def test_unmatched_job_words_can_be_kept_as_said(runtime: Runtime, resident: Talk) -> None:
    fill_identity(resident, "job_seeker", NUMBER)
    resident.send(choice="r:edu:70")
    resident.send(choice="r:st:flexible")
    resident.send(choice="r:skip")
    resident.send("qwxz")
    assert resident.ids() == ["registration.jobs.no_match"]
    resident.send(choice="r:j:keep")
    assert resident.ids() == ["registration.jobs.more"]
    resident.send("月嫂")
    resident.send("1")
    resident.send(choice="r:j:done")
    jobs = _draft(runtime, resident).answers.jobs
    assert [j.said for j in jobs] == ["qwxz", "月嫂"] and jobs[0].code is None
    assert jobs[1].code == "4-10-01-06"


def test_typing_the_kind_at_the_menu_starts_that_registration(resident: Talk) -> None:
    resident.send("失业登记")
    assert resident.ids() == ["registration.privacy.frame"]
    assert resident.last is not None
    resident.send(choice="r:pv:y")
    resident.send("张小明")
    resident.send(id_number("19640101", seq="121"))
    assert resident.ids() == ["registration.error.id_pension_age", "registration.ask.id_number"]


def test_english_resident_registers_in_english(runtime: Runtime) -> None:
    talk = Talk(runtime, user="ann", lang="en")
    talk.send("register")
    assert "Job-seeker registration" in _shown(talk)
    talk.send("job seeker")
    assert "How we handle your personal information" in _shown(talk)
    talk.send("yes")
    assert talk.ids() == ["registration.ask.name"]


def test_options_accept_the_words_people_type(runtime: Runtime, resident: Talk) -> None:
    fill_identity(resident, "job_seeker", NUMBER)
    resident.send("高中")  # 普通高中: the only option containing these words
    assert resident.ids() == ["registration.ask.status"]
    resident.send("失业")
    resident.send("跳过")  # the skip option's words, not a skill called 跳过
    assert resident.ids() == ["registration.ask.jobs"]
    answers = _draft(runtime, resident).answers
    assert (answers.education, answers.status, answers.skills) == ("60", "unemployed", "")


def test_a_word_several_options_contain_is_asked_again(resident: Talk) -> None:
    fill_identity(resident, "job_seeker", NUMBER)
    resident.send("大学")  # 大学本科 and 大学专科
    assert resident.ids() == ["registration.error.pick_one", "registration.ask.education"]
    resident.send("中专")  # the part in brackets of 中等专业学校（中专）
    assert resident.ids() == ["registration.ask.status"]


def test_typing_the_same_job_words_again_keeps_them_as_said(
    runtime: Runtime, resident: Talk
) -> None:
    fill_identity(resident, "job_seeker", NUMBER)
    resident.send(choice="r:edu:20")
    resident.send(choice="r:st:unemployed")
    resident.send(choice="r:skip")
    resident.send("电焊工")
    assert resident.ids() == ["registration.jobs.confirm"]
    resident.send("电焊工")
    assert resident.ids() == ["registration.jobs.more"]
    resident.send(choice="r:j:done")
    jobs = _draft(runtime, resident).answers.jobs
    assert [(j.said, j.code) for j in jobs] == [("电焊工", None)]


def test_full_width_punctuation_in_answers_is_kept_as_typed(
    runtime: Runtime, resident: Talk
) -> None:
    fill_identity(resident, "job_seeker", NUMBER)
    resident.send(choice="r:edu:20")
    resident.send(choice="r:st:unemployed")
    resident.send("电工证（中级），会开叉车！")
    assert _draft(runtime, resident).answers.skills == "电工证（中级），会开叉车！"


def test_each_privacy_notice_lists_only_what_its_kind_asks(resident: Talk) -> None:
    resident.send("登记")
    resident.send(choice="r:k:employed")
    notice = _shown(resident)
    assert "就业登记" in notice and "用人单位" in notice and "从事工作" in notice
    assert "文化程度" not in notice and "求职意向" not in notice and "失业日期" not in notice
    resident.send(choice="r:pv:n")
    resident.send("失业登记")
    assert "失业日期" in _shown(resident) and "用人单位" not in _shown(resident)


def test_help_and_cancel_agree_that_cancel_keeps_the_answers(resident: Talk) -> None:
    fill_identity(resident, "job_seeker", NUMBER)
    resident.send("帮助")
    shown = _shown(resident)
    assert "保存" in shown and "结束" not in shown
    resident.send("取消")
    assert resident.ids() == ["registration.paused", "menu.title"]
    newcomer = Talk(resident.runtime, user="newcomer")
    newcomer.send("失业登记")
    newcomer.send("取消")  # at the notice nothing was kept, so nothing is promised
    assert newcomer.ids()[0] == "system.cancelled"


def _at_the_name_question(resident: Talk) -> None:
    resident.send("登记")
    resident.send(choice="r:k:job_seeker")
    resident.send(choice="r:pv:y")
    assert resident.ids() == ["registration.ask.name"]


def test_a_request_typed_as_a_name_is_questioned_and_not_kept(
    runtime: Runtime, resident: Talk
) -> None:
    _at_the_name_question(resident)
    for typed in ("我要找工作", "不知道", "你好", "怎么填", "有没有活"):
        resident.send(typed)
        assert resident.ids() == ["registration.name_doubt", "registration.ask.name"], typed
    resident.send("张小明")
    assert resident.ids() == ["registration.ask.id_number"]
    assert _draft(runtime, resident).answers.personal.name == "张小明"


def test_an_unusual_name_sent_twice_is_taken_and_only_its_hash_waits_in_between(
    runtime: Runtime, resident: Talk
) -> None:
    _at_the_name_question(resident)
    resident.send("热依拉")
    assert resident.ids() == ["registration.name_doubt", "registration.ask.name"]
    with runtime.db.reading() as session:
        state = str(session.exec(select(Conversation.data)).all())
    assert "热依拉" not in state
    resident.send("热依拉")
    assert resident.ids() == ["registration.ask.id_number"]
    assert _draft(runtime, resident).answers.personal.name == "热依拉"
