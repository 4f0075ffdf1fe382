"""The texts of the classifier corpus (see tools/build_mail_corpus.py): genuine requests for each of the
seven rights in four languages, each asked in the person's own text above quoted history that names
other rights, and ordinary mails that merely use the words (the traps)."""

from __future__ import annotations

from tools.build_mail_corpus import Mail

# What the shop wrote earlier: quoted below replies. Each names rights, so a classifier that reads the
# quote goes wrong.
SHOP_ANSWER = {
    "en": (
        "Dear customer,\n\nThank you for your order 10234. It has been shipped today.\n\n"
        "You can object to marketing at any time, ask us to delete your data or withdraw your consent.\n\n"
        "Kind regards,\nPetshop Service"
    ),
    "nl": (
        "Beste klant,\n\nBedankt voor uw bestelling 10234. Deze is vandaag verzonden.\n\n"
        "U kunt altijd bezwaar maken tegen marketing, uw gegevens laten verwijderen of uw toestemming "
        "intrekken.\n\nMet vriendelijke groet,\nPetshop Service"
    ),
    "de": (
        "Sehr geehrte Kundin, sehr geehrter Kunde,\n\nvielen Dank für Ihre Bestellung 10234. Sie wurde heute "
        "versandt.\n\nSie können der Verarbeitung Ihrer Daten jederzeit widersprechen, die Löschung Ihrer "
        "Daten verlangen oder Ihre Einwilligung widerrufen.\n\nMit freundlichen Grüßen\nPetshop Service"
    ),
    "fr": (
        "Chère cliente, cher client,\n\nMerci pour votre commande 10234, expédiée aujourd'hui.\n\n"
        "Vous pouvez vous opposer à la prospection, demander la suppression de vos données ou retirer "
        "votre consentement à tout moment.\n\nCordialement,\nPetshop Service"
    ),
}

FOOTER = {
    "en": (
        "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and intended solely for "
        "the addressee. If you have received this e-mail in error, please notify the sender immediately "
        "and delete it from your system. Any unauthorised use, disclosure or copying is prohibited."
    ),
    "nl": (
        "DISCLAIMER: Dit e-mailbericht is uitsluitend bestemd voor de geadresseerde. Indien u dit bericht "
        "abusievelijk heeft ontvangen, wordt u verzocht het te verwijderen en de afzender onmiddellijk te "
        "informeren. Aan dit bericht kunnen geen rechten worden ontleend."
    ),
    "de": (
        "Diese E-Mail enthält vertrauliche und/oder rechtlich geschützte Informationen. Wenn Sie nicht der "
        "richtige Adressat sind oder diese E-Mail irrtümlich erhalten haben, informieren Sie bitte sofort "
        "den Absender und löschen Sie diese Mail. Das unerlaubte Kopieren sowie die unbefugte Weitergabe "
        "dieser Mail sind nicht gestattet."
    ),
    "fr": (
        "Ce message et toutes les pièces jointes sont confidentiels et établis à l'intention exclusive de "
        "ses destinataires. Si vous avez reçu ce message par erreur, merci de le supprimer et d'en avertir "
        "immédiatement l'expéditeur. Toute utilisation non autorisée est interdite."
    ),
}

ANNA = ("Anna de Vries", "anna.devries@example.org")
DAAN = ("Daan Bos", "daan.bos@example.nl")
KEES = ("Kees Visser", "kees.visser@example.net")
KLAUS = ("Klaus Weber", "klaus.weber@example.de")
SABINE = ("Sabine Müller", "sabine.mueller@example.com")
JACK = ("Jack Robinson", "jack.robinson@example.com")
EMMA = ("Emma Clarke", "emma.clarke@example.co.uk")
MARIE = ("Marie Dubois", "marie.dubois@example.fr")
LUC = ("Luc Martin", "luc.martin@example.be")

OOO = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}

