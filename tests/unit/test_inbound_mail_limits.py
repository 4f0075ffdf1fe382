"""Hostile MIME (contact_intake.rights.inbound.limits, D55): every message past a limit is read from
its headers only and comes back marked ``too_complex`` with the limit's name, never as an exception.
Sizes here cross the limits and stay small; the sizes SES accepts are in ``make bench`` (mail_parse)."""

from __future__ import annotations

import pytest

from contact_intake.rights.inbound import limits
from contact_intake.rights.inbound.classify import classify_mail
from contact_intake.rights.inbound.limits import (
    MAX_COMMENT_DEPTH,
    MAX_CONTAINERS,
    MAX_DECODED_CHARS,
    MAX_DEPTH,
    MAX_HEADER_CHARS,
    MAX_HEADER_FIELDS,
    MAX_LINE_BREAKS,
    MAX_PARTS,
)
from contact_intake.rights.inbound.parse import parse_mail
from tests import hostile_mail as hostile

SENDER = "ann@example.org"


def assert_marked(raw: bytes, limit: str) -> None:
    mail = parse_mail(raw)
    assert mail.too_complex == limit
    assert mail.sender == SENDER  # still acknowledged: the DPO's request has an address
    assert (mail.text, mail.body_kind) == ("", "none")
    assert mail.subject == "Request"


def test_a_message_nested_1000_deep_is_marked_not_raised() -> None:
    assert_marked(hostile.nested_multiparts(1_000), "containers")


def test_containers_beyond_the_limit_are_counted_before_the_parser_recurses() -> None:
    assert_marked(hostile.nested_multiparts(MAX_CONTAINERS + 1), "containers")


def test_folded_and_bare_cr_content_types_still_count_as_containers() -> None:
    folded = hostile.nested_multiparts(MAX_CONTAINERS + 1).replace(
        b"Content-Type: multipart/mixed", b"CONTENT-TYPE:\r\n\tmultipart/mixed"
    )
    assert_marked(folded, "containers")
    bare_cr = hostile.nested_multiparts(MAX_CONTAINERS + 1).replace(b"\r\n", b"\r")
    assert parse_mail(bare_cr).too_complex == "containers"


def test_nesting_within_the_container_limit_but_past_the_walk_depth_is_marked() -> None:
    assert_marked(hostile.nested_multiparts(MAX_DEPTH + 3), "depth")


def test_nesting_within_the_walk_depth_is_read() -> None:
    mail = parse_mail(hostile.nested_multiparts(MAX_DEPTH - 1))
    assert mail.too_complex is None
    assert mail.text == "Please delete my data."


def test_more_parts_than_the_limit_stop_the_parser() -> None:
    assert_marked(hostile.parts_without_headers(MAX_PARTS + 1), "parts")


def test_parts_within_the_limit_are_read() -> None:
    mail = parse_mail(hostile.parts_without_headers(3))
    assert mail.too_complex is None
    assert mail.text.count("Please delete my data.") == 3


def test_250_000_tiny_parts_are_marked() -> None:
    assert_marked(hostile.tiny_parts(250_000), "lines")


def test_too_many_line_breaks_are_marked_before_parsing() -> None:
    lines = MAX_LINE_BREAKS // 2 + 1  # CRLF: two breaks a line
    raw = hostile.HEAD + b"Content-Type: text/plain\r\n\r\n" + b"x\r\n" * lines
    assert_marked(raw, "lines")


def test_too_many_header_fields_are_marked_before_parsing() -> None:
    fields = b"".join(b"X-Relay-%d: y\r\n" % n for n in range(MAX_HEADER_FIELDS + 1))
    raw = hostile.HEAD + fields + b"Content-Type: text/plain\r\n\r\nPlease delete my data.\r\n"
    assert_marked(raw, "header")


def test_a_from_of_5000_nested_comments_is_marked_and_its_address_still_read() -> None:
    assert_marked(hostile.nested_comment_from(5_000), "header")


def test_a_from_with_comments_deeper_than_the_limit_is_marked() -> None:
    assert_marked(hostile.nested_comment_from(MAX_COMMENT_DEPTH + 1), "header")


def test_a_from_with_a_few_comments_is_read_as_before() -> None:
    mail = parse_mail(hostile.nested_comment_from(2))
    assert (mail.too_complex, mail.sender, mail.text) == (None, SENDER, "Please delete my data.")


def test_a_comment_inside_a_quoted_display_name_is_not_a_comment() -> None:
    raw = b'From: "Ann (((((((((((((( Example" <ann@example.org>\r\nSubject: Request\r\n\r\nHello\r\n'
    mail = parse_mail(raw)
    assert (mail.too_complex, mail.sender) == (None, SENDER)


def test_a_header_longer_than_the_limit_is_marked() -> None:
    raw = hostile.HEAD.replace(b"Subject: Request", b"Subject: Request " + b"x" * MAX_HEADER_CHARS)
    mail = parse_mail(raw + b"Content-Type: text/plain\r\n\r\nPlease delete my data.\r\n")
    assert (mail.too_complex, mail.sender, mail.text) == ("header", SENDER, "")
    assert len(mail.subject) <= MAX_HEADER_CHARS


def test_text_beyond_the_decoded_limit_is_marked() -> None:
    assert_marked(hostile.one_text_part(MAX_DECODED_CHARS + 1), "text")
    assert_marked(hostile.html_parts(2, MAX_DECODED_CHARS // 2 + 1), "text")


def test_text_within_the_decoded_limit_is_read() -> None:
    mail = parse_mail(hostile.one_text_part(10_000))
    assert mail.too_complex is None
    assert mail.body_kind == "plain"


def test_a_message_larger_than_ses_stores_is_read_from_its_headers_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_RAW_BYTES", 10_000)  # the check, not 41 MB of test data
    assert_marked(hostile.one_text_part(10_001), "size")


def test_a_marked_mail_is_never_classified_from_a_fragment() -> None:
    mail = parse_mail(hostile.nested_comment_from(5_000))
    assert classify_mail(mail).right == "unclassified"


@pytest.mark.parametrize(
    "raw",
    [
        hostile.nested_multiparts(1_000),
        hostile.nested_comment_from(5_000),
        hostile.tiny_parts(5_000),
        b"\xff\xfe" * 1_000,
        b"From: " + b"(" * 100_000 + b"\r\n\r\n",
        b"Content-Type: multipart/mixed; boundary=" + b"=" * 5_000 + b"\r\n\r\n",
        b"",
    ],
    ids=["nested", "comments", "parts", "binary", "unclosed-comment", "long-boundary", "empty"],
)
def test_hostile_input_never_raises(raw: bytes) -> None:
    mail = parse_mail(raw)
    assert mail.too_complex in {None, *limits.LIMITS}
