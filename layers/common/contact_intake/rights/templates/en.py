# ruff: noqa: E501 - prose: a sentence split at 110 columns reads worse than a long line
"""The English wording: every rights mail, the pages after the link, and the confirmation page."""

from __future__ import annotations

from typing import Final

from contact_intake.rights.models import RightType
from contact_intake.rights.templates import (
    DUTCH_AUTHORITY_URL,
    ConfirmTexts,
    Items,
    LanguagePack,
    Link,
    MailTemplate,
    MailText,
    Quote,
)

_COMPLAINT = (
    "You have the right to lodge a complaint with a supervisory authority: in the Netherlands the "
    f"Autoriteit Persoonsgegevens ({DUTCH_AUTHORITY_URL}), or the supervisory authority of your country "
    "(where you live or work, or where the alleged infringement took place). You may also seek a "
    "judicial remedy."
)

PACK: Final = LanguagePack(
    greeting="Hello,",
    closing=("Kind regards,\nThe privacy team", "This message was sent automatically."),
    complaint=_COMPLAINT,
    rights={
        RightType.ACCESS: "access to your personal data, Art. 15 GDPR",
        RightType.PORTABILITY: "data portability, Art. 20 GDPR",
        RightType.RECTIFICATION: "rectification of your personal data, Art. 16 GDPR",
        RightType.ERASURE: "erasure of your personal data, Art. 17 GDPR",
        RightType.RESTRICTION: "restriction of processing, Art. 18 GDPR",
        RightType.OBJECTION: "objection to processing, Art. 21 GDPR",
        RightType.CONSENT_WITHDRAWAL: "withdrawal of consent, Art. 7(3) GDPR",
        RightType.UNCLASSIFIED: "a request about your personal data",
    },
    completion_details={
        RightType.ACCESS: "We have sent you the data in a separate e-mail.",
        RightType.PORTABILITY: "We have sent you the data in a separate e-mail.",
        RightType.RECTIFICATION: "We have corrected your data in our systems and at our helpdesk provider.",
        RightType.ERASURE: "We have erased your personal data from our systems and at our helpdesk provider. "
        "We keep a record of the request itself, so that we can show how we handled it.",
        RightType.RESTRICTION: "We have restricted the processing of your data: we store it, but do not "
        "otherwise use it until the restriction is lifted. We will tell you before that happens.",
        RightType.OBJECTION: "We have stopped the processing you objected to.",
        RightType.CONSENT_WITHDRAWAL: "We have recorded the withdrawal of your consent and deleted the call "
        "recordings that were based on it.",
        RightType.UNCLASSIFIED: "",
    },
    months=(
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    date_format="{day} {month} {year}",
    month_counts={1: "one month", 2: "two months"},
    mails={
        MailTemplate.ACKNOWLEDGEMENT: MailText(
            "Please confirm your privacy request ({reference})",
            (
                "We have received a request concerning personal data linked to this e-mail address: {right}.",
                "To protect personal data, we only act on a request once the holder of this e-mail address "
                "has confirmed it. If you sent this request, please open this link within {valid_days} days. "
                "It opens a page that says what carrying out the request will do; you confirm there, with "
                "a button, and may choose another right:",
                Link("verify_url"),
                "Opening the link changes nothing by itself. If you did not send this request, you do not "
                "need to do anything: without your confirmation on that page, nothing happens.",
                "We will answer within one month of receiving the request, by {due_date} at the latest. "
                "Your reference: {reference}.",
            ),
        ),
        MailTemplate.EXPORT: MailText(
            "Your personal data ({reference})",
            (
                "As you requested, attached is a copy of the personal data we hold about you, in a "
                "machine-readable format (JSON). Your reference: {reference}.",
                "The file also states why we process the data, on which legal basis, who receives it, how "
                "long we keep it, where it came from, and which rights you have.",
                "If any of it is incorrect, you may ask us to correct it.",
            ),
        ),
        MailTemplate.COMPLETION: MailText(
            "Your privacy request has been carried out ({reference})",
            (
                "Your request ({right}) was carried out on {completed_date}. Your reference: {reference}.",
                "{completion_detail}",
            ),
        ),
        MailTemplate.EXTENSION: MailText(
            "More time needed for your privacy request ({reference})",
            (
                "We need more time to answer your request ({right}) of {received_date}. The law allows us to "
                "extend the deadline by up to two months where necessary; we are extending it by {months}, "
                "to {extended_due_date}.",
                "The reason:",
                Quote("reason"),
                "Your reference: {reference}.",
            ),
        ),
        MailTemplate.REJECTION: MailText(
            "Your privacy request ({reference})",
            (
                "We cannot carry out your request ({right}) of {received_date}, for the following reasons:",
                Items("reasons"),
                _COMPLAINT,
                "Your reference: {reference}.",
            ),
        ),
        MailTemplate.OBJECTION_UPHELD: MailText(
            "Your objection has been upheld ({reference})",
            (
                "We have assessed your objection to the processing of your personal data and upheld it. We "
                "will stop this processing and erase your data; you will receive a confirmation when that "
                "is done.",
                "Your reference: {reference}.",
            ),
        ),
        MailTemplate.OBJECTION_NOT_UPHELD: MailText(
            "Decision on your objection ({reference})",
            (
                "We have assessed your objection of {received_date} to the processing of your personal data. "
                "We have compelling legitimate grounds for the processing which override your interests, "
                "rights and freedoms, or the processing is needed for legal claims:",
                Quote("grounds"),
                "The restriction of processing that applied while we assessed your objection is therefore "
                "lifted.",
                _COMPLAINT,
                "Your reference: {reference}.",
            ),
        ),
        MailTemplate.RESTRICTION_LIFTED: MailText(
            "Restriction of processing lifted ({reference})",
            (
                "The restriction of the processing of your personal data, which applied following your "
                "request ({right}), is being lifted. From now on we process your data again as described "
                "in our privacy statement.",
                "Your reference: {reference}.",
            ),
        ),
    },
    pages={
        "confirmed": (
            "Request confirmed",
            "Thank you. Your request is confirmed. We will answer by e-mail within the legal deadline, by "
            "{due_date} at the latest.",
        ),
        "gone": (
            "Link no longer valid",
            "This link has expired or has already been used. If you have already confirmed your request, "
            "nothing more is needed. Otherwise, please send your request again.",
        ),
        "missing": ("Link incomplete", "This link is incomplete. Please open the full link from the e-mail."),
        "unavailable": (
            "Temporarily unavailable",
            "We could not confirm your request just now. Please open the link again in a few minutes.",
        ),
    },
)


# ---------------------------------------------------------------- the confirmation page (GET shows, POST confirms)

CONFIRM_PAGE: Final = ConfirmTexts(
    title="Confirm your privacy request",
    read="We received a request about the personal data linked to your e-mail address. From your message "
    "we understood: {right}. Please check below what that means, choose another right if you meant "
    "something else, and confirm.",
    unclassified="We received a request about the personal data linked to your e-mail address, but could "
    "not tell from your message which right you want to exercise. Please choose one below and confirm.",
    legend="What should we do?",
    effects={
        RightType.ACCESS: "We send you a copy of the personal data we hold about you (your inquiries, "
        "helpdesk tickets and call recordings) as a JSON file by e-mail to this address. Nothing is changed "
        "or deleted.",
        RightType.PORTABILITY: "We send you the personal data you gave us in a machine-readable file (JSON) "
        "by e-mail, so that you can pass it on to another organisation. Nothing is changed or deleted.",
        RightType.RECTIFICATION: "Our privacy team corrects the data that is wrong, in our systems and at our "
        "helpdesk provider. If your message did not say what to correct, they will ask you.",
        RightType.ERASURE: "We delete your inquiries, your helpdesk tickets and your call recordings. This "
        "cannot be undone. We keep only a record of this request, to show how we handled it.",
        RightType.RESTRICTION: "We keep your data but stop using it (your inquiries, tickets and recordings "
        "are marked as restricted) until the restriction is lifted; we tell you before that happens.",
        RightType.OBJECTION: "We stop using your data for the processing you object to while our privacy "
        "team assesses your objection. If it is upheld, your data is deleted; otherwise we tell you why.",
        RightType.CONSENT_WITHDRAWAL: "We record that you withdraw your consent and delete the call "
        "recordings that were based on it. This cannot be undone.",
    },
    submit="Confirm request",
    not_you="If you did not send this request, simply close this page: nothing happens without your "
    "confirmation.",
    reference="Your reference: {reference}.",
    choose_error="Please choose one of the rights below.",
)
