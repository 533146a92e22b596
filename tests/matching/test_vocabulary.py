"""Content files (occupations, synonyms) and mapping a desired-job text to occupations."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from core.matching import Vocabulary, VocabularyError
from core.matching.synonyms import load_occupations, load_synonyms
from tests.matching.conftest import CONTENT


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "synonyms.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicate_synonym_key_is_rejected_naming_file_and_key(tmp_path: Path) -> None:
    path = write(
        tmp_path, "version: 1\nsynonyms:\n  保安: [门卫]\n  保洁: [清洁工]\n  保安: [看门]\n"
    )
    with pytest.raises(VocabularyError, match=r"synonyms\.yaml.*'保安'"):
        load_synonyms(path)


def test_empty_alias_list_is_rejected_naming_file_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nsynonyms:\n  保安: []\n")
    with pytest.raises(VocabularyError, match=r"synonyms\.yaml.*'保安'"):
        load_synonyms(path)


def test_alias_listed_twice_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nsynonyms:\n  保安: [门卫, 门卫]\n")
    with pytest.raises(VocabularyError, match=r"'保安'.*'门卫'"):
        load_synonyms(path)


def test_missing_synonyms_mapping_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(VocabularyError, match="synonyms"):
        load_synonyms(write(tmp_path, "version: 1\n"))


def test_shipped_synonym_table_is_large_and_valid() -> None:
    groups = load_synonyms(CONTENT / "synonyms.yaml")
    assert len(groups) >= 80
    canon = {g.canonical for g in groups}
    for job in [
        "保安",
        "保洁",
        "家政服务员",
        "养老护理员",
        "厨师",
        "帮厨",
        "网约配送员",
        "快递员",
        "司机",
        "叉车司机",
        "焊工",
        "电工",
        "普工",
        "操作工",
        "仓管员",
        "收银员",
        "营业员",
        "导购",
        "客服",
        "会计",
        "出纳",
        "文员",
        "前台",
        "电话销售",
        "护工",
        "保育员",
        "育婴员",
        "园林绿化工",
        "物业管理员",
        "维修工",
        "水电工",
        "木工",
        "瓦工",
        "油漆工",
        "装卸工",
        "缝纫工",
        "面点师",
        "洗碗工",
        "社区公益性岗位",
    ]:
        assert job in canon, job


def test_occupations_are_level_four_without_markers() -> None:
    occupations = load_occupations(CONTENT / "occupations.csv")
    assert len(occupations) == 1634
    by_code = {o.code: o for o in occupations}
    assert by_code["4-09-08-01"].name == "保洁员"
    assert "月嫂" in by_code["4-10-01-06"].aliases
    assert not any(o.name.endswith(("L", "S")) for o in occupations)


def test_occupations_csv_has_the_agreed_columns() -> None:
    with (CONTENT / "occupations.csv").open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == ["code", "name", "aliases"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("月嫂", "4-10-01-06"),
        ("送外卖", "4-10-08-01"),
        ("开叉车", "6-30-05-01"),
        ("baoan", "4-07-05-01"),
        ("汗工", "6-18-02-04"),
        ("保潔員", "4-09-08-01"),
        ("门卫", "4-07-05-01"),
        ("想找个保安的工作", "4-07-05-01"),
    ],
)
def test_desired_job_text_maps_to_occupation(vocabulary: Vocabulary, text: str, code: str) -> None:
    matches = vocabulary.match_occupations(text)
    assert matches and matches[0].code == code


def test_unknown_job_text_maps_to_nothing(vocabulary: Vocabulary) -> None:
    assert vocabulary.match_occupations("xyzzy") == []


def test_match_occupations_respects_limit(vocabulary: Vocabulary) -> None:
    assert len(vocabulary.match_occupations("护工", limit=1)) == 1
