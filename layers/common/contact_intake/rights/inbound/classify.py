"""Which right a mail asks for: a hint for the person and the DPO, never harmful by accident.

The reading is a suggestion: the confirmation page shows it preselected and the person confirms or
changes it, and the DPO sees every mail (docs/decisions.md D51). So it may miss, but it must not read
an ordinary mail as a request for a right that destroys or restricts (erasure, restriction, objection,
consent withdrawal):

- only the person's own new text counts (``own_text``: no quoted history, third-party forwards,
  signatures, footers);
- a harmful right needs an explicit *ask* rule: a verb with the person's data as its object ("delete my
  account", "meine Daten löschen", "mijn gegevens verwijderen", "supprimer mes données"), a named right
  ("Einschränkung der Verarbeitung"), a withdrawal next to the word consent, a stop-marketing ask. A word
  alone ("delete", "Widerspruch", "opposition", "recording") is at most a hint (D52);
- an ask does not count in a sentence that is a question ("when do you delete…?", unless it is a
  polite request: "could you delete…?"), is negated ("please delete nothing", "ich möchte nicht, dass…",
  "niet verwijderen", "ne supprimez rien"), or is about an order, an invoice, a payment or a complaint
  ("Widerspruch gegen die Rechnung", "bezwaar tegen de verzendkosten", "faire opposition au
  prélèvement") (D53);
- an auto-reply (Auto-Submitted header, an out-of-office text) gets no harmful right at all.

Each rule has an id (``erasure.verb_data``, ``guard.question``…): ``Classification.rules`` lists the ids
that matched and the guards that held, safe for logs and the audit trail (never the text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from contact_intake.rights.inbound.folding import fold
from contact_intake.rights.inbound.limits import MAX_CLASSIFIED_CHARS
from contact_intake.rights.inbound.own_text import own_text
from contact_intake.rights.inbound.parse import InboundMail
from contact_intake.rights.models import RightType

HARMFUL: Final[frozenset[RightType]] = frozenset(
    {RightType.ERASURE, RightType.RESTRICTION, RightType.OBJECTION, RightType.CONSENT_WITHDRAWAL}
)
# One clear phrase scores 3, a hint 1 or 2. A right is named when it scores at least MIN_SCORE and beats
# the runner-up by CLEAR_MARGIN times; otherwise the mail is unclassified (the DPO decides).
MIN_SCORE: Final = 2.0
CLEAR_MARGIN: Final = 2.0
SUBJECT_WEIGHT: Final = 1.5  # a fresh mail's subject usually names the request
REPLY_SUBJECT_WEIGHT: Final = 0.5  # a reply's subject is inherited (often from our own acknowledgement)


def _p(source: str) -> re.Pattern[str]:
    """A pattern over folded text (written in lower case without accents)."""
    return re.compile(source)


@dataclass(frozen=True)
class Rule:
    """One piece of evidence for a right. ``ask``: an explicit request, the only kind that can make a
    harmful right win; asks for a harmful right are checked against the sentence's guards."""

    id: str
    right: RightType
    weight: float
    pattern: re.Pattern[str]
    ask: bool = False


def _rules(right: RightType, weight: float, ask: bool, **patterns: str) -> list[Rule]:
    return [Rule(f"{right}.{name}", right, weight, _p(source), ask) for name, source in patterns.items()]


_ART = r"\bart(?:ikel|icle|\.|\s)?\s*"  # "Art. 15", "Artikel 15", "article 15", "art 15"
_W = r"(?:[^\s.!?;:]+\s+)"  # one word and its space (within a sentence)
# The person's data as a verb's object, in four languages
_MY_DATA = (
    r"(?:(?:my|all my|all|all the|the|alle|mijn|al mijn|de|het|meine\w*|mein|alle meine\w*|samtliche|jegliche"
    r"|die|mes|mon|toutes mes|toutes les|les|l'ensemble de mes)\s+"
    r"(?:\w+\s+)?(?:\w*data|details|information|account|profile|records?|\w*gegevens|account|profiel|"
    r"\w*daten|\w*konto|profil|donnees|compte|informations|coordonnees)\b|\beverything\b|\balles\b|\btout\b)"
)