GENUINE: list[Mail] = [
    # ---------------------------------------------------------------- Dutch
    Mail(
        "nl_access_gmail_reply", "nl", "access", "gmail_reply", "Re: Uw bestelling 10234",
        "Hallo,\n\nIk wil graag inzage in alle persoonsgegevens die u van mij heeft opgeslagen "
        "(artikel 15 AVG).\n\nMet vriendelijke groet,\nAnna de Vries",
        SHOP_ANSWER["nl"], sender=ANNA,
    ),
    Mail(
        "nl_portability_outlook_desktop", "nl", "portability", "outlook_desktop", "RE: Uw account",
        "Goedemiddag,\n\nGraag ontvang ik al mijn gegevens in een machineleesbaar formaat (CSV of JSON), "
        "zodat ik ze naar een andere aanbieder kan overzetten. Dit is mijn recht op dataportabiliteit.\n\n"
        "Groet,\nDaan Bos",
        SHOP_ANSWER["nl"], sender=DAAN, charset="windows-1252",
    ),
    Mail(
        "nl_rectification_iphone", "nl", "rectification", "iphone_reply", "Re: Verzending",
        "Mijn adres klopt niet meer, ik ben verhuisd naar Dorpsstraat 12, 3511 AB Utrecht. Kunt u dit "
        "corrigeren?",
        SHOP_ANSWER["nl"], sender=KEES,
    ),
    Mail(
        "nl_erasure_outlook_web", "nl", "erasure", "outlook_web", "RE: Nieuwsbrief",
        "Beste klantenservice,\n\nIk wil dat u al mijn persoonsgegevens verwijdert en mijn account "
        "opheft. Dit is een verzoek op grond van artikel 17 AVG.\n\nGroeten,\nAnna",
        SHOP_ANSWER["nl"], sender=ANNA, cte="base64",
    ),
    Mail(
        "nl_restriction_thunderbird", "nl", "restriction", "thunderbird_reply", "Re: Uw gegevens",
        "Geachte heer, mevrouw,\n\nZolang u nog onderzoekt of mijn gegevens kloppen, verzoek ik om beperking "
        "van de verwerking van mijn gegevens.\n\n-- \nDaan Bos\nTel. 06-12345678",
        SHOP_ANSWER["nl"], sender=DAAN, charset="iso-8859-1",
    ),
    Mail(
        "nl_objection_marketing_outlook_mobile", "nl", "objection", "outlook_mobile", "RE: Aanbiedingen",
        "Ik wil geen reclame en nieuwsbrieven meer van jullie ontvangen. Stop alstublieft met het "
        "gebruiken van mijn gegevens voor marketing.",
        SHOP_ANSWER["nl"], sender=KEES,
    ),
    Mail(
        "nl_consent_withdrawal_own_forward", "nl", "consent_withdrawal", "gmail_forward",
        "Fwd: Opnames telefoongesprekken",
        "Zie hieronder, dit had ik naar het verkeerde adres gestuurd.",
        "Beste medewerker,\n\nBij mijn telefoontje van vorige week heb ik toestemming gegeven voor het "
        "opnemen van het gesprek. Ik trek die toestemming hierbij in.\n\nGroet,\nKees Visser",
        sender=KEES, quoted_from=KEES, note="the person forwards their own earlier mail: it is their text",
    ),
    Mail(
        "nl_objection_unsubscribe_plain", "nl", "objection", "plain", "Afmelden",
        "Hallo,\n\nGraag uitschrijven voor de nieuwsbrief, ik wil geen mails met aanbiedingen meer "
        "ontvangen.\n\nGroet,\nAnna",
        sender=ANNA, cte="8bit",
    ),
    # ---------------------------------------------------------------- German
    Mail(
        "de_access_outlook_original", "de", "access", "outlook_original", "AW: Rechnung 2025-118",
        "Sehr geehrte Damen und Herren,\n\nich bitte um Auskunft nach Art. 15 DSGVO über alle zu meiner "
        "Person gespeicherten Daten.\n\nMit freundlichen Grüßen\nKlaus Weber",
        "Sehr geehrter Herr Weber,\n\nanbei Ihre Rechnung. Ein Widerspruch gegen diese Rechnung ist "
        "innerhalb von 14 Tagen möglich.\n\nPetshop Service",
        sender=KLAUS, charset="iso-8859-1",
    ),
    Mail(
        "de_portability_gmail_reply", "de", "portability", "gmail_reply", "Re: Ihr Kundenkonto",
        "Hallo,\n\nbitte senden Sie mir meine Daten in einem maschinenlesbaren Format "
        "(Datenübertragbarkeit nach Art. 20 DSGVO).\n\nDanke\nSabine Müller",
        SHOP_ANSWER["de"], sender=SABINE, cte="base64",
    ),
    Mail(
        "de_rectification_iphone", "de", "rectification", "iphone_reply", "Re: Lieferung",
        "Mein Nachname ist falsch geschrieben: richtig ist Müller, nicht Muller. Bitte berichtigen Sie das "
        "in meinem Kundenkonto.",
        SHOP_ANSWER["de"], sender=SABINE,
    ),
    Mail(
        "de_erasure_thunderbird", "de", "erasure", "thunderbird_reply", "Re: Ihre Bestellung",
        "Guten Tag,\n\nhiermit fordere ich Sie auf, alle meine personenbezogenen Daten gemäß Art. 17 DSGVO "
        "zu löschen.\n\nKlaus Weber",
        SHOP_ANSWER["de"], sender=KLAUS, charset="windows-1252",
    ),
    Mail(
        "de_restriction_outlook_html", "de", "restriction", "outlook_desktop_html_only", "AW: Ihre Daten",
        "Sehr geehrte Damen und Herren,\n\nich bestreite die Richtigkeit meiner gespeicherten Daten. Bis zur "
        "Klärung verlange ich die Einschränkung der Verarbeitung nach Art. 18 DSGVO.\n\nKlaus Weber",
        SHOP_ANSWER["de"], sender=KLAUS,
    ),
    Mail(
        "de_objection_outlook_mobile", "de", "objection", "outlook_mobile", "AW: Angebote",
        "Ich widerspreche der Nutzung meiner Daten für Werbezwecke. Bitte schicken Sie mir keinen "
        "Newsletter mehr.",
        SHOP_ANSWER["de"], sender=SABINE,
    ),
    Mail(
        "de_consent_withdrawal_apple_forward", "de", "consent_withdrawal", "apple_forward",
        "WG: Telefonaufzeichnung",
        "Zur Info, bitte bearbeiten.",
        "Hallo,\n\nhiermit widerrufe ich meine Einwilligung zur Aufzeichnung meiner Telefongespräche.\n\n"
        "Sabine Müller",
        sender=SABINE, quoted_from=SABINE, note="Apple Mail forward of the person's own mail",
    ),
    Mail(
        "de_objection_newsletter_plain", "de", "objection", "plain", "Newsletter",
        "Guten Tag,\n\nbitte tragen Sie mich aus Ihrem Newsletter aus, ich möchte keine Werbung mehr "
        "bekommen.\n\nGruß\nKlaus Weber",
        sender=KLAUS, charset="iso-8859-1", cte="8bit",
    ),
    Mail(
        "de_erasure_polite_question", "de", "erasure", "gmail_reply", "Re: Kundenkonto",
        "Hallo,\n\nkönnen Sie bitte mein Kundenkonto und meine Daten löschen?\n\nViele Grüße\nSabine",
        SHOP_ANSWER["de"], sender=SABINE, note="a polite request phrased as a question is still a request",
    ),
    # ---------------------------------------------------------------- English
    Mail(
        "en_access_gmail_html_only", "en", "access", "gmail_html_only", "Re: Your order 10234",
        "Hi,\n\nUnder Article 15 GDPR I'd like a copy of all the personal data you hold about me.\n\nThanks,"
        "\nJack",
        SHOP_ANSWER["en"], sender=JACK,
    ),
    Mail(
        "en_portability_outlook_original", "en", "portability", "outlook_original", "RE: Account",
        "Hello,\n\nPlease send me my data in a machine-readable format so I can move it to another "
        "provider (data portability).\n\nRegards,\nEmma Clarke",
        SHOP_ANSWER["en"], sender=EMMA, charset="windows-1252",
    ),
    Mail(
        "en_rectification_thunderbird_html", "en", "rectification", "thunderbird_html", "Re: Delivery",
        "Hello,\nThe name on my account is incorrect: it should be Robinson, not Robertson. Please correct "
        "my details.\nJack",
        SHOP_ANSWER["en"], sender=JACK,
    ),
    Mail(
        "en_erasure_iphone", "en", "erasure", "iphone_reply", "Re: Spring sale!",
        "Please delete my account and all personal data you hold about me. I no longer want to be a "
        "customer.",
        SHOP_ANSWER["en"], sender=EMMA,
    ),
    Mail(
        "en_restriction_gmail_reply", "en", "restriction", "gmail_reply", "Re: Your data",
        "Hi,\n\nI'm disputing the accuracy of the data you hold. Until this is resolved, please restrict the "
        "processing of my personal data.\n\nEmma",
        SHOP_ANSWER["en"], sender=EMMA, cte="base64",
    ),
    Mail(
        "en_objection_outlook_mobile", "en", "objection", "outlook_mobile", "RE: New offers",
        "Please stop sending me marketing emails and newsletters. I object to the use of my data for direct "
        "marketing.",
        SHOP_ANSWER["en"], sender=JACK,
    ),
    Mail(
        "en_consent_withdrawal_outlook_web", "en", "consent_withdrawal", "outlook_web", "RE: Your call",
        "Hello,\n\nI withdraw my consent to the recording of my phone calls with your customer service.\n\n"
        "Jack Robinson",
        SHOP_ANSWER["en"], sender=JACK,
    ),
    Mail(
        "en_objection_unsubscribe_apple", "en", "objection", "apple_reply", "Re: Weekly deals",
        "Please unsubscribe me, I don't want any more promotional emails from you.",
        SHOP_ANSWER["en"], sender=EMMA,
    ),
    Mail(
        "en_erasure_polite_question", "en", "erasure", "plain", "Account",
        "Hi there,\n\nCould you please delete my account and all my data?\n\nThanks,\nEmma\n\n-- \nEmma "
        "Clarke | Brighton",
        sender=EMMA, cte="7bit",
    ),
    # ---------------------------------------------------------------- French
    Mail(
        "fr_access_gmail_reply", "fr", "access", "gmail_reply", "Re: Votre commande 10234",
        "Bonjour,\n\nConformément à l'article 15 du RGPD, je souhaite obtenir une copie de toutes les "
        "données personnelles que vous détenez à mon sujet.\n\nCordialement,\nMarie Dubois",
        SHOP_ANSWER["fr"], sender=MARIE, charset="iso-8859-1",
    ),
    Mail(
        "fr_portability_outlook_web", "fr", "portability", "outlook_web", "RE: Mon compte",
        "Bonjour,\n\nJe souhaite exercer mon droit à la portabilité : merci de m'envoyer mes données dans un "
        "format lisible par machine.\n\nLuc Martin",
        SHOP_ANSWER["fr"], sender=LUC,
    ),
    Mail(
        "fr_rectification_iphone", "fr", "rectification", "iphone_reply", "Re: Livraison",
        "Mon adresse est erronée. Merci de la corriger : 5 rue des Lilas, 69003 Lyon.",
        SHOP_ANSWER["fr"], sender=MARIE,
    ),
    Mail(
        "fr_erasure_thunderbird", "fr", "erasure", "thunderbird_reply", "Re: Votre compte",
        "Bonjour,\n\nJe vous demande de supprimer mon compte client et l'ensemble de mes données "
        "personnelles (article 17 du RGPD).\n\nLuc Martin",
        SHOP_ANSWER["fr"], sender=LUC, charset="windows-1252",
    ),
    Mail(
        "fr_restriction_outlook_desktop", "fr", "restriction", "outlook_desktop", "RE: Vos données",
        "Madame, Monsieur,\n\nJe conteste l'exactitude de mes données ; en attendant votre vérification, je "
        "demande la limitation du traitement de mes données (article 18 du RGPD).\n\nMarie Dubois",
        SHOP_ANSWER["fr"], sender=MARIE, charset="iso-8859-1",
    ),
    Mail(
        "fr_objection_gmail_html_only", "fr", "objection", "gmail_html_only", "Re: Promotions",
        "Bonjour,\n\nJe ne souhaite plus recevoir vos newsletters ni aucune publicité. Je m'oppose à "
        "l'utilisation de mes données à des fins de prospection.\n\nLuc",
        SHOP_ANSWER["fr"], sender=LUC,
    ),
    Mail(
        "fr_consent_withdrawal_outlook_mobile", "fr", "consent_withdrawal", "outlook_mobile",
        "RE: Votre appel",
        "Je retire mon consentement à l'enregistrement de mes appels téléphoniques.",
        SHOP_ANSWER["fr"], sender=MARIE,
    ),
    Mail(
        "fr_objection_unsubscribe_plain", "fr", "objection", "plain", "Désinscription",
        "Bonjour,\n\nMerci de me désinscrire de la newsletter, je ne veux plus recevoir de publicité.\n\n"
        "Marie",
        sender=MARIE, charset="windows-1252", cte="8bit",
    ),
]  # fmt: skip

