"""Personal data: encrypted at rest, looked up by keyed hash, masked on screen and in logs."""

from __future__ import annotations

import logging

import pytest

from core.logging_setup import RedactingFilter
from core.people.personal import Vault, mask_id_number, mask_name, mask_phone, redact

ID = "11010519491231002X"
PHONE = "13812345678"


def test_encrypted_value_round_trips_and_hides_the_plain_text() -> None:
    vault = Vault(b"k" * 40)
    sealed = vault.encrypt(ID)
    assert ID not in sealed and vault.decrypt(sealed) == ID
    assert vault.encrypt(ID) != sealed  # fresh nonce each time


def test_another_key_cannot_decrypt() -> None:
    sealed = Vault(b"a" * 40).encrypt(PHONE)
    with pytest.raises(Exception):  # noqa: B017 (cryptography raises InvalidTag)
        Vault(b"b" * 40).decrypt(sealed)


def test_lookup_hash_is_stable_and_keyed() -> None:
    assert Vault(b"a" * 40).lookup_hash(ID) == Vault(b"a" * 40).lookup_hash(ID)
    assert Vault(b"a" * 40).lookup_hash(ID) != Vault(b"b" * 40).lookup_hash(ID)


def test_masks_follow_the_agreed_patterns() -> None:
    assert mask_id_number("370102199001011234") == "3701**********1234"
    assert mask_phone(PHONE) == "138****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("张小明") == "张*明"


@pytest.mark.parametrize(
    "text",
    [
        f"id {ID} here",
        f"id {ID.lower()}",
        "电话 13812345678。",
        "phone +86 138 1234 5678",
        "phone 138-1234-5678",
        "全角 １３８１２３４５６７８",
    ],
)
def test_redact_masks_id_and_phone_shapes(text: str) -> None:
    cleaned = redact(text)
    assert "12345678" not in cleaned.replace(" ", "").replace("-", "")
    assert "19491231002" not in cleaned


def test_redact_leaves_ordinary_numbers_alone() -> None:
    assert redact("订单 2026 年 11 月，岗位 30 人") == "订单 2026 年 11 月，岗位 30 人"


def test_log_lines_never_carry_id_or_phone(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("jobbot.test.pd")
    caplog.handler.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="jobbot.test.pd"):
        logger.info("registered %s with phone %s", ID, PHONE)
        try:
            raise ValueError(f"bad id {ID}")
        except ValueError:
            logger.exception("failed for %s", PHONE)
    assert ID not in caplog.text and PHONE not in caplog.text
    assert "1101**********002X" in caplog.text and "138****5678" in caplog.text