RULES: Final[tuple[Rule, ...]] = (
    # --- access (Art. 15): harmless, so words may count
    *_rules(
        RightType.ACCESS, 3, True,
        nl_inzage=r"\binzage\w*",
        de_auskunft=r"\b(?:selbst|daten)?auskunfts\w*|\b(?:selbst|daten)auskunft\b|\brecht auf auskunft\b"
        r"|\bauskunft (?:uber|zu) (?:die |alle |meine |der )?(?:(?:von )?ihnen )?(?:zu meiner person )?"
        r"(?:gespeicherten |personenbezogenen )?daten\b|\bbitte um auskunft\b",
        en_access=r"\bsubject access\b|\bright (?:of|to) access\b|\baccess request\b"
        r"|\baccess (?:to )?(?:all )?(?:of )?(?:my|the) (?:personal )?(?:data|information|details)\b",
        fr_acces=r"\bdroit d'acces\b|\bdemande d'acces\b|\bacc(?:eder|es) a (?:toutes )?(?:mes|les) "
        r"(?:donnees|informations)",
    ),
    *_rules(
        RightType.ACCESS, 2, True,
        copy=r"\bcopy of (?:all )?(?:the |my )?(?:personal )?(?:data|information)"
        r"|\bkopie van (?:al )?(?:mijn|de) (?:persoons)?gegevens"
        r"|\bkopie (?:meiner|der|aller|von meinen) (?:personenbezogenen |gespeicherten )?daten"
        r"|\bcopie de (?:toutes )?(?:mes|les) (?:donnees|informations)",
        which_data=r"\bwhat (?:personal )?(?:data|information) (?:you|do you|have you|is)"
            r"|\bwelke (?:persoons)?"
        r"gegevens\b|\bwelche (?:personenbezogenen |gespeicherten )?daten\b|\bquelles (?:donnees"
        r"|informations)\b",
        sar=r"\b(?:dsar|sar)\b",
        article=_ART + r"15\b",
    ),
    *_rules(RightType.ACCESS, 1, False, word=r"\binzien\b|\baccess\b|\bacces\b|\bauskunft\b"),
    # --- portability (Art. 20)
    *_rules(
        RightType.PORTABILITY, 3, True,
        named=r"\b(?:data|daten)?portabilit\w*|\b(?:data)?overdraagbaarheid\b|\b(?:daten)?ubertragbarkeit\b",
    ),
    *_rules(
        RightType.PORTABILITY, 2, True,
        machine_readable=r"\bmachine[- ]?readable\b|\bmachineleesba\w*|\bmaschinenlesba\w*"
        r"|\blisible par (?:une )?machine\b",
        transfer=r"\b(?:transfer|transmit|move|port|export) (?:all )?(?:of )?my (?:personal )?data\b"
        r"|\b(?:naar|aan) een andere (?:aanbieder|partij|dienst|verwerkingsverantwoordelijke)\b"
        r"|\ban einen anderen (?:anbieter|verantwortlichen|dienst)\b|\ba un autre (?:responsable|prestataire|"
        r"fournisseur)\b",
        article=_ART + r"20\b",
    ),
    # --- rectification (Art. 16)
    *_rules(
        RightType.RECTIFICATION, 3, True,
        verb=r"\brectif\w*|\bberichtig\w*|\bcorrectie\b|\bcorrigeer\w*|\bcorrigeren\b|\bcorrect (?:my|the"
            r"|this)\b"
        r"|\bcorriger\b|\bkorrigier\w*|\bkorrektur\b",
    ),
    *_rules(
        RightType.RECTIFICATION, 2, True,
        wrong_data=r"\b(?:address|name|adres|naam|anschrift|adresse|nom|nachname|gegevens|daten|donnees"
            r"|data) "
        r"(?:is|are|ist|sind|est|sont|klopt niet|klopt|kloppen) (?:niet )?(?:not )?(?:incorrect|wrong"
        r"|verkeerd|"
        r"onjuist|falsch|inexact|errone|correct|juist|richtig)\w*",
        update=r"\bupdate my (?:address|name|details|data|e-?mail)",
        misspelt=r"\bmisspel\w*|\bfalsch geschrieben\b|\bverkeerd (?:gespeld|geschreven)\b"
        r"|\bmal orthographi\w*"
        r"|\bfix (?:my|the) (?:name|address|surname|e-?mail)",
        article=_ART + r"16\b",
    ),
    *_rules(
        RightType.RECTIFICATION, 1, False,
        word=r"\b(?:incorrect|inaccurate|outdated|wrong)\b|\bonjuist\w*|\bverkeerd\w*|\bunrichtig\w*"
        r"|\bfalsch(?:e|en|er|es)?\b|\binexact\w*|\berrone\w*",
    ),
    # --- erasure (Art. 17): only an ask with the person's data as the object counts
    *_rules(
        RightType.ERASURE, 3, True,
        verb_data=r"\b(?:delete|erase|remove|wipe|close)\s+" + _W + r"{0,3}?" + _MY_DATA
        + r"|\bmy (?:personal )?(?:data|account|details|information)\b.{0,25}\b(?:deleted|erased|removed)\b",
        nl_verb_data=r"\b(?:verwijder\w*|wis|wissen)\b\s+" + _W + r"{0,3}?" + _MY_DATA
        + r"|" + _MY_DATA + r"\s+" + _W + r"{0,4}?(?:te )?(?:verwijder\w*|wissen|gewist)\b",
        de_verb_data=r"\b(?:losch\w*)\b\s+" + _W + r"{0,3}?" + _MY_DATA
        + r"|" + _MY_DATA + r"\s+" + _W + r"{0,4}?(?:zu )?(?:losch\w*|geloscht)\b"
        r"|\b(?:daten|konto|kunden(?:konto)?|account)loschung\b|\bloschung (?:meiner|aller|meines)\b",
        fr_verb_data=r"\b(?:supprim\w*|effac\w*)\b\s+" + _W + r"{0,3}?" + _MY_DATA
        + r"|\bsuppression (?:de |d')(?:mon|mes|toutes mes)\b",
        forgotten=r"\bright to be forgotten\b|\bvergeten (?:te )?worden\b|\brecht (?:om|op) (?:te worden )?"
        r"vergeten\b|\brecht auf vergessen\w*|\bdroit a l'oubli\b",
    ),
    *_rules(
        RightType.ERASURE, 2, True,
        named=r"\berasure\b|\bloschung\b|\bverwijdering\b|\beffacement\b",
        article=_ART + r"17\b",
    ),
    *_rules(
        RightType.ERASURE, 1, False,
        word=r"\bdelet\w*|\bverwijder\w*|\blosch\w*|\bsupprim\w*|\beffac\w*",
    ),
    # --- restriction (Art. 18)
    *_rules(
        RightType.RESTRICTION, 3, True,
        named=r"\bbeperking van (?:de )?verwerking\b|\beinschrankung der verarbeitung\b"
        r"|\brestrict(?:ion of)? (?:the )?processing\b|\blimitation du traitement\b"
        r"|\blimiter (?:le )?traitement\b",
        de_separable=r"\bschrank\w* (?:sie )?(?:bitte )?(?:die |der )?(?:verarbeitung|nutzung)\b"
        r".{0,40}\bein\b",
        verb=r"\brestrict\w* (?:the )?(?:use|usage|processing) of my\b|\bbeperk\w* (?:van )?(?:het gebruik|"
        r"de verwerking)\b|\beinschrank\w* (?:der |die )?(?:nutzung|verarbeitung)\b"
        r"|\blimit\w* (?:l'utilisation|le traitement|the processing|the use)\b",
    ),
    *_rules(
        RightType.RESTRICTION, 2, True,
        block=r"\bsperr(?:ung|en)\b.{0,30}\b(?:daten|konto)\b|\b(?:daten|konto)\b.{0,30}\bsperr(?:ung|en)\b",
        article=_ART + r"18\b",
    ),
    *_rules(
        RightType.RESTRICTION, 1, False,
        word=r"\bbeperk\w*|\beinschrank\w*|\brestrict\w*|\blimitation\b",
    ),
    # --- objection (Art. 21), marketing (Art. 21(2)) included: an explicit ask only
    *_rules(
        RightType.OBJECTION, 3, True,
        named=r"\bbezwaar (?:maken|tegen|aan)\w*|\bmaak\w* (?:ik )?bezwaar\b|\bwiderspruch\w*"
            r"|\bwidersprech\w*"
        r"|\bwiderspreche\b|\bobject to\b|\bobjection to\b|\bm'oppose\w*|\bs'opposer\b|\bopposition a\b",
        marketing_en=r"\b(?:stop|no more|don't want|do not want|no longer (?:want|wish) to (?:receive|get)|"
        r"unsubscribe|opt (?:me )?out of|take me off)\b.{0,50}\b(?:marketing|newsletters?|promotion\w*|"
        r"advertis\w*|offers|mailing list|adverts?)\b|\bunsubscribe me\b"
        r"|\b(?:remove|take) me (?:off|from) (?:your |the )?(?:mailing|marketing|e-?mail|newsletter)",
        marketing_nl=r"\b(?:geen|niet meer|stop\w*|afmelden|uitschrijven|afgemeld)\b.{0,50}\b(?:reclame|"
        r"nieuwsbrie\w*|marketing|aanbiedingen|mailings?|promoties?)\b",
        marketing_de=r"\b(?:keine\w*|nicht mehr|stopp\w*|abmelden|austragen|abbestell\w*|tragen sie mich)\b"
        r".{0,50}\b(?:werbung|newsletter|werbe\w*|marketing|angebote|mailings?)\b",
        marketing_fr=r"\b(?:ne (?:\S+ ){0,2}plus|stop|arret\w*|desinscri\w*"
            r"|desabonn\w*)\b.{0,50}\b(?:newsletters?|"
        r"publicit\w*|prospection|offres|marketing|lettres? d'information)\b",
    ),
    *_rules(
        RightType.OBJECTION, 2, True,
        stop_processing=r"\bstop (?:processing|using) my (?:personal )?data\b|\bstoppen met het (?:verwerken|"
        r"gebruiken)\b",
        article=_ART + r"21\b",
    ),
    *_rules(
        RightType.OBJECTION, 1, False,
        word=r"\bdirect[- ]?marketing\b|\bdirektwerbung\b|\bprospection\b|\bbezwaar\b"
    ),
    # --- withdrawal of consent (Art. 7(3)); call recordings are the processing based on consent
    *_rules(
        RightType.CONSENT_WITHDRAWAL, 3, True,
        nl=r"\btoestemming\b.{0,40}\bin(?:trekken|trek|getrokken)\b|\bintrek\w*.{0,40}\btoestemming\b"
        r"|\btrek\w*\b.{0,40}\btoestemming\b.{0,30}\bin\b",
        de=r"\beinwilligung\b.{0,40}\b(?:widerr\w*|zuruck\w*)|\b(?:widerr\w*|zuruckzieh\w*).{0,40}\beinwilligung\b",
        en=r"\b(?:withdraw|revoke|retract)\w*.{0,30}\bconsent\b|\bconsent\b.{0,30}\b(?:withdraw|revoke)\w*",
        fr=r"\b(?:retir|revoqu)\w*.{0,30}\bconsentement\b|\bretrait\b.{0,30}\bconsentement\b",
    ),
    *_rules(
        RightType.CONSENT_WITHDRAWAL, 2, True,
        article=_ART + r"7\s*(?:\(3\)|abs\.?\s*3|lid 3|para\w*\.? 3)",
    ),
    *_rules(
        RightType.CONSENT_WITHDRAWAL, 1, False,
        word=r"\b(?:gespreks|telefoon)?opname\w*|\b(?:gesprachs|anruf|telefon)?aufzeichnung\w*"
        r"|\b(?:call |phone )?recording\w*|\benregistrement\w*|\btoestemming\b|\beinwilligung\b|\bconsent\b"
        r"|\bconsentement\b",
    ),
)  # fmt: skip

