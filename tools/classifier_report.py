"""`python -m tools.classifier_report`: the rights-mail classifier's figures on the corpus.

Every mail of tests/data/mail/corpus/ (expected readings in its manifest.json), of the older corpus
tests/data/mail/ and the Python standard library's own test mails (tests/data/mail/stdlib/, none a rights
request) goes through the path the rights-mail function takes: ``parse_mail`` → ``classify_mail`` (own
text, then the reading). Auto-replies are classified too, although the function never answers them: a
stricter count.

- harmful misreading: a mail gets erasure, restriction, objection or consent withdrawal although that is
  not the right it asks for (target 0);
- genuine recognised: of the mails asking for one of the seven rights, the share read as that right
  (target ≥ 90 %).

``--verbose`` lists every mail with its reading and the rule ids that matched (never the text).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from contact_intake.rights.inbound.classify import classify_mail
from contact_intake.rights.inbound.parse import parse_mail

MAIL = Path(__file__).resolve().parent.parent / "tests" / "data" / "mail"
CORPUS = MAIL / "corpus"
STDLIB = MAIL / "stdlib"
HARMFUL = frozenset({"erasure", "restriction", "objection", "consent_withdrawal"})
GENUINE_TARGET = 0.90
LANGUAGE_ORDER = ("nl", "de", "en", "fr")


@dataclass(frozen=True)
class Reading:
    name: str
    language: str
    expected: str
    accept: tuple[str, ...]
    got: str
    rules: tuple[str, ...]

    @property
    def genuine(self) -> bool:
        return self.expected != "unclassified" and self.name.split("/")[0] != "stdlib"

    @property
    def harmful_misreading(self) -> bool:
        return self.got in HARMFUL and self.got != self.expected

    @property
    def acceptable(self) -> bool:
        return self.got == self.expected or self.got in self.accept


@dataclass(frozen=True)
class Figures:
    readings: tuple[Reading, ...]

    def of(self, group: str) -> list[Reading]:
        return [r for r in self.readings if r.name.split("/")[0] == group]

    @property
    def harmful(self) -> list[Reading]:
        return [r for r in self.readings if r.harmful_misreading]

    def genuine_share(self, group: str = "corpus") -> tuple[int, int]:
        genuine = [r for r in self.of(group) if r.genuine]
        return sum(r.got == r.expected for r in genuine), len(genuine)


def _read(name: str, raw: bytes, language: str, expected: str, accept: tuple[str, ...]) -> Reading:
    classification = classify_mail(parse_mail(raw))
    return Reading(name, language, expected, accept, classification.right.value, classification.rules)


def _manifest_readings(group: str, folder: Path) -> list[Reading]:
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    return [
        _read(
            f"{group}/{name}",
            (folder / name).read_bytes(),
            entry["language"],
            entry["right"],
            tuple(entry.get("accept", ())),
        )
        for name, entry in manifest.items()
    ]


def measure() -> Figures:
    readings = [*_manifest_readings("corpus", CORPUS), *_manifest_readings("older", MAIL)]
    readings += [
        _read(f"stdlib/{path.name}", path.read_bytes(), "-", "unclassified", ("access",))
        for path in sorted(STDLIB.glob("msg_*.txt"))
    ]
    return Figures(tuple(readings))


def report(figures: Figures, *, verbose: bool = False) -> str:
    lines = []
    corpus = figures.of("corpus")
    languages = Counter(r.language for r in corpus)
    genuine = Counter(r.language for r in corpus if r.genuine)
    lines.append(
        f"corpus: {len(corpus)} mails ("
        + ", ".join(f"{lang} {languages[lang]} ({genuine[lang]} genuine)" for lang in LANGUAGE_ORDER)
        + f"); {sum(genuine.values())} genuine requests, {len(corpus) - sum(genuine.values())} traps"
    )
    for group in ("corpus", "older", "stdlib"):
        mails = figures.of(group)
        harmful = [r for r in mails if r.harmful_misreading]
        recognised, total = figures.genuine_share(group)
        share = f"{recognised}/{total} = {recognised / total:.0%}" if total else "-"
        lines.append(
            f"{group:7} {len(mails):3} mails  harmful misreadings {len(harmful):2}  "
            f"genuine recognised {share}"
        )
    recognised, total = figures.genuine_share()
    lines.append(
        f"TOTAL harmful misreadings {len(figures.harmful)} (target 0); genuine recognised (corpus) "
        f"{recognised}/{total} = {recognised / total:.1%} (target >= {GENUINE_TARGET:.0%})"
    )
    for reading in figures.readings:
        flag = "HARMFUL" if reading.harmful_misreading else ("ok" if reading.acceptable else "miss")
        if verbose or flag != "ok":
            rules = ",".join(reading.rules)
            got = f"expected {reading.expected}, got {reading.got} [{rules}]"
            lines.append(f"  {flag:7} {reading.name}: {got}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every mail, not only the misses")
    print(report(measure(), verbose=parser.parse_args().verbose))


if __name__ == "__main__":
    main()
