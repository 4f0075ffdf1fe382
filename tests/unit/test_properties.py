"""Properties (hypothesis) of the pure parts the privacy statement leans on: retention, the form model,
the rights deadlines and the classification of rights mail.

Example counts are modest (``PROPERTY``: 200 each) to keep the suite's time; hypothesis keeps the failing
examples it finds in .hypothesis/ and tries them first next time. No deadline: a noisy 2-core machine.
"""

from __future__ import annotations

import string
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import idna
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contact_intake.api.http import field_errors
from contact_intake.core.retention import LawfulBasis, expires_at_epoch, expiry_deadline, is_expired
from contact_intake.core.subject import normalise_email, subject_key
from contact_intake.intake.models import InquiryForm
from contact_intake.rights import deadlines
from contact_intake.rights.deadlines import ExtensionRefused
from contact_intake.rights.inbound.classify import classify, classify_mail
from contact_intake.rights.inbound.parse import parse_mail
from contact_intake.rights.models import RightType

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# every offset a received_at may come with (whole minutes, as real zones have), UTC included
zones = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 12, 31), timezones=zones)


# ---------------------------------------------------------------- retention (privacy statement point 4)


def _twelve_months_later(moment: datetime) -> tuple[int, int, int]:
    """The calendar date 12 months after ``moment`` (UTC), the day clamped to the month's end."""
    utc = moment.astimezone(UTC)
    year, month = utc.year + 1, utc.month
    last_day = (datetime(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return year, month, min(utc.day, last_day)


@PROPERTY
@given(moments)
@example(datetime(2028, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC))
@example(datetime(2027, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))))  # 28 Feb 23:30 UTC
def test_a_prospects_inquiry_expires_within_twelve_calendar_months_never_later(received: datetime) -> None:
    deadline = expiry_deadline(received, LawfulBasis.LEGITIMATE_INTERESTS)
    assert deadline is not None
    # the calendar date is the one 12 months on (clamped); the time of day is kept
    assert (deadline.year, deadline.month, deadline.day) == _twelve_months_later(received)
    assert deadline.astimezone(UTC).time() == received.astimezone(UTC).time()
    # 12 calendar months are 365 or 366 days (a clamped leap day is 365), never more
    assert timedelta(days=365) <= deadline - received <= timedelta(days=366)
    # the TTL is floored to whole seconds: at most the deadline, less than a second before it
    ttl = expires_at_epoch(received, LawfulBasis.LEGITIMATE_INTERESTS)
    assert ttl is not None
    assert deadline.timestamp() - 1 < ttl <= deadline.timestamp()
    # reads treat it as gone from that second on, not a moment later
    assert is_expired(ttl, datetime.fromtimestamp(ttl, UTC))
    assert not is_expired(ttl, datetime.fromtimestamp(ttl - 1, UTC))


@PROPERTY
@given(moments, moments)
@example(datetime(2028, 2, 28, 23, tzinfo=UTC), datetime(2028, 2, 29, 1, tzinfo=UTC))
def test_a_later_inquiry_never_expires_on_an_earlier_day(first: datetime, second: datetime) -> None:
    earlier, later = sorted((first, second))
    deadline_earlier = expiry_deadline(earlier, LawfulBasis.LEGITIMATE_INTERESTS)
    deadline_later = expiry_deadline(later, LawfulBasis.LEGITIMATE_INTERESTS)
    assert deadline_earlier is not None
    assert deadline_later is not None
    # Monotonic by calendar date. By the clock it is not quite: 28 Feb 2028 23:00 and 29 Feb 2028 01:00
    # both expire on 28 Feb 2029, the later one at 01:00. Both are within their 12 months, which is the
    # promise; the day-clamping just maps two dates onto one.
    assert deadline_earlier.date() <= deadline_later.date()
    if deadline_later < deadline_earlier:
        assert (later.astimezone(UTC).month, later.astimezone(UTC).day) == (2, 29)


@PROPERTY
@given(moments)
def test_a_verified_customers_inquiry_has_no_deadline_of_its_own(received: datetime) -> None:
    assert expiry_deadline(received, LawfulBasis.CONTRACT) is None
    assert expires_at_epoch(received, LawfulBasis.CONTRACT) is None
    assert not is_expired(None, received)


