# ruff: noqa: E501 - prose: a sentence split at 110 columns reads worse than a long line
"""The German wording: every rights mail, the pages after the link, and the confirmation page."""

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
    "Sie haben das Recht, sich bei einer Aufsichtsbehörde zu beschweren: in den Niederlanden bei der "
    f"Autoriteit Persoonsgegevens ({DUTCH_AUTHORITY_URL}) oder bei der Aufsichtsbehörde Ihres Landes (in dem "
    "Sie wohnen oder arbeiten oder in dem der mutmaßliche Verstoß stattfand). Sie können auch einen "
    "gerichtlichen Rechtsbehelf einlegen."
)

PACK: Final = LanguagePack(
    greeting="Guten Tag,",
    closing=("Mit freundlichen Grüßen\nIhr Datenschutzteam", "Diese Nachricht wurde automatisch versendet."),
    complaint=_COMPLAINT,
    rights={
        RightType.ACCESS: "Auskunft über Ihre personenbezogenen Daten, Art. 15 DSGVO",
        RightType.PORTABILITY: "Datenübertragbarkeit, Art. 20 DSGVO",
        RightType.RECTIFICATION: "Berichtigung Ihrer personenbezogenen Daten, Art. 16 DSGVO",
        RightType.ERASURE: "Löschung Ihrer personenbezogenen Daten, Art. 17 DSGVO",
        RightType.RESTRICTION: "Einschränkung der Verarbeitung, Art. 18 DSGVO",
        RightType.OBJECTION: "Widerspruch gegen die Verarbeitung, Art. 21 DSGVO",
        RightType.CONSENT_WITHDRAWAL: "Widerruf der Einwilligung, Art. 7 Abs. 3 DSGVO",
        RightType.UNCLASSIFIED: "ein Anliegen zu Ihren personenbezogenen Daten",
    },
    completion_details={
        RightType.ACCESS: "Die Daten haben wir Ihnen mit einer separaten E-Mail gesendet.",
        RightType.PORTABILITY: "Die Daten haben wir Ihnen mit einer separaten E-Mail gesendet.",
        RightType.RECTIFICATION: "Wir haben Ihre Daten in unseren Systemen und bei unserem Helpdesk-Anbieter "
        "berichtigt.",
        RightType.ERASURE: "Wir haben Ihre personenbezogenen Daten in unseren Systemen und bei unserem "
        "Helpdesk-Anbieter gelöscht. Über die Anfrage selbst bewahren wir einen Vermerk auf, damit wir "
        "nachweisen können, wie wir sie bearbeitet haben.",
        RightType.RESTRICTION: "Wir haben die Verarbeitung Ihrer Daten eingeschränkt: Wir speichern sie, "
        "nutzen sie aber nicht weiter, bis die Einschränkung aufgehoben wird. Wir informieren Sie, bevor das "
        "geschieht.",
        RightType.OBJECTION: "Wir haben die Verarbeitung, der Sie widersprochen haben, eingestellt.",
        RightType.CONSENT_WITHDRAWAL: "Wir haben den Widerruf Ihrer Einwilligung vermerkt und die darauf "
        "beruhenden Gesprächsaufzeichnungen gelöscht.",
        RightType.UNCLASSIFIED: "",
    },
    months=(
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    date_format="{day}. {month} {year}",
    month_counts={1: "einen Monat", 2: "zwei Monate"},
    mails={
        MailTemplate.ACKNOWLEDGEMENT: MailText(
            "Bitte bestätigen Sie Ihre Datenschutzanfrage ({reference})",
            (
                "Wir haben eine Anfrage zu personenbezogenen Daten erhalten, die zu dieser E-Mail-Adresse "
                "gehören: {right}.",
                "Zum Schutz personenbezogener Daten bearbeiten wir eine Anfrage erst, wenn der Inhaber dieser "
                "E-Mail-Adresse sie bestätigt hat. Wenn Sie diese Anfrage gesendet haben, öffnen Sie bitte "
                "innerhalb von {valid_days} Tagen diesen Link. Er öffnet eine Seite, die nennt, was die "
                "Ausführung der Anfrage bewirkt; dort bestätigen Sie sie mit einer Schaltfläche und können "
                "auch ein anderes Recht wählen:",
                Link("verify_url"),
                "Das Öffnen des Links allein ändert nichts. Wenn Sie diese Anfrage nicht gesendet haben, "
                "müssen Sie nichts tun: Ohne Ihre Bestätigung auf dieser Seite geschieht nichts.",
                "Wir antworten innerhalb eines Monats nach Eingang der Anfrage, also spätestens am "
                "{due_date}. Ihr Aktenzeichen: {reference}.",
            ),
        ),
        MailTemplate.EXPORT: MailText(
            "Ihre personenbezogenen Daten ({reference})",
            (
                "Wie gewünscht finden Sie im Anhang eine Kopie der personenbezogenen Daten, die wir über Sie "
                "gespeichert haben, in einem maschinenlesbaren Format (JSON). Ihr Aktenzeichen: {reference}.",
                "Die Datei nennt auch die Zwecke der Verarbeitung, die Rechtsgrundlage, die Empfänger, die "
                "Speicherdauer, die Herkunft der Daten und Ihre Rechte.",
                "Sollte etwas nicht stimmen, können Sie die Berichtigung verlangen.",
            ),
        ),
        MailTemplate.COMPLETION: MailText(
            "Ihre Datenschutzanfrage wurde ausgeführt ({reference})",
            (
                "Ihre Anfrage ({right}) wurde am {completed_date} ausgeführt. Ihr Aktenzeichen: {reference}.",
                "{completion_detail}",
            ),
        ),
        MailTemplate.EXTENSION: MailText(
            "Mehr Zeit für Ihre Datenschutzanfrage ({reference})",
            (
                "Wir benötigen mehr Zeit, um Ihre Anfrage ({right}) vom {received_date} zu beantworten. Das "
                "Gesetz erlaubt, die Frist wenn nötig um höchstens zwei Monate zu verlängern; wir verlängern "
                "sie um {months}, bis zum {extended_due_date}.",
                "Der Grund:",
                Quote("reason"),
                "Ihr Aktenzeichen: {reference}.",
            ),
        ),
        MailTemplate.REJECTION: MailText(
            "Ihre Datenschutzanfrage ({reference})",
            (
                "Wir können Ihre Anfrage ({right}) vom {received_date} aus folgenden Gründen nicht ausführen:",
                Items("reasons"),
                _COMPLAINT,
                "Ihr Aktenzeichen: {reference}.",
            ),
        ),
        MailTemplate.OBJECTION_UPHELD: MailText(
            "Ihrem Widerspruch wird stattgegeben ({reference})",
            (
                "Wir haben Ihren Widerspruch gegen die Verarbeitung Ihrer personenbezogenen Daten geprüft und "
                "geben ihm statt. Wir stellen diese Verarbeitung ein und löschen Ihre Daten; Sie erhalten "
                "eine Bestätigung, sobald das geschehen ist.",
                "Ihr Aktenzeichen: {reference}.",
            ),
        ),
        MailTemplate.OBJECTION_NOT_UPHELD: MailText(
            "Entscheidung über Ihren Widerspruch ({reference})",
            (
                "Wir haben Ihren Widerspruch vom {received_date} gegen die Verarbeitung Ihrer "
                "personenbezogenen Daten geprüft. Wir haben zwingende schutzwürdige Gründe für die "
                "Verarbeitung, die Ihre Interessen, Rechte und Freiheiten überwiegen, oder die Verarbeitung "
                "dient der Geltendmachung, Ausübung oder Verteidigung von Rechtsansprüchen:",
                Quote("grounds"),
                "Die Einschränkung der Verarbeitung, die während der Prüfung Ihres Widerspruchs galt, wird "
                "daher aufgehoben.",
                _COMPLAINT,
                "Ihr Aktenzeichen: {reference}.",
            ),
        ),
        MailTemplate.RESTRICTION_LIFTED: MailText(
            "Einschränkung der Verarbeitung aufgehoben ({reference})",
            (
                "Die Einschränkung der Verarbeitung Ihrer personenbezogenen Daten, die aufgrund Ihrer Anfrage "
                "({right}) galt, wird aufgehoben. Ab jetzt verarbeiten wir Ihre Daten wieder wie in unserer "
                "Datenschutzerklärung beschrieben.",
                "Ihr Aktenzeichen: {reference}.",
            ),
        ),
    },
    pages={
        "confirmed": (
            "Anfrage bestätigt",
            "Vielen Dank. Ihre Anfrage ist bestätigt. Wir antworten per E-Mail innerhalb der gesetzlichen "
            "Frist, spätestens am {due_date}.",
        ),
        "gone": (
            "Link nicht mehr gültig",
            "Dieser Link ist abgelaufen oder wurde bereits verwendet. Wenn Sie Ihre Anfrage bereits "
            "bestätigt haben, müssen Sie nichts weiter tun. Andernfalls senden Sie Ihre Anfrage bitte erneut.",
        ),
        "missing": (
            "Link unvollständig",
            "Dieser Link ist unvollständig. Bitte öffnen Sie den vollständigen Link aus der E-Mail.",
        ),
        "unavailable": (
            "Vorübergehend nicht verfügbar",
            "Wir konnten Ihre Anfrage gerade nicht bestätigen. Bitte öffnen Sie den Link in einigen Minuten "
            "erneut.",
        ),
    },
)


# ---------------------------------------------------------------- the confirmation page (GET shows, POST confirms)

CONFIRM_PAGE: Final = ConfirmTexts(
    title="Bestätigen Sie Ihre Datenschutzanfrage",
    read="Wir haben eine Anfrage zu den personenbezogenen Daten erhalten, die zu Ihrer E-Mail-Adresse "
    "gehören. Aus Ihrer Nachricht haben wir verstanden: {right}. Bitte prüfen Sie unten, was das "
    "bedeutet, wählen Sie ein anderes Recht, wenn Sie etwas anderes meinten, und bestätigen Sie.",
    unclassified="Wir haben eine Anfrage zu den personenbezogenen Daten erhalten, die zu Ihrer "
    "E-Mail-Adresse gehören, konnten Ihrer Nachricht aber nicht entnehmen, welches Recht Sie ausüben "
    "möchten. Bitte wählen Sie unten eines und bestätigen Sie.",
    legend="Was sollen wir tun?",
    effects={
        RightType.ACCESS: "Wir senden Ihnen eine Kopie der personenbezogenen Daten, die wir über Sie "
        "gespeichert haben (Ihre Anfragen, Helpdesk-Tickets und Gesprächsaufzeichnungen), als JSON-Datei "
        "per E-Mail an diese Adresse. Es wird nichts geändert oder gelöscht.",
        RightType.PORTABILITY: "Wir senden Ihnen die personenbezogenen Daten, die Sie uns gegeben haben, in "
        "einer maschinenlesbaren Datei (JSON) per E-Mail, damit Sie sie an eine andere Stelle weitergeben "
        "können. Es wird nichts geändert oder gelöscht.",
        RightType.RECTIFICATION: "Unser Datenschutzteam berichtigt die unrichtigen Daten, in unseren "
        "Systemen und bei unserem Helpdesk-Anbieter. Wenn Ihre Nachricht nicht sagt, was zu berichtigen "
        "ist, fragen wir Sie.",
        RightType.ERASURE: "Wir löschen Ihre Anfragen, Ihre Helpdesk-Tickets und Ihre "
        "Gesprächsaufzeichnungen. Das kann nicht rückgängig gemacht werden. Wir bewahren nur einen "
        "Nachweis dieser Anfrage auf, um zu zeigen, wie wir sie bearbeitet haben.",
        RightType.RESTRICTION: "Wir speichern Ihre Daten, nutzen sie aber nicht mehr (Ihre Anfragen, "
        "Tickets und Aufzeichnungen werden als eingeschränkt markiert), bis die Einschränkung aufgehoben "
        "wird; wir informieren Sie, bevor das geschieht.",
        RightType.OBJECTION: "Wir nutzen Ihre Daten nicht mehr für die Verarbeitung, der Sie widersprechen, "
        "während unser Datenschutzteam Ihren Widerspruch prüft. Wird ihm stattgegeben, werden Ihre Daten "
        "gelöscht; andernfalls teilen wir Ihnen die Gründe mit.",
        RightType.CONSENT_WITHDRAWAL: "Wir vermerken den Widerruf Ihrer Einwilligung und löschen die darauf "
        "beruhenden Gesprächsaufzeichnungen. Das kann nicht rückgängig gemacht werden.",
    },
    submit="Anfrage bestätigen",
    not_you="Wenn Sie diese Anfrage nicht gesendet haben, schließen Sie einfach diese Seite: Ohne Ihre "
    "Bestätigung geschieht nichts.",
    reference="Ihr Aktenzeichen: {reference}.",
    choose_error="Bitte wählen Sie unten eines der Rechte.",
)
