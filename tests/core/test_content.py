"""Content is validated at start-up; a bad file names the file, the line and the key."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from core.content.catalog import Catalog
from core.content.loader import load_content
from core.content.yamlfile import ContentError
from core.dialog.messages import Text, t
from core.settings import PROJECT_ROOT

CONTENT = PROJECT_ROOT / "content"


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def test_shipped_content_loads() -> None:
    content = load_content(CONTENT)
    assert content.catalog.has("menu.title")
    assert len([a for a in content.areas.areas.values() if a.level == "city"]) == 16
    assert content.areas.get("370102000000").name == "历下区"  # type: ignore[union-attr]
    assert content.notices and content.services


def test_area_tree_has_streets_and_communities_for_two_districts() -> None:
    areas = load_content(CONTENT).areas
    districts = [
        a
        for a in areas.areas.values()
        if a.level == "county" and any(areas.children(s.code) for s in areas.children(a.code))
    ]
    assert len(districts) >= 2


def test_every_text_id_used_in_code_exists() -> None:
    catalog = load_content(CONTENT).catalog
    pattern = re.compile(r"""\bt\(\s*f?["']([a-z_][a-z0-9_.]*)["']""")
    missing = set()
    for path in [
        *PROJECT_ROOT.joinpath("core").rglob("*.py"),
        *PROJECT_ROOT.joinpath("bots").rglob("*.py"),
    ]:
        for text_id in pattern.findall(path.read_text(encoding="utf-8")):
            if not text_id.endswith(".") and not catalog.has(text_id):
                missing.add(f"{path.name}: {text_id}")
    assert missing == set()


def test_missing_english_text_is_named(content_copy: Path) -> None:
    en = content_copy / "messages" / "en.yaml"
    en.write_text(
        en.read_text(encoding="utf-8").replace("  cancelled:", "  cancelled_x:"), encoding="utf-8"
    )
    with pytest.raises(ContentError) as failure:
        Catalog.load(content_copy / "messages")
    assert "system.cancelled" in str(failure.value)


def test_placeholder_mismatch_is_named_with_line(content_copy: Path) -> None:
    en = content_copy / "messages" / "en.yaml"
    text = en.read_text(encoding="utf-8").replace("(page {page})", "(page {pages})")
    en.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as failure:
        Catalog.load(content_copy / "messages")
    assert failure.value.key == "notices.list" and failure.value.line is not None
    assert "en.yaml" in str(failure.value)


def test_yaml_syntax_error_names_file_and_line(content_copy: Path) -> None:
    path = content_copy / "worktime.yaml"
    path.write_text("hours:\n  - '09:00-12:00\n  bad: [\n", encoding="utf-8")
    with pytest.raises(ContentError) as failure:
        load_content(content_copy)
    assert "worktime.yaml" in str(failure.value) and failure.value.line


def test_duplicate_key_is_refused(content_copy: Path) -> None:
    path = content_copy / "messages" / "zh-CN.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "\ncommon:\n  next_page: 下页\n", encoding="utf-8"
    )
    with pytest.raises(ContentError, match="duplicate key"):
        Catalog.load(content_copy / "messages")


def test_area_outside_its_parent_is_refused(content_copy: Path) -> None:
    path = content_copy / "areas.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('"370102001002"', '"370202001002"', 1),
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match="not inside its parent"):
        load_content(content_copy)


def test_bad_working_hours_are_refused(content_copy: Path) -> None:
    (content_copy / "worktime.yaml").write_text("hours: ['17:00-09:00']\n", encoding="utf-8")
    with pytest.raises(ContentError, match="ends before it starts"):
        load_content(content_copy)


def test_area_names_are_found_in_text() -> None:
    areas = load_content(CONTENT).areas
    codes, rest = areas.find_in_text("历下区 保安")
    assert codes == ["370102000000"] and rest == "保安"
    assert areas.contains("370100000000", "370102001002")
    assert not areas.contains("370200000000", "370102001002")


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("山东省济南市历下区解放路街道历山路82号", "370102001000"),
        ("山东省 济南市 历下区 解放路街道 解放桥社区", "370102001002"),
        ("济南市历下区解放路", "370102000000"),  # a road, not the street office
        ("历下区千佛山街道", "370102002000"),  # no city: the county's name is unique
        ("山东省济南市", "370100000000"),
        ("市中区", None),  # 济南 and 枣庄 both have one
        ("北京市东城区", None),
        ("", None),
    ],
)
def test_the_area_an_address_belongs_to(address: str, code: str | None) -> None:
    found = load_content(CONTENT).areas.from_address(address)
    assert (found.code if found else None) == code


def test_texts_without_parameters_render_the_same_every_time() -> None:
    from core.dialog.messages import t

    catalog = Catalog(
        {"zh-CN": {"a": "{{x}} 甲", "b": "{n} 乙"}, "en": {"a": "{{x}} A", "b": "{n} B"}}
    )
    for _ in range(2):
        assert catalog.text(t("a"), "zh-CN") == "{x} 甲"
        assert catalog.text(t("a"), "en") == "{x} A"
        assert catalog.text(t("b", n=1), "en") == "1 B"
        assert catalog.text(t("b", n=2), "en") == "2 B"


def test_area_names_in_text_are_found_longest_first() -> None:
    """find_in_text looks only at names that can be there; it finds what a full scan finds."""
    from core.content.areas import AreaTree

    tree = AreaTree.load(PROJECT_ROOT / "content" / "areas.yaml")
    names = sorted((n for n in tree.names() if len(n) >= 2), key=len, reverse=True)

    def scan(text: str) -> tuple[list[str], str]:
        found: list[str] = []
        rest = text
        for name in names:
            if name in rest:
                found.extend(c for c in (a.code for a in tree.by_name(name)) if c not in found)
                rest = rest.replace(name, " ")
        return found, " ".join(rest.split())

    sentences = ["保安 历下", "济南市历下区解放路街道历山路社区 保洁", "市中区司机", "青岛黄岛电工"]
    sentences += [f"{a} 焊工 {b}" for a, b in zip(names[::7], names[3::11], strict=False)]
    for text in sentences:
        assert tree.find_in_text(text) == scan(text), text


def test_option_labels_with_parameters_are_rendered_once_per_line() -> None:
    """Every resident shown the same job list gets the same lines without formatting again;
    labels that differ in any parameter (or in a parameter's type) stay apart."""
    formatted: list[str] = []

    class Counting(Catalog):
        def _format(self, item: Text, lang: str) -> str:
            formatted.append(item.id)
            return super()._format(item, lang)

    catalog = Counting.load(PROJECT_ROOT / "content" / "messages")
    salary = t("jobs.salary.range", low=3600, high=4000)
    line = t("jobs.item", title="保安（夜班）", employer="某物业", area="槐荫区", salary=salary)
    first = catalog.label(line, "zh-CN")
    again = catalog.label(t(line.id, **line.params), "zh-CN")
    other = catalog.label(t(line.id, **{**line.params, "area": "历下区"}), "zh-CN")
    assert first == again and "槐荫区" in first and "历下区" in other
    assert formatted.count("jobs.item") == 2  # the first line and the other area, not again
    flag = t("jobs.headcount", n=True)
    assert catalog.label(flag, "zh-CN") != catalog.label(t("jobs.headcount", n=1), "zh-CN")