# ---------------------------------------------------------------- the form model (docs/architecture.md §4)

LINE_BREAKS = ["\u2028", "\u2029", "\x85"]
control_chars = st.characters(categories=["Cc"]) | st.sampled_from(LINE_BREAKS)
# text people type: no control characters, no surrogates
plain_text = st.text(
    alphabet=st.characters(exclude_categories=["Cc", "Cs"], exclude_characters=LINE_BREAKS), max_size=60
)
ONE_LINE_FIELDS = ["name", "subject", "email", "customer_number", "locale"]


def _valid_form() -> st.SearchStrategy[dict[str, Any]]:
    one_line = st.text(
        alphabet=st.characters(exclude_categories=["Cc", "Cs"], exclude_characters=LINE_BREAKS),
        min_size=1,
        max_size=200,
    ).filter(lambda s: s.strip() != "")
    message = st.text(
        alphabet=st.characters(
            exclude_categories=["Cc", "Cs"], include_characters="\n\r\t", exclude_characters=LINE_BREAKS
        ),
        min_size=1,
        max_size=5000,
    ).filter(lambda s: s.strip() != "")
    local = st.text(alphabet=string.ascii_letters + string.digits + "+_-", min_size=1, max_size=30)
    domain = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=20)
    email = st.builds(
        lambda lp, d, tld: f"{lp}@{d}.{tld}", local, domain, st.sampled_from(["org", "nl", "de"])
    )
    return st.fixed_dictionaries(
        {
            "name": one_line,
            "email": email,
            "subject": one_line,
            "message": message,
            "captcha_token": st.text(alphabet=string.printable.strip(), min_size=1, max_size=100),
        },
        optional={
            "customer_number": st.from_regex(r"\A[A-Za-z0-9-]{1,40}\Z"),
            "locale": st.sampled_from(["nl", "de", "en", "fr", "nl-BE", "de-AT"]),
            "website": st.just(""),
        },
    )


def _stripped(form: dict[str, Any]) -> dict[str, Any]:
    keep = {"captcha_token", "website"}  # not stripped: the token is opaque, the honeypot is compared
    stripped = {k: v if k in keep else v.strip() for k, v in form.items()}
    return stripped | {"email": stripped["email"].lower()}  # the canonical address (D60): ASCII here


@PROPERTY
@given(_valid_form())
def test_any_valid_form_round_trips(form: dict[str, Any]) -> None:
    model = InquiryForm.model_validate(form)
    expected = {"customer_number": None, "locale": None, "website": "", **_stripped(form)}
    assert model.model_dump() == expected
    # and again through JSON, as the form posts it
    assert InquiryForm.model_validate_json(model.model_dump_json()) == model


@PROPERTY
@given(st.sampled_from(ONE_LINE_FIELDS), plain_text, control_chars, plain_text)
def test_a_control_character_in_a_one_line_field_is_always_rejected(
    field: str, before: str, control: str, after: str
) -> None:
    form = {
        "name": "Ann",
        "email": "ann@example.org",
        "subject": "Order",
        "message": "Hello",
        "customer_number": "C-1",
        "locale": "nl",
        "captcha_token": "pass:x",
    }
    form[field] = before + control + after
    with pytest.raises(ValidationError) as caught:
        InquiryForm.model_validate(form)
    fields = {error.field for error in field_errors(caught.value.errors())}
    assert fields == {field}


@PROPERTY
@given(plain_text, control_chars.filter(lambda c: c not in "\n\r\t"), plain_text)
def test_the_message_takes_line_breaks_and_tabs_but_no_other_control_character(
    before: str, control: str, after: str
) -> None:
    base = {"name": "Ann", "email": "ann@example.org", "subject": "Order", "captcha_token": "pass:x"}
    with pytest.raises(ValidationError):
        InquiryForm.model_validate({**base, "message": f"x{before}{control}{after}"})
    accepted = InquiryForm.model_validate({**base, "message": f"x{before}\r\n\t{after}"})
    assert accepted.message == f"x{before}\r\n\t{after}".strip()


# ---------------------------------------------------------------- rights deadlines (Art. 12(3))