# ---------------------------------------------------------------- guards on a harmful ask's sentence

# A sentence: up to . ! ? or a line's end; a dot inside a word ("z.b", "3.5") or after an abbreviation
# ("Art. 15", "Nr. 4711") does not end it. Linear: the alternatives never match the same character.
_SENTENCE: Final = re.compile(r"(?:[^.!?\n]|\.(?=\S))+[.!?]*|[.!?\n]+")
_ABBREVIATION: Final = re.compile(r"\b(art|nr|no|abs|ca|bzw|vgl|inkl|evtl|cf|p)\.\s")
# A question that is a polite request ("could you delete…?", "können Sie … löschen?")
_POLITE: Final = _p(
    r"^\W*(?:(?:hi|hello|hallo|hoi|bonjour|dear \w+)\W+)?(?:\w+\W+)?(?:can|could|would|will) you\b"
    r"|^\W*(?:\w+\W+)?(?:kunt|kun|zou|zoudt|wilt|wil) (?:u|je|jij|jullie)\b"
    r"|^\W*(?:\w+\W+)?(?:konnen|konnten|wurden|wurdet|konnt) (?:sie|ihr|du)\b"
    r"|^\W*(?:\w+\W+)?(?:pouvez|pourriez|voudriez)[- ]vous\b"
)
_NEGATION_BEFORE: Final = _p(
    r"\b(?:not|don't|dont|never|no|niet|geen|nooit|nicht|kein\w*|nie|ne|n'|pas|jamais|sans|nothing|nichts"
    r"|niets|rien)(?!\s+(?:only|alleen|nur|seulement|longer|mehr|meer|plus)\b)\s*(?:[^\s.!?;,]+\s+){0,3}$"
)
_WANT_NEGATED: Final = _p(
    r"(?:\b(?:not|don't|dont|niet|nicht|pas|ne)\s+(?:\S+\s+)?(?:want|wish|wil|wens|mochte|will|veux|souhaite)"
    r"|\b(?:want|wil|wens|mochte|will|veux|souhaite)\s+(?:\S+\s+)?(?:not|niet|nicht|pas))\b[^.!?;]{0,60}$"
)
_NEGATION_AFTER: Final = _p(
    r"^\s*(?:(?:[^\s.!?;,]+\s+){0,4}?(?:niet|nicht|pas)\b(?!\s+(?:alleen|nur|seulement)\b)"
    r"|(?:sie |u |vous )?(?:bitte |svp )?(?:nothing|nichts|niets|rien)\b)"
)
_COMMERCIAL: Final = _p(
    r"\b(?:orders?|purchase\w*|invoices?|bill|billing|charges?|fees?|refund\w*|payments?|delivery|shipping"
    r"|parcel|price|debit|aankoop|prijs|herroep\w*|kauf\w*|erstatt\w*|preis|commandes?|achat|factur\w*|frais"
    r"|livraison|paiement|prelevement|rembours\w*|prix|retractation|cheque|carte|panier|basket|cart)\b"
    # Dutch and German compounds: the commercial word anywhere in the word ("Mahnbescheid",
    # "betalingsherinnering", "Versandkosten")
    r"|\w*(?:bestell|rechnung|mahn|zahlung|lastschrift|gebuhr|liefer|versand|factuur|betaling|bezorg|levering"
    r"|verzend|kosten|incasso|aanmaning|herinnering|storno|stornier)\w*"
)
_AUTO_REPLY: Final = _p(
    r"\b(?:out of (?:the )?office|automatic reply|auto[- ]?reply|autoreply|abwesenheitsnotiz|nicht im buro"
    r"|automatische antwort|abwesend|afwezig|automatisch antwoord|absente? du bureau|reponse automatique"
    r"|im urlaub|on (?:annual )?leave|en conge|with limited access to e-?mail)\b"
)
# A sentence opening with one of these asks for information, with or without its "?"
_QUESTION_START: Final = _p(
    r"^\W*(?:when|how|why|wann|warum|wieso|weshalb|wie lange|wanneer|hoe|waarom|quand|comment|pourquoi"
    r"|combien|est-ce que)\b"
)
# Inside a polite question, one of these before the ask makes it a question about the ask ("could you tell
# me when you delete my data?", "kunt u laten weten of u mijn gegevens verwijdert?")
_INDIRECT_QUESTION: Final = _p(
    r"\b(?:when|how long|whether|if|why|wann|wie lange|ob|warum|wanneer|hoe lang|of|waarom|quand|combien|si"
    r"|pourquoi)\b"
)


