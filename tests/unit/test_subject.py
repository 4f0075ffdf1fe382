from __future__ import annotations

import uuid

from contact_intake.subject import inquiry_id_for_key, keyed_digest, normalise_email, subject_key

PEPPER = b"pepper-for-tests"


def test_normalisation_ignores_case_and_surrounding_space() -> None:
    assert normalise_email("  Ann.Smith@Example.ORG ") == "ann.smith@example.org"


def test_subject_key_is_hmac_sha256_hex_of_the_normalised_address() -> None:
    key = subject_key("Ann@Example.org", PEPPER)
    assert key == subject_key("ann@example.org ", PEPPER)
    assert len(key) == 64
    assert int(key, 16) >= 0
    assert "ann" not in key


def test_subject_key_depends_on_the_pepper() -> None:
    assert subject_key("ann@example.org", PEPPER) != subject_key("ann@example.org", b"other")


def test_nfc_and_nfd_forms_give_the_same_key() -> None:
    assert subject_key("jose\u0301@example.org", PEPPER) == subject_key("jos\u00e9@example.org", PEPPER)


def test_inquiry_id_from_key_is_a_stable_uuid() -> None:
    first = inquiry_id_for_key("key-1", PEPPER)
    assert first == inquiry_id_for_key("key-1", PEPPER)
    assert first != inquiry_id_for_key("key-2", PEPPER)
    assert uuid.UUID(first).version == 4


def test_purposes_are_separate_domains() -> None:
    assert keyed_digest(PEPPER, "a", "bc") != keyed_digest(PEPPER, "ab", "c")
