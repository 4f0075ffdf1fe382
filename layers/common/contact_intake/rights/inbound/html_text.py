"""An HTML body as plain lines (html.parser: no external parser, nothing executed), with the line where a
mail client's quoted or forwarded block starts marked for ``own_text``."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Final

from contact_intake.rights.inbound.folding import one_line

# The line html_to_text puts where a mail client's quoted or forwarded block starts (own_text reads it)
QUOTE_MARK: Final = "\ue000quote\ue000"  # private-use characters: never in a mail's text
_QUOTE_CLASSES: Final = (
    "gmail_quote",
    "moz-cite-prefix",
    "yahoo_quoted",
    "protonmail_quote",
    "outlookmessageheader",
)
_QUOTE_IDS: Final = ("divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container")


def _starts_quote(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """A client's quoted block: Gmail's gmail_quote, Thunderbird's moz-cite-prefix, Apple's and
    Thunderbird's <blockquote type="cite">, Outlook's divRplyFwdMsg and the border-top rule of Outlook
    desktop's header block."""
    values = {name: (value or "").lower() for name, value in attrs}
    if tag == "blockquote" and values.get("type") == "cite":
        return True
    style = values.get("style", "").replace(" ", "")
    return (
        any(name in values.get("class", "") for name in _QUOTE_CLASSES)
        or values.get("id", "") in _QUOTE_IDS
        or (tag == "div" and "border-top:solid" in style)
    )


class _HtmlText(HTMLParser):
    """HTML to plain lines: scripts, styles and the head dropped, blocks on their own lines, text
    inside <blockquote> prefixed with "> " like a quoted plain-text reply, and a QUOTE_MARK line where
    a client's quoted block starts."""

    _SKIP: Final = frozenset({"script", "style", "head", "title", "noscript", "template", "svg", "xml"})
    _BLOCK: Final = frozenset(
        {
            "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
            "hr", "pre", "section", "article", "header", "footer", "address", "dd", "dt", "center",
        }
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._skipping = 0
        self._quote_depth = 0
        self._lines: list[tuple[int, list[str]]] = [(0, [])]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._skipping and _starts_quote(tag, attrs):
            self._new_line()
            self._lines[-1][1].append(QUOTE_MARK)
            self._new_line()
        if tag == "body":
            self._skipping = 0  # an unclosed <head> must not hide the body
        elif tag in self._SKIP:
            self._skipping += 1
        elif tag == "blockquote":
            self._quote_depth += 1
            self._new_line()
        elif tag in self._BLOCK:
            self._new_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag == "blockquote":
            self._quote_depth = max(0, self._quote_depth - 1)
            self._new_line()
        elif tag in self._BLOCK:
            self._new_line()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._lines[-1][1].append(data)

    def _new_line(self) -> None:
        self._lines.append((self._quote_depth, []))

    def text(self) -> str:
        lines = []
        for depth, chunks in self._lines:
            line = one_line("".join(chunks))
            if line:
                lines.append("> " * depth + line)
        return "\n".join(lines)


def html_to_text(html: str) -> str:
    """The readable text of an HTML body (html.parser: no external parser, nothing executed)."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser.text()