def _guard(sentence: str, match: re.Match[str]) -> str | None:
    """Why an ask for a harmful right in ``sentence`` does not count, or None."""
    if _COMMERCIAL.search(sentence):
        return "guard.commercial"
    before = sentence[max(0, match.start() - 60) : match.start()]
    if _QUESTION_START.search(sentence):
        return "guard.question"
    if sentence.rstrip().endswith("?") and (
        not _POLITE.search(sentence) or _INDIRECT_QUESTION.search(before)
    ):
        return "guard.question"
    after = sentence[match.end() : match.end() + 40]
    if _NEGATION_BEFORE.search(before) or _WANT_NEGATED.search(before) or _NEGATION_AFTER.match(after):
        return "guard.negation"
    return None


# Mail disclaimers inside the own text ("please delete this message"): left out before scoring
_NOT_A_REQUEST: Final = tuple(
    _p(p)
    for p in (
        r"\b(?:delete|destroy|remove) (?:this|the) (?:e-?mail|message|mail|communication)\b",
        r"\b(?:verwijder|vernietig)\w* (?:dit|het|deze) (?:e-?mail|bericht|mail)\w*",
        r"\b(?:losch|vernicht)\w* (?:sie )?(?:diese|die) (?:e-?mail|nachricht|mail)\b",
        r"\b(?:supprim|detrui)\w* (?:ce|le) (?:message|courriel|e-?mail|mail)\b",
    )
)

