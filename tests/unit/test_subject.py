from __future__ import annotations

import uuid

import pytest

from contact_intake.core.subject import (
    InvalidAddress,
    inquiry_id_for_key,
    keyed_digest,
    legacy_subject_key,
    normalise_email,
    subject_key,
)

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


# ---------------------------------------------------------------- one canonical address (D60)


def test_an_internationalised_domain_becomes_its_a_label() -> None:
    assert normalise_email("Ann@Bücher.Example") == "ann@xn--bcher-kva.example"
    assert normalise_email("ann@xn--bcher-kva.example") == "ann@xn--bcher-kva.example"
    assert normalise_email("ann@XN--BCHER-KVA.example") == "ann@xn--bcher-kva.example"


def test_full_width_and_decomposed_domains_map_to_the_same_a_label() -> None:
    assert normalise_email("ann@\uff42\u00fc\uff43\uff48\uff45\uff52.example") == "ann@xn--bcher-kva.example"
    assert normalise_email("ann@bu\u0308cher\u3002example") == "ann@xn--bcher-kva.example"


def test_the_local_part_is_lower_cased_and_nfc_but_otherwise_kept() -> None:
    assert normalise_email("Jose\u0301.Ä@example.org") == "jos\u00e9.ä@example.org"


def test_normalisation_is_idempotent() -> None:
    once = normalise_email("  ANN@Bücher.Example ")
    assert normalise_email(once) == once


def test_a_domain_that_fails_uts46_is_an_invalid_address_that_quotes_nothing() -> None:
    with pytest.raises(InvalidAddress) as raised:
        normalise_email("ann@xn--zz.example")
    assert "ann" not in str(raised.value)
    with pytest.raises(InvalidAddress):
        subject_key("ann@a\u0661b.example", PEPPER)


def test_the_legacy_key_differs_only_for_internationalised_domains() -> None:
    assert legacy_subject_key("Ann@Example.org", PEPPER) == subject_key("ann@example.org", PEPPER)
    assert legacy_subject_key("ann@bücher.example", PEPPER) != subject_key("ann@bücher.example", PEPPER)
