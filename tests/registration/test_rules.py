"""content/registration.yaml is checked at load; a bad value names the file, line and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.content.loader import load_content
from core.content.yamlfile import ContentError
from core.registration.rules import Kind, load_rules, rules_for
from core.settings import PROJECT_ROOT

CONTENT = PROJECT_ROOT / "content"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def _edit(content: Path, old: str, new: str) -> Path:
    path = content / "registration.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_shipped_rules_load_with_every_label() -> None:
    rules = rules_for(load_content(CONTENT))
    assert rules.kind(Kind.UNEMPLOYED).review_levels == 2
    assert rules.kind(Kind.UNEMPLOYED).accept_days + rules.kind(Kind.UNEMPLOYED).review_days == 3
    assert rules.education[0] == "10" and "layoff" in rules.unemployment_reasons


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("review_levels: 2", "review_levels: 3", "kinds.job_seeker.review_levels"),
        ("{accept: 1,", "{accept: 0,", "kinds.unemployed.time_limits.accept"),
        ('"1965-01"', '"1965-13"', "pension_age.male.first_birth"),
        ("employment_forms: [unit,", "employment_forms: [factory, unit,", "employment_forms"),
        ("text: registration.pledge.text", "text: registration.pledge.nope", "pledge.text"),
    ],
)
def test_bad_values_are_named(copy: Path, old: str, new: str, key: str) -> None:
    path = _edit(copy, old, new)
    content = load_content(copy)
    with pytest.raises(ContentError) as caught:
        load_rules(path, content.catalog)
    assert caught.value.key == key and "registration.yaml" in str(caught.value)
    assert caught.value.line is not None