# A request for the broader right includes the narrower one: portability is an access in a
# machine-readable form (the same export), and an objection restricts processing at once.
_INCLUDES: Final[dict[RightType, RightType]] = {
    RightType.PORTABILITY: RightType.ACCESS,
    RightType.OBJECTION: RightType.RESTRICTION,
}


@dataclass(frozen=True)
class Classification:
    """The right a mail suggests, the evidence scores and the ids of the rules and guards that matched
    (ids only: safe to log and to audit)."""

    right: RightType
    reason: Literal["clear", "ambiguous", "no_evidence", "too_complex"]
    scores: dict[str, float]
    rules: tuple[str, ...] = ()


@dataclass
class _Evidence:
    scores: dict[RightType, float]
    asks: set[RightType]
    rules: list[str]

    def add(self, rule: Rule, factor: float) -> None:
        if rule.id not in self.rules:
            self.rules.append(rule.id)
        self.scores[rule.right] = self.scores.get(rule.right, 0.0) + factor * rule.weight
        if rule.ask:
            self.asks.add(rule.right)


def _score(text: str, evidence: _Evidence, factor: float, *, blocked_by: str | None = None) -> None:
    """Add ``text``'s evidence, times ``factor``. ``blocked_by``: the guard that rules out every harmful
    ask of this text (an auto-reply; a subject over a body about an order)."""
    folded = fold(text[:MAX_CLASSIFIED_CHARS])
    for pattern in _NOT_A_REQUEST:
        folded = pattern.sub(" ", folded)
    sentences = [" ".join(s.split()) for s in _SENTENCE.findall(_ABBREVIATION.sub(r"\1 ", folded))]
    for rule in RULES:
        counted, guarded = False, None
        for sentence in sentences:
            for match in rule.pattern.finditer(sentence):
                held = _guard(sentence, match) if rule.right in HARMFUL and rule.ask else None
                if held is None and (blocked_by is None or rule.right not in HARMFUL or not rule.ask):
                    counted = True
                    break
                guarded = held or blocked_by
            if counted:
                break
        if counted:
            evidence.add(rule, factor)
        elif guarded and guarded not in evidence.rules:
            evidence.rules.append(guarded)