TRAPS: list[Mail] = [
    # ---------------------------------------------------------------- English
    Mail(
        "en_trap_consent_given", "en", "unclassified", "plain", "Call back",
        "Hello,\n\nI agree to the call being recorded for training purposes. Please call me back on Tuesday "
        "about my order.\n\nJack",
        sender=JACK, note="consent given, not withdrawn",
    ),
    Mail(
        "en_trap_question_and_negation", "en", "unclassified", "gmail_reply", "Re: Your order 10234",
        "Hi,\n\nWhen do you delete customer data? Please delete nothing of mine, I still have an open "
        "order.\n\nEmma",
        SHOP_ANSWER["en"], sender=EMMA, accept=["access"],
    ),
    Mail(
        "en_trap_footer_outlook", "en", "unclassified", "outlook_desktop", "RE: Order 55412",
        f"Hello,\n\nWhere is my parcel? Order 55412 was due yesterday.\n\nRegards,\nJack Robinson\n\n"
        f"{FOOTER['en']}",
        SHOP_ANSWER["en"], sender=JACK, note="a confidentiality footer is no request",
    ),
    Mail(
        "en_trap_cancel_order", "en", "unclassified", "plain", "Cancel order 77120",
        "Hello,\n\nPlease cancel my order 77120 and refund me. I'd like to withdraw from the purchase, the "
        "dog bed is too small.\n\nEmma",
        sender=EMMA,
    ),
    Mail(
        "en_trap_billing_objection", "en", "unclassified", "outlook_original", "RE: Invoice 2025-118",
        "Hi,\n\nI object to the delivery charge on invoice 2025-118, the shipping was supposed to be free. "
        "Please remove it from the invoice.\n\nJack",
        "Dear Mr Robinson,\n\nPlease find your invoice attached.\n\nPetshop Service",
        sender=JACK, note="a billing objection, not Art. 21",
    ),
    Mail(
        "en_trap_complaint_withdrawn", "en", "unclassified", "iphone_reply", "Re: Your complaint",
        "I'd like to withdraw my complaint from last week, the replacement arrived. Thank you!",
        "Dear customer,\n\nWe have registered your complaint and will get back to you.\n\nPetshop Service",
        sender=EMMA,
    ),
    Mail(
        "en_trap_out_of_office_header", "en", "unclassified", "plain", "Automatic reply: Your order",
        "I am out of the office until 10 February with no access to email. Your message will not be "
        "forwarded and will be deleted. For urgent matters please contact my colleague.",
        sender=EMMA, headers=OOO,
    ),
    Mail(
        "en_trap_out_of_office_no_header", "en", "unclassified", "plain", "Out of Office: Spring sale",
        "Thank you for your email. I am currently out of the office with limited access to email and will "
        "return on 14 February. Emails received during my absence will be deleted; please resend after "
        "my return.",
        sender=JACK, note="no Auto-Submitted header: only the text says it",
    ),
    Mail(
        "en_trap_negated_access", "en", "access", "outlook_web", "RE: Your data",
        "I do not want my data deleted, I just want to know what personal data you store about me.",
        SHOP_ANSWER["en"], sender=JACK, accept=["unclassified"],
    ),
    Mail(
        "en_trap_thanks_reply", "en", "unclassified", "gmail_reply", "Re: Your request",
        "Thanks, that answers my question!\n\nEmma",
        SHOP_ANSWER["en"], sender=EMMA, note="the quote names every right",
    ),
    Mail(
        "en_trap_delete_attachment", "en", "unclassified", "plain", "Wrong photo",
        "Hello,\n\nSorry, I attached the wrong photo to my last mail, please delete it and use this one. The "
        "collar's buckle broke after two days.\n\nJack",
        sender=JACK,
    ),
    Mail(
        "en_trap_third_party_forward", "en", "unclassified", "gmail_forward",
        "Fwd: Your account will be closed",
        "Is this from you? It looks like phishing with your logo.",
        "Dear customer,\n\nYour account will be deleted in 24 hours. Click here to delete your account or "
        "to withdraw your consent. To stop receiving marketing emails, unsubscribe here.\n\nPetshop",
        sender=EMMA, quoted_from=("Petshop Security", "security@petshop-verify.example"),
        note="a forwarded third-party mail is not the person's request",
    ),
    # ---------------------------------------------------------------- German
    Mail(
        "de_trap_billing_widerspruch", "de", "unclassified", "outlook_desktop", "AW: Rechnung 4711",
        "Sehr geehrte Damen und Herren,\n\nWiderspruch gegen die Rechnung Nr. 4711: Die Versandkosten wurden "
        "doppelt berechnet.\n\nMit freundlichen Grüßen\nKlaus Weber",
        "Sehr geehrter Herr Weber,\n\nanbei Ihre Rechnung 4711.\n\nPetshop Service",
        sender=KLAUS, charset="iso-8859-1",
    ),
    Mail(
        "de_trap_widerruf_kauf", "de", "unclassified", "plain", "Widerruf Bestellung 88231",
        "Sehr geehrte Damen und Herren,\n\nhiermit widerrufe ich den Kaufvertrag über die Bestellung 88231 "
        "(Widerrufsrecht). Bitte erstatten Sie mir den Betrag.\n\nSabine Müller",
        sender=SABINE, charset="windows-1252",
    ),
    Mail(
        "de_trap_question_wann_loeschen", "de", "unclassified", "gmail_reply", "Re: Gastbestellung",
        "Hallo,\n\nwann löschen Sie eigentlich die Daten von Gastbestellungen? Ich frage nur aus "
        "Interesse.\n\nKlaus",
        SHOP_ANSWER["de"], sender=KLAUS, accept=["access"],
    ),
    Mail(
        "de_trap_nichts_loeschen", "de", "unclassified", "iphone_reply", "Re: Ihr Kundenkonto",
        "Bitte nichts löschen! Ich möchte mein Kundenkonto behalten, nur die Lieferadresse hat sich "
        "geändert.",
        SHOP_ANSWER["de"], sender=SABINE, accept=["rectification"],
    ),
    Mail(
        "de_trap_consent_given", "de", "unclassified", "plain", "Rückruf",
        "Guten Tag,\n\nich bin mit der Aufzeichnung des Gesprächs einverstanden. Bitte rufen Sie mich morgen "
        "zurück.\n\nKlaus Weber",
        sender=KLAUS, cte="base64",
    ),
    Mail(
        "de_trap_footer", "de", "unclassified", "outlook_web", "AW: Lieferung",
        f"Hallo,\n\nwann kommt meine Lieferung? Die Sendungsverfolgung zeigt nichts an.\n\nGruß\nSabine "
        f"Müller\n\n{FOOTER['de']}",
        SHOP_ANSWER["de"], sender=SABINE,
    ),
    Mail(
        "de_trap_out_of_office", "de", "unclassified", "plain", "Automatische Antwort: Ihre Bestellung",
        "Ich bin bis einschließlich 14.02. nicht im Büro. Ihre Nachricht wird nicht weitergeleitet und nach "
        "meiner Rückkehr gelöscht. In dringenden Fällen wenden Sie sich bitte an meine Kollegin.",
        sender=KLAUS, headers=OOO, charset="iso-8859-1",
    ),
    Mail(
        "de_trap_danke_reply", "de", "unclassified", "outlook_original", "AW: Ihre Anfrage",
        "Danke, hat sich erledigt.\n\nKlaus",
        SHOP_ANSWER["de"], sender=KLAUS,
    ),
    Mail(
        "de_trap_beschwerde_zurueck", "de", "unclassified", "thunderbird_reply", "Re: Ihre Beschwerde",
        "Hallo,\n\nich ziehe meine Beschwerde vom Montag zurück, das Paket ist doch angekommen.\n\nSabine",
        "Sehr geehrte Frau Müller,\n\nwir haben Ihre Beschwerde erhalten.\n\nPetshop Service",
        sender=SABINE,
    ),
    # ---------------------------------------------------------------- Dutch
    Mail(
        "nl_trap_bezwaar_verzendkosten", "nl", "unclassified", "gmail_reply", "Re: Factuur 2025-0098",
        "Hallo,\n\nIk maak bezwaar tegen de verzendkosten op factuur 2025-0098, die zouden gratis zijn.\n\n"
        "Groet,\nDaan",
        "Beste klant,\n\nIn de bijlage vindt u uw factuur.\n\nPetshop Service",
        sender=DAAN,
    ),
    Mail(
        "nl_trap_herroeping", "nl", "unclassified", "plain", "Herroeping bestelling 55120",
        "Geachte heer, mevrouw,\n\nIk maak gebruik van mijn herroepingsrecht voor bestelling 55120 en stuur "
        "het voer retour.\n\nMet vriendelijke groet,\nKees Visser",
        sender=KEES, charset="iso-8859-1",
    ),
    Mail(
        "nl_trap_niet_verwijderen_access", "nl", "access", "outlook_mobile", "RE: Uw account",
        "Graag mijn account niet verwijderen, ik heb hem nog nodig. Wel wil ik inzage in welke gegevens u "
        "van mij heeft.",
        SHOP_ANSWER["nl"], sender=ANNA, accept=["unclassified"],
    ),
    Mail(
        "nl_trap_question_bewaren", "nl", "unclassified", "thunderbird_reply", "Re: Privacy",
        "Hoi,\n\nHoe lang bewaren jullie mijn gegevens en wanneer worden ze verwijderd?\n\nDaan",
        SHOP_ANSWER["nl"], sender=DAAN, accept=["access"],
    ),
    Mail(
        "nl_trap_consent_given", "nl", "unclassified", "plain", "Terugbellen",
        "Goedemorgen,\n\nIk geef toestemming voor het opnemen van het gesprek. Kunt u mij vandaag "
        "terugbellen?\n\nKees",
        sender=KEES,
    ),
    Mail(
        "nl_trap_footer", "nl", "unclassified", "outlook_desktop", "RE: Levering",
        f"Goedemiddag,\n\nWanneer wordt mijn bestelling geleverd?\n\nMet vriendelijke groet,\nAnna de Vries"
        f"\n\n{FOOTER['nl']}",
        SHOP_ANSWER["nl"], sender=ANNA, charset="windows-1252",
    ),
    Mail(
        "nl_trap_out_of_office", "nl", "unclassified", "plain", "Automatisch antwoord: Uw bestelling",
        "Ik ben afwezig tot en met 12 februari. Uw e-mail wordt niet doorgestuurd en na mijn terugkomst "
        "verwijderd.",
        sender=DAAN, note="no Auto-Submitted header",
    ),
    Mail(
        "nl_trap_klacht_intrekken", "nl", "unclassified", "iphone_reply", "Re: Uw klacht",
        "Ik trek mijn klacht in, het pakket is alsnog bezorgd. Bedankt!",
        "Beste klant,\n\nWe hebben uw klacht ontvangen.\n\nPetshop Service",
        sender=KEES,
    ),
    Mail(
        "nl_trap_bedankt_reply", "nl", "unclassified", "outlook_web", "RE: Uw vraag",
        "Bedankt voor de snelle reactie!\n\nAnna",
        SHOP_ANSWER["nl"], sender=ANNA,
    ),
    # ---------------------------------------------------------------- French
    Mail(
        "fr_trap_conteste_facture", "fr", "unclassified", "outlook_desktop", "RE: Facture 4471",
        "Bonjour,\n\nJe conteste la facture n° 4471 : les frais de livraison ne devaient pas être "
        "facturés.\n\nLuc Martin",
        "Bonjour,\n\nVeuillez trouver votre facture ci-jointe.\n\nPetshop Service",
        sender=LUC, charset="iso-8859-1",
    ),
    Mail(
        "fr_trap_retractation", "fr", "unclassified", "plain", "Rétractation commande 99812",
        "Bonjour,\n\nJ'exerce mon droit de rétractation pour la commande 99812. Merci de m'indiquer "
        "l'adresse de retour.\n\nMarie Dubois",
        sender=MARIE, charset="windows-1252",
    ),
    Mail(
        "fr_trap_question_quand", "fr", "unclassified", "gmail_reply", "Re: Votre commande 10234",
        "Bonjour,\n\nQuand supprimez-vous les données des anciens clients ?\n\nLuc",
        SHOP_ANSWER["fr"], sender=LUC, accept=["access"],
    ),
    Mail(
        "fr_trap_ne_supprimez_rien", "fr", "access", "apple_reply", "Re: Votre compte",
        "Surtout ne supprimez rien, je veux garder mon compte. Je souhaite seulement savoir quelles données "
        "vous avez sur moi.",
        SHOP_ANSWER["fr"], sender=MARIE, accept=["unclassified"],
    ),
    Mail(
        "fr_trap_consent_given", "fr", "unclassified", "plain", "Rappel",
        "Bonjour,\n\nJ'accepte l'enregistrement de l'appel. Pouvez-vous me rappeler demain ?\n\nMarie",
        sender=MARIE, cte="base64",
    ),
    Mail(
        "fr_trap_footer", "fr", "unclassified", "outlook_web", "RE: Commande abîmée",
        f"Bonjour,\n\nMa commande est arrivée abîmée, que dois-je faire ?\n\nLuc Martin\n\n{FOOTER['fr']}",
        SHOP_ANSWER["fr"], sender=LUC,
    ),
    Mail(
        "fr_trap_out_of_office", "fr", "unclassified", "plain", "Réponse automatique : Votre commande",
        "Je suis absente du bureau jusqu'au 12 février. Votre message ne sera pas transféré et sera "
        "supprimé à mon retour.",
        sender=MARIE, headers=OOO,
    ),
    Mail(
        "fr_trap_opposition_prelevement", "fr", "unclassified", "thunderbird_reply", "Re: Remboursement",
        "Bonjour,\n\nJe vais faire opposition au prélèvement si la commande n'est pas remboursée cette "
        "semaine.\n\nLuc",
        "Bonjour,\n\nVotre remboursement est en cours.\n\nPetshop Service",
        sender=LUC, note="a bank payment opposition, not Art. 21",
    ),
    Mail(
        "fr_trap_merci_reply", "fr", "unclassified", "gmail_html_only", "Re: Votre demande",
        "Merci beaucoup !\n\nMarie",
        SHOP_ANSWER["fr"], sender=MARIE,
    ),
]  # fmt: skip