@PROPERTY
@given(moments, st.sampled_from([1, 2]), st.integers(min_value=0, max_value=40 * 24 * 3600))
def test_an_extension_is_granted_exactly_inside_the_first_month(
    received: datetime, months: int, seconds_later: int
) -> None:
    now = received + timedelta(seconds=seconds_later)
    due = deadlines.due_at(received)
    if now < due:
        extended = deadlines.extension(received, months, "many systems to search", now)
        assert extended == deadlines.extended_due_at(received, months)
        assert due < extended
        assert 0 <= deadlines.days_left(extended, now) <= 31 * (1 + months)
    else:
        with pytest.raises(ExtensionRefused) as refused:
            deadlines.extension(received, months, "many systems to search", now)
        assert refused.value.reason == "first_month_over"
        assert deadlines.days_left(due, now) <= 0


@PROPERTY
@given(moments, st.integers(min_value=1, max_value=10))
def test_a_request_record_is_kept_its_years_and_not_a_second_more(received: datetime, years: int) -> None:
    expires = deadlines.record_expires_at(received, years)
    assert expires <= received.timestamp() + 366 * years * 24 * 3600
    assert expires > received.timestamp() + 365 * years * 24 * 3600 - 2 * 24 * 3600
    assert deadlines.days_left(deadlines.due_at(received), received) in range(28, 32)


# ---------------------------------------------------------------- rights mail classification
# (docs/architecture.md §7)

HEADER_LINES = st.sampled_from(
    [
        b"From: Ann <ann@example.org>",
        b"From: =?utf-8?b?w6nDqQ==?= <\xff@x>",
        b"From: <<<@@@>>>",
        b"Subject: =?utf-8?q?Verwijder_mijn_gegevens?=",
        b"Subject: =?bogus-charset?b?!!!?=",
        b"Subject: Re: Fwd: AW: inzage",
        b"Content-Type: text/plain; charset=utf-8",
        b"Content-Type: text/plain; charset=x-unknown-8bit",
        b"Content-Type: text/html; charset=latin-1",
        b"Content-Type: multipart/alternative; boundary=B",
        b'Content-Type: multipart/mixed; boundary="B"',
        b"Content-Type: message/rfc822",
        b"Content-Transfer-Encoding: base64",
        b"Content-Transfer-Encoding: quoted-printable",
        b"Content-Language: de, nl",
        b"Auto-Submitted: auto-replied",
        b'Content-Disposition: attachment; filename="a.pdf"',
    ]
)
BODY_PIECES = st.sampled_from(
    [
        b"--B\r\n",
        b"--B--\r\n",
        b"\r\n",
        b"Ich m\xf6chte Auskunft nach Art. 15 DSGVO.\r\n",
        b"Graag mijn gegevens verwijderen.\r\n",
        b"> quoted history\r\n",
        b"-----Original Message-----\r\n",
        b"<html><body><p>Je veux supprimer</p><script>x</script>",
        b"=E9=3D=\r\n",
        b"SGVsbG8gd29ybGQ=\r\n",
        b"!!!notbase64***\r\n",
    ]
)
mime_like = st.builds(
    lambda headers, pieces, noise: b"\r\n".join(headers) + b"\r\n\r\n" + b"".join(pieces) + noise,
    st.lists(HEADER_LINES, max_size=8),
    st.lists(BODY_PIECES | st.binary(max_size=40), max_size=12),
    st.binary(max_size=200),
)


@PROPERTY
@given(st.binary(max_size=2000) | mime_like)
def test_any_bytes_parse_and_classify_to_a_right_without_raising(raw: bytes) -> None:
    mail = parse_mail(raw)
    classification = classify_mail(mail)
    assert isinstance(classification.right, RightType)
    assert classification.reason in {"clear", "ambiguous", "no_evidence"}
    assert "\n" not in mail.subject


@PROPERTY
@given(st.text(max_size=300), st.text(max_size=3000), st.booleans())
def test_any_text_classifies_to_a_right_without_raising(subject: str, text: str, reply: bool) -> None:
    classification = classify(subject, text, reply=reply)
    assert isinstance(classification.right, RightType)
    # unclassified exactly when the evidence does not decide
    assert (classification.right is RightType.UNCLASSIFIED) == (classification.reason != "clear")


# ---------------------------------------------------------------- one mailbox, one subject key (D60)