def score_text(text: str) -> dict[RightType, float]:
    """Evidence per right in ``text``: each rule counts once; guarded asks do not count."""
    evidence = _Evidence({}, set(), [])
    _score(text, evidence, 1.0)
    return evidence.scores


def classify(subject: str, text: str, *, reply: bool = False, automatic: bool = False) -> Classification:
    """The right ``text`` (the own text) and ``subject`` suggest, or ``unclassified``. Never raises.

    The subject counts SUBJECT_WEIGHT times as much as the body (REPLY_SUBJECT_WEIGHT for a reply,
    whose subject is inherited). An ``automatic`` mail or an out-of-office text gets no harmful right.
    """
    evidence = _Evidence({}, set(), [])
    auto_reply = automatic or bool(_AUTO_REPLY.search(fold(f"{subject}\n{text[:2000]}")))
    if auto_reply:
        evidence.rules.append("guard.auto_reply")
    commercial_body = bool(_COMMERCIAL.search(fold(text[:MAX_CLASSIFIED_CHARS])))
    _score(text, evidence, 1.0, blocked_by="guard.auto_reply" if auto_reply else None)
    subject_weight = REPLY_SUBJECT_WEIGHT if reply else SUBJECT_WEIGHT
    _score(
        _strip_subject_prefixes(subject),
        evidence,
        subject_weight,
        blocked_by="guard.auto_reply" if auto_reply else ("guard.commercial" if commercial_body else None),
    )
    right, reason = decide(evidence.scores, asks=evidence.asks)
    rounded = {str(name): round(value, 2) for name, value in sorted(evidence.scores.items())}
    return Classification(RightType(right), reason, rounded, tuple(evidence.rules))


