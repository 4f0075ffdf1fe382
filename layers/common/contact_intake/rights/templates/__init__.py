# ruff: noqa: E501 - prose: a sentence split at 110 columns reads worse than a long line
"""The wording of every rights mail and of the verification page, in Dutch, German, English and French.

Each mail is a subject and a sequence of blocks between the language's greeting and closing: a paragraph
(``{name}`` placeholders), a link on its own line, a list, or a quoted text the DPO wrote. outbound.py
renders the same blocks as plain text and as HTML (values escaped), so the two versions cannot drift.

Placeholders: ``reference`` (the request id), ``right`` (the right's name in the language), dates
(``received_date``, ``due_date``, ``extended_due_date``, ``completed_date``), ``months`` (an extension's
length), ``verify_url``, ``valid_days``, ``reason`` / ``grounds`` (the DPO's text, quoted), ``reasons``
(a list) and ``completion_detail`` (per right, below).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

from contact_intake.rights.models import RightType

Language = Literal["nl", "de", "en", "fr"]
LANGUAGES: Final[tuple[Language, ...]] = ("nl", "de", "en", "fr")
FALLBACK_LANGUAGE: Final[Language] = "en"

# The Dutch supervisory authority (the shop's lead authority), named in every refusal (Art. 12(4)).
DUTCH_AUTHORITY_URL: Final = "https://autoriteitpersoonsgegevens.nl"


class MailTemplate(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"  # the neutral acknowledgement with the verification link
    EXPORT = "export"  # access / portability: the delivery note of the JSON attachment
    COMPLETION = "completion"
    EXTENSION = "extension"
    REJECTION = "rejection"
    OBJECTION_UPHELD = "objection_upheld"
    OBJECTION_NOT_UPHELD = "objection_not_upheld"
    RESTRICTION_LIFTED = "restriction_lifted"


@dataclass(frozen=True)
class Link:
    """A URL from the context, on its own line (text) or as a link (HTML)."""

    name: str


@dataclass(frozen=True)
class Items:
    """A list of texts from the context (e.g. the reasons for a refusal)."""

    name: str


@dataclass(frozen=True)
class Quote:
    """A text from the context that someone wrote (e.g. the reason for an extension), set apart."""

    name: str


Block = str | Link | Items | Quote


@dataclass(frozen=True)
class MailText:
    subject: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class LanguagePack:
    """Everything a language needs: the mails, the frame around them, names, dates and the page texts."""

    greeting: str
    closing: tuple[str, ...]
    complaint: str
    rights: dict[RightType, str]
    completion_details: dict[RightType, str]
    months: tuple[str, ...]  # month names, January first
    date_format: str  # {day}, {month}, {year}
    month_counts: dict[int, str]  # an extension's length: 1 and 2 months
    mails: dict[MailTemplate, MailText]
    pages: dict[str, tuple[str, str]]  # page -> (title, text)
    first_day: str = "1"  # how the first day of a month is written: French writes "1er"


# ---------------------------------------------------------------- English

_EN_COMPLAINT = (
    "You have the right to lodge a complaint with a supervisory authority: in the Netherlands the "
    f"Autoriteit Persoonsgegevens ({DUTCH_AUTHORITY_URL}), or the supervisory authority of your country "
    "(where you live or work, or where the alleged infringement took place). You may also seek a "
    "judicial remedy."
)

EN = LanguagePack(
    greeting="Hello,",
    closing=("Kind regards,\nThe privacy team", "This message was sent automatically."),
    complaint=_EN_COMPLAINT,
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
                _EN_COMPLAINT,
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
                _EN_COMPLAINT,
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

# ---------------------------------------------------------------- Dutch

_NL_COMPLAINT = (
    "U hebt het recht een klacht in te dienen bij een toezichthoudende autoriteit: in Nederland de "
    f"Autoriteit Persoonsgegevens ({DUTCH_AUTHORITY_URL}), of de toezichthoudende autoriteit van uw land "
    "(waar u woont of werkt, of waar de vermeende inbreuk plaatsvond). U kunt ook naar de rechter stappen."
)

NL = LanguagePack(
    greeting="Geachte heer, mevrouw,",
    closing=("Met vriendelijke groet,\nHet privacyteam", "Dit bericht is automatisch verstuurd."),
    complaint=_NL_COMPLAINT,
    rights={
        RightType.ACCESS: "inzage in uw persoonsgegevens, art. 15 AVG",
        RightType.PORTABILITY: "dataportabiliteit, art. 20 AVG",
        RightType.RECTIFICATION: "rectificatie van uw persoonsgegevens, art. 16 AVG",
        RightType.ERASURE: "verwijdering van uw persoonsgegevens, art. 17 AVG",
        RightType.RESTRICTION: "beperking van de verwerking, art. 18 AVG",
        RightType.OBJECTION: "bezwaar tegen de verwerking, art. 21 AVG",
        RightType.CONSENT_WITHDRAWAL: "intrekking van toestemming, art. 7 lid 3 AVG",
        RightType.UNCLASSIFIED: "een verzoek over uw persoonsgegevens",
    },
    completion_details={
        RightType.ACCESS: "De gegevens hebben wij u in een afzonderlijke e-mail gestuurd.",
        RightType.PORTABILITY: "De gegevens hebben wij u in een afzonderlijke e-mail gestuurd.",
        RightType.RECTIFICATION: "Wij hebben uw gegevens gecorrigeerd in onze systemen en bij onze "
        "helpdeskleverancier.",
        RightType.ERASURE: "Wij hebben uw persoonsgegevens verwijderd uit onze systemen en bij onze "
        "helpdeskleverancier. Van het verzoek zelf bewaren wij een registratie, zodat wij kunnen aantonen "
        "hoe wij het hebben afgehandeld.",
        RightType.RESTRICTION: "Wij hebben de verwerking van uw gegevens beperkt: wij bewaren ze, maar "
        "gebruiken ze verder niet totdat de beperking wordt opgeheven. Wij laten het u weten voordat dat "
        "gebeurt.",
        RightType.OBJECTION: "Wij hebben de verwerking waartegen u bezwaar maakte gestaakt.",
        RightType.CONSENT_WITHDRAWAL: "Wij hebben de intrekking van uw toestemming vastgelegd en de "
        "gespreksopnamen die daarop berustten verwijderd.",
        RightType.UNCLASSIFIED: "",
    },
    months=(
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    date_format="{day} {month} {year}",
    month_counts={1: "een maand", 2: "twee maanden"},
    mails={
        MailTemplate.ACKNOWLEDGEMENT: MailText(
            "Bevestig uw privacyverzoek ({reference})",
            (
                "Wij hebben een verzoek ontvangen over persoonsgegevens die bij dit e-mailadres horen: {right}.",
                "Om persoonsgegevens te beschermen, voeren wij een verzoek pas uit nadat de houder van dit "
                "e-mailadres het heeft bevestigd. Hebt u dit verzoek verstuurd? Open dan binnen {valid_days} "
                "dagen deze link. Die opent een pagina die vermeldt wat het uitvoeren van het verzoek doet; "
                "daar bevestigt u het met een knop, en kunt u ook een ander recht kiezen:",
                Link("verify_url"),
                "Het openen van de link verandert op zich niets. Hebt u dit verzoek niet verstuurd, dan hoeft "
                "u niets te doen: zonder uw bevestiging op die pagina gebeurt er niets.",
                "Wij antwoorden binnen een maand na ontvangst van het verzoek, dus uiterlijk op {due_date}. "
                "Uw kenmerk: {reference}.",
            ),
        ),
        MailTemplate.EXPORT: MailText(
            "Uw persoonsgegevens ({reference})",
            (
                "Zoals u hebt gevraagd, vindt u in de bijlage een kopie van de persoonsgegevens die wij over "
                "u hebben, in een machineleesbaar formaat (JSON). Uw kenmerk: {reference}.",
                "Het bestand vermeldt ook waarom wij de gegevens verwerken, op welke grondslag, wie ze "
                "ontvangt, hoe lang wij ze bewaren, waar ze vandaan komen en welke rechten u hebt.",
                "Klopt er iets niet, dan kunt u ons vragen het te corrigeren.",
            ),
        ),
        MailTemplate.COMPLETION: MailText(
            "Uw privacyverzoek is uitgevoerd ({reference})",
            (
                "Uw verzoek ({right}) is uitgevoerd op {completed_date}. Uw kenmerk: {reference}.",
                "{completion_detail}",
            ),
        ),
        MailTemplate.EXTENSION: MailText(
            "Meer tijd nodig voor uw privacyverzoek ({reference})",
            (
                "Wij hebben meer tijd nodig om uw verzoek ({right}) van {received_date} te beantwoorden. De "
                "wet staat toe de termijn zo nodig met ten hoogste twee maanden te verlengen; wij verlengen "
                "hem met {months}, tot {extended_due_date}.",
                "De reden:",
                Quote("reason"),
                "Uw kenmerk: {reference}.",
            ),
        ),
        MailTemplate.REJECTION: MailText(
            "Uw privacyverzoek ({reference})",
            (
                "Wij kunnen uw verzoek ({right}) van {received_date} niet uitvoeren, om de volgende redenen:",
                Items("reasons"),
                _NL_COMPLAINT,
                "Uw kenmerk: {reference}.",
            ),
        ),
        MailTemplate.OBJECTION_UPHELD: MailText(
            "Uw bezwaar is toegewezen ({reference})",
            (
                "Wij hebben uw bezwaar tegen de verwerking van uw persoonsgegevens beoordeeld en toegewezen. "
                "Wij staken deze verwerking en verwijderen uw gegevens; u ontvangt een bevestiging zodra dat "
                "is gebeurd.",
                "Uw kenmerk: {reference}.",
            ),
        ),
        MailTemplate.OBJECTION_NOT_UPHELD: MailText(
            "Beslissing op uw bezwaar ({reference})",
            (
                "Wij hebben uw bezwaar van {received_date} tegen de verwerking van uw persoonsgegevens "
                "beoordeeld. Wij hebben dwingende gerechtvaardigde gronden voor de verwerking die zwaarder "
                "wegen dan uw belangen, rechten en vrijheden, of de verwerking is nodig voor een "
                "rechtsvordering:",
                Quote("grounds"),
                "De beperking van de verwerking die gold terwijl wij uw bezwaar beoordeelden, wordt daarom "
                "opgeheven.",
                _NL_COMPLAINT,
                "Uw kenmerk: {reference}.",
            ),
        ),
        MailTemplate.RESTRICTION_LIFTED: MailText(
            "Beperking van de verwerking opgeheven ({reference})",
            (
                "De beperking van de verwerking van uw persoonsgegevens, die gold naar aanleiding van uw "
                "verzoek ({right}), wordt opgeheven. Vanaf nu verwerken wij uw gegevens weer zoals "
                "beschreven in onze privacyverklaring.",
                "Uw kenmerk: {reference}.",
            ),
        ),
    },
    pages={
        "confirmed": (
            "Verzoek bevestigd",
            "Dank u. Uw verzoek is bevestigd. Wij antwoorden per e-mail binnen de wettelijke termijn, "
            "uiterlijk op {due_date}.",
        ),
        "gone": (
            "Link niet meer geldig",
            "Deze link is verlopen of al gebruikt. Hebt u uw verzoek al bevestigd, dan hoeft u niets meer te "
            "doen. Anders kunt u uw verzoek opnieuw sturen.",
        ),
        "missing": ("Link onvolledig", "Deze link is onvolledig. Open de volledige link uit de e-mail."),
        "unavailable": (
            "Tijdelijk niet beschikbaar",
            "Wij konden uw verzoek nu niet bevestigen. Open de link over een paar minuten opnieuw.",
        ),
    },
)

# ---------------------------------------------------------------- German

_DE_COMPLAINT = (
    "Sie haben das Recht, sich bei einer Aufsichtsbehörde zu beschweren: in den Niederlanden bei der "
    f"Autoriteit Persoonsgegevens ({DUTCH_AUTHORITY_URL}) oder bei der Aufsichtsbehörde Ihres Landes (in dem "
    "Sie wohnen oder arbeiten oder in dem der mutmaßliche Verstoß stattfand). Sie können auch einen "
    "gerichtlichen Rechtsbehelf einlegen."
)

DE = LanguagePack(
    greeting="Guten Tag,",
    closing=("Mit freundlichen Grüßen\nIhr Datenschutzteam", "Diese Nachricht wurde automatisch versendet."),
    complaint=_DE_COMPLAINT,
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
                _DE_COMPLAINT,
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
                _DE_COMPLAINT,
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

# ---------------------------------------------------------------- French

_FR_COMPLAINT = (
    "Vous avez le droit d'introduire une réclamation auprès d'une autorité de contrôle : aux Pays-Bas, "
    f"l'Autoriteit Persoonsgegevens ({DUTCH_AUTHORITY_URL}), ou l'autorité de contrôle de votre pays (où "
    "vous résidez ou travaillez, ou où la violation présumée a eu lieu). Vous pouvez également former un "
    "recours juridictionnel."
)

FR = LanguagePack(
    greeting="Madame, Monsieur,",
    closing=("Cordialement,\nL'équipe Protection des données", "Ce message a été envoyé automatiquement."),
    complaint=_FR_COMPLAINT,
    rights={
        RightType.ACCESS: "accès à vos données personnelles, art. 15 du RGPD",
        RightType.PORTABILITY: "portabilité des données, art. 20 du RGPD",
        RightType.RECTIFICATION: "rectification de vos données personnelles, art. 16 du RGPD",
        RightType.ERASURE: "effacement de vos données personnelles, art. 17 du RGPD",
        RightType.RESTRICTION: "limitation du traitement, art. 18 du RGPD",
        RightType.OBJECTION: "opposition au traitement, art. 21 du RGPD",
        RightType.CONSENT_WITHDRAWAL: "retrait du consentement, art. 7, paragraphe 3, du RGPD",
        RightType.UNCLASSIFIED: "demande concernant vos données personnelles",
    },
    completion_details={
        RightType.ACCESS: "Nous vous avons envoyé les données dans un e-mail séparé.",
        RightType.PORTABILITY: "Nous vous avons envoyé les données dans un e-mail séparé.",
        RightType.RECTIFICATION: "Nous avons rectifié vos données dans nos systèmes et chez notre prestataire "
        "de service d'assistance.",
        RightType.ERASURE: "Nous avons effacé vos données personnelles de nos systèmes et chez notre "
        "prestataire de service d'assistance. Nous conservons une trace de la demande elle-même, afin de "
        "pouvoir démontrer comment nous l'avons traitée.",
        RightType.RESTRICTION: "Nous avons limité le traitement de vos données : nous les conservons, mais ne "
        "les utilisons plus jusqu'à la levée de la limitation. Nous vous informerons avant que cela ne se "
        "produise.",
        RightType.OBJECTION: "Nous avons cessé le traitement auquel vous vous êtes opposé(e).",
        RightType.CONSENT_WITHDRAWAL: "Nous avons enregistré le retrait de votre consentement et supprimé les "
        "enregistrements d'appels qui reposaient sur celui-ci.",
        RightType.UNCLASSIFIED: "",
    },
    months=(
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    date_format="{day} {month} {year}",
    month_counts={1: "un mois", 2: "deux mois"},
    first_day="1er",
    mails={
        MailTemplate.ACKNOWLEDGEMENT: MailText(
            "Veuillez confirmer votre demande relative à vos données ({reference})",
            (
                "Nous avons reçu une demande concernant des données personnelles liées à cette adresse "
                "e-mail : {right}.",
                "Pour protéger les données personnelles, nous ne traitons une demande qu'après sa confirmation "
                "par le titulaire de cette adresse e-mail. Si vous avez envoyé cette demande, veuillez ouvrir "
                "ce lien dans les {valid_days} jours. Il ouvre une page qui indique ce que l'exécution de la "
                "demande entraîne ; vous y confirmez à l'aide d'un bouton, et pouvez aussi choisir un autre "
                "droit :",
                Link("verify_url"),
                "Ouvrir le lien ne change rien en soi. Si vous n'avez pas envoyé cette demande, vous n'avez "
                "rien à faire : sans votre confirmation sur cette page, rien ne se passe.",
                "Nous répondrons dans un délai d'un mois à compter de la réception de la demande, soit au plus "
                "tard le {due_date}. Votre référence : {reference}.",
            ),
        ),
        MailTemplate.EXPORT: MailText(
            "Vos données personnelles ({reference})",
            (
                "Comme vous l'avez demandé, vous trouverez en pièce jointe une copie des données personnelles "
                "que nous détenons à votre sujet, dans un format lisible par machine (JSON). Votre "
                "référence : {reference}.",
                "Le fichier indique aussi pourquoi nous traitons ces données, sur quelle base juridique, qui "
                "les reçoit, combien de temps nous les conservons, d'où elles proviennent et quels sont vos "
                "droits.",
                "Si une information est inexacte, vous pouvez nous demander de la rectifier.",
            ),
        ),
        MailTemplate.COMPLETION: MailText(
            "Votre demande relative à vos données a été exécutée ({reference})",
            (
                "Votre demande ({right}) a été exécutée le {completed_date}. Votre référence : {reference}.",
                "{completion_detail}",
            ),
        ),
        MailTemplate.EXTENSION: MailText(
            "Délai prolongé pour votre demande ({reference})",
            (
                "Nous avons besoin de plus de temps pour répondre à votre demande ({right}) du "
                "{received_date}. La loi permet de prolonger le délai de deux mois au maximum si nécessaire ; "
                "nous le prolongeons de {months}, jusqu'au {extended_due_date}.",
                "La raison :",
                Quote("reason"),
                "Votre référence : {reference}.",
            ),
        ),
        MailTemplate.REJECTION: MailText(
            "Votre demande relative à vos données ({reference})",
            (
                "Nous ne pouvons pas donner suite à votre demande ({right}) du {received_date}, pour les "
                "raisons suivantes :",
                Items("reasons"),
                _FR_COMPLAINT,
                "Votre référence : {reference}.",
            ),
        ),
        MailTemplate.OBJECTION_UPHELD: MailText(
            "Votre opposition est acceptée ({reference})",
            (
                "Nous avons examiné votre opposition au traitement de vos données personnelles et nous "
                "l'acceptons. Nous cessons ce traitement et effaçons vos données ; vous recevrez une "
                "confirmation dès que ce sera fait.",
                "Votre référence : {reference}.",
            ),
        ),
        MailTemplate.OBJECTION_NOT_UPHELD: MailText(
            "Décision sur votre opposition ({reference})",
            (
                "Nous avons examiné votre opposition du {received_date} au traitement de vos données "
                "personnelles. Il existe des motifs légitimes et impérieux pour le traitement qui prévalent "
                "sur vos intérêts, droits et libertés, ou le traitement est nécessaire à la constatation, à "
                "l'exercice ou à la défense de droits en justice :",
                Quote("grounds"),
                "La limitation du traitement qui s'appliquait pendant l'examen de votre opposition est donc "
                "levée.",
                _FR_COMPLAINT,
                "Votre référence : {reference}.",
            ),
        ),
        MailTemplate.RESTRICTION_LIFTED: MailText(
            "Levée de la limitation du traitement ({reference})",
            (
                "La limitation du traitement de vos données personnelles, appliquée à la suite de votre "
                "demande ({right}), est levée. Désormais, nous traitons à nouveau vos données comme décrit "
                "dans notre déclaration de confidentialité.",
                "Votre référence : {reference}.",
            ),
        ),
    },
    pages={
        "confirmed": (
            "Demande confirmée",
            "Merci. Votre demande est confirmée. Nous vous répondrons par e-mail dans le délai légal, au plus "
            "tard le {due_date}.",
        ),
        "gone": (
            "Lien plus valable",
            "Ce lien a expiré ou a déjà été utilisé. Si vous avez déjà confirmé votre demande, vous n'avez "
            "plus rien à faire. Sinon, veuillez renvoyer votre demande.",
        ),
        "missing": (
            "Lien incomplet",
            "Ce lien est incomplet. Veuillez ouvrir le lien complet figurant dans l'e-mail.",
        ),
        "unavailable": (
            "Temporairement indisponible",
            "Nous n'avons pas pu confirmer votre demande pour le moment. Veuillez rouvrir le lien dans "
            "quelques minutes.",
        ),
    },
)

PACKS: Final[dict[Language, LanguagePack]] = {"nl": NL, "de": DE, "en": EN, "fr": FR}


# ---------------------------------------------------------------- the confirmation page (GET shows, POST confirms)


@dataclass(frozen=True)
class ConfirmTexts:
    """The confirmation page: what was read from the mail, what carrying out each right does, the form."""

    title: str
    read: str  # {right}: the right read from the mail
    unclassified: str  # the mail did not say which right: the person picks one
    legend: str
    effects: dict[RightType, str]  # what carrying out each right does
    submit: str
    not_you: str
    reference: str  # {reference}
    choose_error: str  # the form came back without one of the seven rights (422; nothing was consumed)


CONFIRM: Final[dict[Language, ConfirmTexts]] = {
    "en": ConfirmTexts(
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
    ),
    "nl": ConfirmTexts(
        title="Bevestig uw privacyverzoek",
        read="Wij hebben een verzoek ontvangen over de persoonsgegevens die bij uw e-mailadres horen. Uit uw "
        "bericht begrepen wij: {right}. Lees hieronder wat dat betekent, kies een ander recht als u iets "
        "anders bedoelde, en bevestig.",
        unclassified="Wij hebben een verzoek ontvangen over de persoonsgegevens die bij uw e-mailadres horen, "
        "maar konden uit uw bericht niet opmaken welk recht u wilt uitoefenen. Kies er hieronder een en "
        "bevestig.",
        legend="Wat moeten wij doen?",
        effects={
            RightType.ACCESS: "Wij sturen u per e-mail naar dit adres een kopie van de persoonsgegevens die wij "
            "over u hebben (uw vragen, helpdesktickets en gespreksopnamen), als JSON-bestand. Er wordt niets "
            "gewijzigd of verwijderd.",
            RightType.PORTABILITY: "Wij sturen u per e-mail de persoonsgegevens die u ons hebt gegeven, in een "
            "machineleesbaar bestand (JSON), zodat u ze aan een andere organisatie kunt doorgeven. Er wordt "
            "niets gewijzigd of verwijderd.",
            RightType.RECTIFICATION: "Ons privacyteam corrigeert de onjuiste gegevens, in onze systemen en bij "
            "onze helpdeskleverancier. Stond in uw bericht niet wat er moet worden gecorrigeerd, dan vragen "
            "wij het u.",
            RightType.ERASURE: "Wij verwijderen uw vragen, uw helpdesktickets en uw gespreksopnamen. Dit kan "
            "niet ongedaan worden gemaakt. Wij bewaren alleen een registratie van dit verzoek, om te kunnen "
            "aantonen hoe wij het hebben afgehandeld.",
            RightType.RESTRICTION: "Wij bewaren uw gegevens, maar gebruiken ze niet meer (uw vragen, tickets en "
            "opnamen worden als beperkt gemarkeerd) totdat de beperking wordt opgeheven; wij laten het u "
            "weten voordat dat gebeurt.",
            RightType.OBJECTION: "Wij gebruiken uw gegevens niet meer voor de verwerking waartegen u bezwaar "
            "maakt, terwijl ons privacyteam uw bezwaar beoordeelt. Wordt het toegewezen, dan worden uw "
            "gegevens verwijderd; anders laten wij u weten waarom niet.",
            RightType.CONSENT_WITHDRAWAL: "Wij leggen vast dat u uw toestemming intrekt en verwijderen de "
            "gespreksopnamen die daarop berustten. Dit kan niet ongedaan worden gemaakt.",
        },
        submit="Verzoek bevestigen",
        not_you="Hebt u dit verzoek niet verstuurd? Sluit dan deze pagina: zonder uw bevestiging gebeurt er "
        "niets.",
        reference="Uw kenmerk: {reference}.",
        choose_error="Kies hieronder een van de rechten.",
    ),
    "de": ConfirmTexts(
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
    ),
    "fr": ConfirmTexts(
        title="Confirmez votre demande relative à vos données",
        read="Nous avons reçu une demande concernant les données personnelles liées à votre adresse e-mail. "
        "Nous avons compris de votre message : {right}. Vérifiez ci-dessous ce que cela signifie, choisissez "
        "un autre droit si vous vouliez dire autre chose, puis confirmez.",
        unclassified="Nous avons reçu une demande concernant les données personnelles liées à votre adresse "
        "e-mail, mais n'avons pas pu déterminer d'après votre message quel droit vous souhaitez exercer. "
        "Veuillez en choisir un ci-dessous, puis confirmer.",
        legend="Que devons-nous faire ?",
        effects={
            RightType.ACCESS: "Nous vous envoyons par e-mail à cette adresse une copie des données personnelles "
            "que nous détenons à votre sujet (vos demandes, tickets d'assistance et enregistrements d'appels), "
            "sous forme de fichier JSON. Rien n'est modifié ni supprimé.",
            RightType.PORTABILITY: "Nous vous envoyons par e-mail les données personnelles que vous nous avez "
            "fournies, dans un fichier lisible par machine (JSON), afin que vous puissiez les transmettre à un "
            "autre organisme. Rien n'est modifié ni supprimé.",
            RightType.RECTIFICATION: "Notre équipe Protection des données rectifie les données inexactes, dans "
            "nos systèmes et chez notre prestataire d'assistance. Si votre message ne précisait pas quoi "
            "rectifier, nous vous le demanderons.",
            RightType.ERASURE: "Nous supprimons vos demandes, vos tickets d'assistance et vos enregistrements "
            "d'appels. Cette opération est irréversible. Nous ne conservons qu'une trace de cette demande, "
            "pour pouvoir démontrer comment nous l'avons traitée.",
            RightType.RESTRICTION: "Nous conservons vos données mais cessons de les utiliser (vos demandes, "
            "tickets et enregistrements sont marqués comme limités) jusqu'à la levée de la limitation ; nous "
            "vous prévenons avant.",
            RightType.OBJECTION: "Nous cessons d'utiliser vos données pour le traitement auquel vous vous "
            "opposez pendant que notre équipe examine votre opposition. Si elle est acceptée, vos données sont "
            "supprimées ; sinon, nous vous en donnons les raisons.",
            RightType.CONSENT_WITHDRAWAL: "Nous enregistrons le retrait de votre consentement et supprimons les "
            "enregistrements d'appels qui reposaient sur celui-ci. Cette opération est irréversible.",
        },
        submit="Confirmer la demande",
        not_you="Si vous n'avez pas envoyé cette demande, fermez simplement cette page : rien ne se passe sans "
        "votre confirmation.",
        reference="Votre référence : {reference}.",
        choose_error="Veuillez choisir l'un des droits ci-dessous.",
    ),
}