PEPPER = b"pepper-for-properties"
# characters whose upper case is one character that lower-cases back (so a case change is a respelling,
# never another mailbox: "ß".upper() is "SS")
_LOCAL_CHARS = string.ascii_lowercase + string.digits + "._+-" + "äéñøüçå"
_LABEL_CHARS = string.ascii_lowercase + string.digits + "äéñøüçåöß"
locals_ = st.text(alphabet=_LOCAL_CHARS, min_size=1, max_size=20)
labels = st.text(alphabet=_LABEL_CHARS, min_size=1, max_size=15).filter(
    lambda s: _valid_domain(s + ".example")
)
domains = st.builds(lambda label, tld: f"{label}.{tld}", labels, st.sampled_from(["example", "de", "nl"]))


def _valid_domain(domain: str) -> bool:
    try:
        idna.encode(domain, uts46=True)
    except idna.IDNAError:
        return False
    return True


def _recase(text: str, flips: list[bool]) -> str:
    return "".join(
        c.upper() if flip and len(c.upper()) == 1 and c.upper().lower() == c else c
        for c, flip in zip(text, flips + [False] * len(text), strict=False)
    )


def _full_width(text: str, flips: list[bool]) -> str:
    """ASCII letters and digits as their full-width compatibility forms, which UTS #46 maps back."""
    return "".join(
        chr(ord(c) + 0xFEE0) if flip and c.isascii() and c.isalnum() else c
        for c, flip in zip(text, flips + [False] * len(text), strict=False)
    )


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, str, str]:
    """A mailbox (local part, domain) and one more way of writing it."""
    local, domain = draw(locals_), draw(domains)
    spelled_local = _recase(local, draw(st.lists(st.booleans(), max_size=20)))
    form = draw(st.sampled_from(["unicode", "a-label", "full-width", "ideographic-dot"]))
    if form == "a-label":
        spelled_domain = idna.encode(domain, uts46=True).decode("ascii").upper()
    elif form == "full-width":
        spelled_domain = _full_width(domain, draw(st.lists(st.booleans(), max_size=30)))
    elif form == "ideographic-dot":
        spelled_domain = domain.replace(".", "\u3002")
    else:
        spelled_domain = _recase(domain, draw(st.lists(st.booleans(), max_size=30)))
    address = f"{spelled_local}@{spelled_domain}"
    if draw(st.booleans()):
        address = unicodedata.normalize("NFD", address)
    padding = draw(st.sampled_from(["", " ", "\t"]))
    return local, domain, f"{padding}{address}{padding}"


@PROPERTY
@given(spellings())
@example(("ann", "bücher.example", "ann@xn--bcher-kva.example"))
@example(("ann", "bücher.example", "ANN@\uff42\u00dc\uff43\uff48\uff45\uff52.EXAMPLE"))
def test_every_spelling_of_one_mailbox_gives_one_key(case: tuple[str, str, str]) -> None:
    local, domain, spelled = case
    canonical = f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
    assert normalise_email(spelled) == canonical
    assert subject_key(spelled, PEPPER) == subject_key(canonical, PEPPER)
    assert normalise_email(canonical) == canonical  # the stored form is a fixed point


@PROPERTY
@given(locals_, domains, locals_, domains)
@example("ann", "bücher.example", "ann", "bucher.example")
@example("ann", "strasse.de", "ann", "straße.de")  # UTS #46 non-transitional: ß is not ss
def test_different_mailboxes_never_share_a_key(local1: str, domain1: str, local2: str, domain2: str) -> None:
    mailbox1 = (local1, idna.encode(domain1, uts46=True))
    mailbox2 = (local2, idna.encode(domain2, uts46=True))
    key1 = subject_key(f"{local1}@{domain1}", PEPPER)
    key2 = subject_key(f"{local2}@{domain2}", PEPPER)
    assert (key1 == key2) == (mailbox1 == mailbox2)


@PROPERTY
@given(spellings())
def test_the_form_stores_the_canonical_address_of_any_spelling_it_accepts(case: tuple[str, str, str]) -> None:
    _, _, spelled = case
    body = {"name": "A", "email": spelled.strip(), "subject": "s", "message": "m", "captcha_token": "t"}
    try:
        form = InquiryForm.model_validate(body)
    except ValidationError:
        return  # e-mail validation is stricter than UTS #46 (e.g. a local part "a..b"): a 422, no key
    assert str(form.email) == normalise_email(spelled)
