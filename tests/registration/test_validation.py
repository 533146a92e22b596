"""The rules behind each answer: GB 11643 ID numbers, mobiles, dates, pay and pension age."""

from __future__ import annotations

from datetime import date

import pytest

from core.content.loader import load_content
from core.registration.idcard import IdProblem, InvalidIdNumber, Sex, parse_id_number
from core.registration.pension import pension_date
from core.registration.rules import RegistrationRules, rules_for
from core.registration.validation import (
    Invalid,
    parse_date,
    parse_end_date,
    parse_id,
    parse_name,
    parse_past_date,
    parse_phone,
    parse_salary,
)
from core.settings import PROJECT_ROOT
from tests.registration.helpers import id_number

TODAY = date(2025, 6, 1)


@pytest.fixture(scope="module")
def rules() -> RegistrationRules:
    return rules_for(load_content(PROJECT_ROOT / "content"))


def test_textbook_id_number_with_x_is_valid() -> None:
    number = parse_id_number("11010519491231002X", TODAY)
    assert number.birth_date == date(1949, 12, 31) and number.sex is Sex.FEMALE


def test_lower_case_x_full_width_digits_and_spaces_are_normalised() -> None:
    raw = "１１０１０５ 1949-1231 002x"
    assert parse_id_number(raw, TODAY).value == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("110105491231002", IdProblem.OLD_FORMAT),
        ("11010519491231002", IdProblem.LENGTH),
        ("11010519491231002XX", IdProblem.LENGTH),
        ("1101051949123100AX", IdProblem.CHARACTERS),
        ("X10105194912310021", IdProblem.CHARACTERS),
        ("110105194902300021", IdProblem.BIRTH_DATE),
        ("110105194913010021", IdProblem.BIRTH_DATE),
        ("110105203001010021", IdProblem.FUTURE_BIRTH),
        ("110105194912310021", IdProblem.CHECK_DIGIT),
    ],
)
def test_each_broken_rule_is_named(raw: str, problem: IdProblem) -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(raw, TODAY)
    assert caught.value.problem is problem


def test_retired_region_code_is_accepted() -> None:
    # 370101 (济南市市辖区) is not in stdnum's table, but the number itself is valid.
    assert parse_id_number(id_number("19900101", region="370101"), TODAY).value[:6] == "370101"


def test_unknown_province_is_only_a_warning() -> None:
    number = parse_id_number(id_number("19900101", region="990101"), TODAY)
    assert not number.known_province


def test_under_sixteen_is_refused(rules: RegistrationRules) -> None:
    with pytest.raises(Invalid) as caught:
        parse_id(id_number("20100101"), TODAY, rules, check_pension=False)
    assert caught.value.problem == "id_too_young" and caught.value.params == {"age": 16}


def test_man_past_pension_age_is_refused_for_unemployment(rules: RegistrationRules) -> None:
    old_man = id_number("19640101", seq="121")
    with pytest.raises(Invalid) as caught:
        parse_id(old_man, TODAY, rules, check_pension=True)
    assert caught.value.problem == "id_pension_age"
    assert parse_id(old_man, TODAY, rules, check_pension=False).sex is Sex.MALE


def test_man_born_1965_retires_one_month_later(rules: RegistrationRules) -> None:
    track = rules.pension["male"]
    assert pension_date(track, date(1964, 12, 15)) == date(2024, 12, 15)
    assert pension_date(track, date(1965, 1, 15)) == date(2025, 2, 15)
    assert pension_date(track, date(1965, 5, 15)) == date(2025, 7, 15)
    assert pension_date(track, date(1976, 9, 1)) == date(2039, 9, 1)
    assert pension_date(track, date(1990, 1, 31)) == date(2053, 1, 31)


def test_woman_on_the_55_track(rules: RegistrationRules) -> None:
    track = rules.pension["female"]
    assert pension_date(track, date(1969, 12, 1)) == date(2024, 12, 1)
    assert pension_date(track, date(1970, 1, 31)) == date(2025, 2, 28)
    assert pension_date(track, date(1981, 9, 1)) == date(2039, 9, 1)


def test_woman_just_below_pension_age_may_register(rules: RegistrationRules) -> None:
    woman = id_number("19700301", seq="122")  # 55 years + 1 month: 2025-04-01
    with pytest.raises(Invalid):
        parse_id(woman, date(2025, 4, 2), rules, check_pension=True)
    assert parse_id(woman, date(2025, 3, 31), rules, check_pension=True)


@pytest.mark.parametrize(
    "raw", ["13812345678", "+86 138 1234 5678", "0086-13812345678", "１３８１２３４５６７８"]
)
def test_mobile_numbers_are_normalised(raw: str) -> None:
    assert parse_phone(raw) == "13812345678"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("1381234567", "phone_length"),
        ("138123456789", "phone_length"),
        ("12812345678", "phone_prefix"),
        ("0531-8888888", "phone_prefix"),  # a landline
        ("138abc45678", "phone_characters"),
    ],
)
def test_bad_mobile_numbers_name_the_rule(raw: str, problem: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_phone(raw)
    assert caught.value.problem == problem


@pytest.mark.parametrize(
    ("raw", "problem"), [("张", "name_short"), ("张3", "name_characters"), ("张" * 31, "name_long")]
)
def test_bad_names_name_the_rule(raw: str, problem: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_name(raw)
    assert caught.value.problem == problem


def test_names_with_middle_dot_are_accepted() -> None:
    assert parse_name(" 买买提·艾力 ") == "买买提·艾力"


@pytest.mark.parametrize(
    "raw", ["2025-03-01", "2025/3/1", "2025年3月1日", "20250301", "２０２５.３.１"]
)
def test_dates_in_common_forms(raw: str) -> None:
    assert parse_date(raw) == date(2025, 3, 1)


def test_dates_must_be_real_and_not_in_the_future() -> None:
    for raw, problem in (("2025-02-30", "date_not_real"), ("last week", "date_format")):
        with pytest.raises(Invalid) as caught:
            parse_date(raw)
        assert caught.value.problem == problem
    with pytest.raises(Invalid) as future:
        parse_past_date("2025-06-02", TODAY)
    assert future.value.problem == "date_future"


def test_end_must_be_after_start() -> None:
    with pytest.raises(Invalid) as caught:
        parse_end_date("2025-03-01", date(2025, 3, 1))
    assert caught.value.problem == "date_end_before_start"
    assert parse_end_date("2025-03-02", date(2025, 3, 1)) == date(2025, 3, 2)


@pytest.mark.parametrize(
    ("raw", "low", "high"),
    [("3000", 3000, 3000), ("3000-5000", 3000, 5000), ("3千到5千", 3000, 5000), ("4k", 4000, 4000)],
)
def test_salary_forms(raw: str, low: int, high: int) -> None:
    salary = parse_salary(raw, 100_000)
    assert (salary.low, salary.high) == (low, high)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [("很多", "salary_format"), ("5000-3000", "salary_order"), ("9999999", "salary_range")],
)
def test_bad_salary_names_the_rule(raw: str, problem: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_salary(raw, 100_000)
    assert caught.value.problem == problem