# Forwards in every language's client wording (added after the first figures; numbered after the rest)
FORWARDS: list[Mail] = [
    Mail(
        "en_trap_apple_forward_newsletter", "en", "unclassified", "apple_forward", "Fwd: Last chance!",
        "Did you send this? It looks odd.\n\nJack",
        "Last chance for 50% off!\n\nTo unsubscribe from these emails and delete your data, click here. "
        "You can withdraw your consent at any time.",
        sender=JACK, quoted_from=("Deals Team", "deals@newsletter-mailer.example"),
        note="a forwarded third-party newsletter is not the person's request",
    ),
    Mail(
        "de_trap_gmail_forward_rechnung", "de", "unclassified", "gmail_forward", "Fwd: Zahlungserinnerung",
        "Zur Info - ist das von Ihnen? Ich habe nichts bestellt.\n\nKlaus",
        "Sehr geehrter Kunde,\n\nbitte begleichen Sie die offene Rechnung. Sie können der Verarbeitung "
        "Ihrer Daten widersprechen und deren Löschung verlangen.\n\nInkasso Team",
        sender=KLAUS, quoted_from=("Inkasso Team", "inkasso@collect.example"), charset="iso-8859-1",
        note="a forwarded third-party mail is not the person's request",
    ),
    Mail(
        "fr_erasure_own_gmail_forward", "fr", "erasure", "gmail_forward", "Fwd: Suppression de mon compte",
        "Bonjour,\n\nJe vous renvoie ma demande ci-dessous, restée sans réponse.\n\nLuc",
        "Bonjour,\n\nJe vous demande de supprimer mon compte et toutes mes données.\n\nLuc Martin",
        sender=LUC, quoted_from=LUC, charset="windows-1252", cte="base64",
        note="the person forwards their own earlier mail: it is their text",
    ),
    Mail(
        "nl_access_own_apple_forward", "nl", "access", "apple_forward", "Fwd: Inzageverzoek",
        "Nog geen antwoord ontvangen, zie hieronder.\n\nVerzonden vanaf mijn iPhone",
        "Beste,\n\nIk wil graag inzage in alle gegevens die u van mij verwerkt.\n\nAnna de Vries",
        sender=ANNA, quoted_from=ANNA, note="Apple Mail forward of the person's own mail",
    ),
]  # fmt: skip

MAILS: list[Mail] = [*GENUINE, *TRAPS, *FORWARDS]