def decide(
    scores: dict[RightType, float], *, asks: set[RightType] | None = None
) -> tuple[RightType, Literal["clear", "ambiguous", "no_evidence"]]:
    """The winning right of a score table, by MIN_SCORE and CLEAR_MARGIN; a harmful right wins only when
    an ask rule for it matched (``asks``; None: every right was asked for)."""
    contenders = dict(scores)
    for broader, narrower in _INCLUDES.items():
        if contenders.get(broader, 0.0) >= MIN_SCORE:
            contenders.pop(narrower, None)
    ranked = sorted(contenders.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] < MIN_SCORE:
        return RightType.UNCLASSIFIED, "no_evidence"
    best_right, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best < CLEAR_MARGIN * runner_up:
        return RightType.UNCLASSIFIED, "ambiguous"
    if best_right in HARMFUL and asks is not None and best_right not in asks:
        return RightType.UNCLASSIFIED, "no_evidence"
    return best_right, "clear"


_SUBJECT_PREFIX: Final = re.compile(
    r"^\s*(?:(?:re|aw|antw|antwort|rep|rép|fwd?|wg|tr|trans|doorst)\s*(?:\[\d+\])?\s*:\s*)+", re.I
)


def _strip_subject_prefixes(subject: str) -> str:
    return _SUBJECT_PREFIX.sub("", subject)


def classify_mail(mail: InboundMail) -> Classification:
    """The reading of a parsed mail: its own text (``own_text``) and subject; the rights-mail function's
    path. A mail read only in part (past a parsing limit) is never classified from the fragment."""
    if mail.too_complex is not None:
        return Classification(RightType.UNCLASSIFIED, "too_complex", {})
    return classify(
        mail.subject,
        own_text(mail.text, sender=mail.sender),
        reply=mail.reply,
        automatic=mail.automatic,
    )
