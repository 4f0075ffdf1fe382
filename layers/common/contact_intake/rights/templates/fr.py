# ruff: noqa: E501 - prose: a sentence split at 110 columns reads worse than a long line
"""The French wording: every rights mail, the pages after the link, and the confirmation page."""

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
    "Vous avez le droit d'introduire une réclamation auprès d'une autorité de contrôle : aux Pays-Bas, "
    f"l'Autoriteit Persoonsgegevens ({DUTCH_AUTHORITY_URL}), ou l'autorité de contrôle de votre pays (où "
    "vous résidez ou travaillez, ou où la violation présumée a eu lieu). Vous pouvez également former un "
    "recours juridictionnel."
)

PACK: Final = LanguagePack(
    greeting="Madame, Monsieur,",
    closing=("Cordialement,\nL'équipe Protection des données", "Ce message a été envoyé automatiquement."),
    complaint=_COMPLAINT,
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
                _COMPLAINT,
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
                _COMPLAINT,
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


# ---------------------------------------------------------------- the confirmation page (GET shows, POST confirms)

CONFIRM_PAGE: Final = ConfirmTexts(
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
)
