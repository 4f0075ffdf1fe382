# ruff: noqa: E501 - prose: a sentence split at 110 columns reads worse than a long line
"""The Dutch wording: every rights mail, the pages after the link, and the confirmation page."""

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
    "U hebt het recht een klacht in te dienen bij een toezichthoudende autoriteit: in Nederland de "
    f"Autoriteit Persoonsgegevens ({DUTCH_AUTHORITY_URL}), of de toezichthoudende autoriteit van uw land "
    "(waar u woont of werkt, of waar de vermeende inbreuk plaatsvond). U kunt ook naar de rechter stappen."
)

PACK: Final = LanguagePack(
    greeting="Geachte heer, mevrouw,",
    closing=("Met vriendelijke groet,\nHet privacyteam", "Dit bericht is automatisch verstuurd."),
    complaint=_COMPLAINT,
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
                _COMPLAINT,
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
                _COMPLAINT,
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


# ---------------------------------------------------------------- the confirmation page (GET shows, POST confirms)

CONFIRM_PAGE: Final = ConfirmTexts(
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
)
