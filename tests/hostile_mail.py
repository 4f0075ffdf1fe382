"""Hostile MIME messages, generated (never committed: the largest are 40 MB): what an attacker can make
SES accept and hand to RightsMailFunction. The tests use sizes that cross the parser's limits; the
``mail_parse`` benchmark uses the sizes SES accepts."""

from __future__ import annotations

HEAD = (
    b"From: Ann Example <ann@example.org>\r\n"
    b"To: privacy@shop.example\r\n"
    b"Subject: Request\r\n"
    b"MIME-Version: 1.0\r\n"
)


def nested_multiparts(depth: int) -> bytes:
    """``depth`` multipart/mixed parts, each the only part of the one around it, a text at the bottom."""
    opening = [
        f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\n'.encode("ascii")
        for level in range(depth)
    ]
    inner = b"Content-Type: text/plain\r\n\r\nPlease delete my data.\r\n"
    closing = [f"--b{level}--\r\n".encode("ascii") for level in reversed(range(depth))]
    return HEAD + b"".join(opening) + inner + b"".join(closing)


def tiny_parts(count: int) -> bytes:
    """One multipart/mixed with ``count`` one-character text parts (10 MB at 250,000 parts)."""
    part = b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n"
    return HEAD + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + part * count + b"--b--\r\n"


def html_parts(count: int, size: int) -> bytes:
    """``count`` text/html parts of ``size`` bytes each (paragraphs of text)."""
    paragraph = b"<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.</p>\r\n"
    body = (paragraph * (size // len(paragraph) + 1))[:size]
    part = b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body + b"\r\n"
    return HEAD + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + part * count + b"--b--\r\n"


def nested_comment_from(depth: int) -> bytes:
    """A From header of ``depth`` nested comments before the address (RFC 5322 comments nest)."""
    header = b"From: " + b"(" * depth + b"x" + b")" * depth + b" ann@example.org\r\n"
    return header + b"To: privacy@shop.example\r\nSubject: Request\r\n\r\nPlease delete my data.\r\n"


def one_text_part(size: int) -> bytes:
    """A single text/plain body of ``size`` bytes (lines of 76 characters)."""
    line = b"Please delete my data. " * 3 + b"abcdefg\r\n"
    body = (line * (size // len(line) + 1))[:size]
    return HEAD + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body


def parts_without_headers(count: int) -> bytes:
    """``count`` parts with no header at all (the parser still makes a message of each)."""
    return (
        HEAD
        + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        + b"--b\r\n\r\nPlease delete my data.\r\n" * count
        + b"--b--\r\n"
    )
