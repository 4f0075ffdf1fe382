"""Freshdesk's ticket filter language (``GET /search/tickets?query="..."``), as far as devstack needs it.

The whole query is in double quotes; terms are ``field:value``, ``field:>value`` or ``field:<value``
(at least / at most, for numbers and dates); string values in single quotes, numbers bare, ``null`` for
"no value"; ``AND`` binds tighter than ``OR``; parentheses group. Fields: ``status``, ``priority``,
``type``, ``tag``, ``agent_id``, ``group_id``, ``created_at``, ``updated_at``, ``due_by`` (dates as
``'YYYY-MM-DD'``) and custom fields by name (``cf_inquiry_id``). Field names are case sensitive, as in
Freshdesk.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Final

from devstack.emulators.freshdesk import ApiError, FieldError, Ticket, validation_failed

MAX_QUERY_LENGTH: Final = 512
RESULTS_PER_PAGE: Final = 30
MAX_PAGE: Final = 10
_TOKEN: Final = re.compile(
    r"\s*(?:(?P<open>\()|(?P<close>\))|(?P<op>AND|OR)(?=[\s(]|$)|"
    r"(?P<field>[A-Za-z_][A-Za-z0-9_]*):(?P<rel>[<>]?)(?P<value>'[^']*'|-?\d+(?:\.\d+)?|null|true|false))"
)
_STANDARD: Final = frozenset(
    {"status", "priority", "type", "tag", "agent_id", "group_id", "created_at", "updated_at", "due_by"}
)

Predicate = Callable[[Ticket], bool]


class QueryError(ValueError):
    pass


def invalid_query(message: str) -> ApiError:
    return validation_failed(FieldError("query", message, "invalid_value"))


def compile_query(raw: str, custom_fields: frozenset[str]) -> Predicate:
    """A predicate over tickets; raises ApiError (400) the way Freshdesk refuses a query."""
    if len(raw) > MAX_QUERY_LENGTH:
        raise invalid_query(f"It can have maximum of {MAX_QUERY_LENGTH} characters")
    if len(raw) < 2 or not (raw.startswith('"') and raw.endswith('"')):
        raise invalid_query('It should be enclosed in double quotes: query="..."')
    try:
        tokens = _tokens(raw[1:-1])
        parser = _Parser(tokens, custom_fields)
        predicate = parser.expression()
        if parser.position != len(tokens):
            raise QueryError("unexpected token")
    except QueryError as problem:
        raise invalid_query(f"Invalid query: {problem}") from None
    return predicate


def _tokens(text: str) -> list[dict[str, str]]:
    tokens = []
    position = 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(f"cannot read at character {position + 1}")
        tokens.append({k: v for k, v in match.groupdict().items() if v is not None})
        position = match.end()
    if not tokens:
        raise QueryError("empty")
    return tokens


class _Parser:
    def __init__(self, tokens: list[dict[str, str]], custom_fields: frozenset[str]) -> None:
        self._tokens = tokens
        self._custom = custom_fields
        self.position = 0

    def _peek(self) -> dict[str, str] | None:
        return self._tokens[self.position] if self.position < len(self._tokens) else None

    def expression(self) -> Predicate:
        alternatives = [self._conjunction()]
        while (token := self._peek()) is not None and token.get("op") == "OR":
            self.position += 1
            alternatives.append(self._conjunction())
        return alternatives[0] if len(alternatives) == 1 else (lambda t: any(p(t) for p in alternatives))

    def _conjunction(self) -> Predicate:
        parts = [self._term()]
        while (token := self._peek()) is not None and token.get("op") == "AND":
            self.position += 1
            parts.append(self._term())
        return parts[0] if len(parts) == 1 else (lambda t: all(p(t) for p in parts))

    def _term(self) -> Predicate:
        token = self._peek()
        if token is None:
            raise QueryError("a condition is missing")
        self.position += 1
        if "open" in token:
            inner = self.expression()
            closing = self._peek()
            if closing is None or "close" not in closing:
                raise QueryError("a parenthesis is not closed")
            self.position += 1
            return inner
        if "field" not in token:
            raise QueryError("a condition is missing")
        return self._condition(token["field"], token["rel"], token["value"])

    def _condition(self, name: str, relation: str, raw: str) -> Predicate:
        if name not in _STANDARD and name not in self._custom:
            raise QueryError(f"{name} is not a field")
        value = _literal(raw)
        read = _reader(name)
        if name in {"created_at", "updated_at", "due_by"}:
            return _date_condition(read, relation, value)
        if relation:
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise QueryError(f"{name}:{relation} needs a number")
            return lambda t: _compare(read(t), relation, value)
        if name == "tag":
            return lambda t: (not t.tags) if value is None else value in t.tags
        return lambda t: read(t) == value


def _literal(raw: str) -> Any:
    if raw.startswith("'"):
        return raw[1:-1]
    if raw in {"null", "true", "false"}:
        return {"null": None, "true": True, "false": False}[raw]
    return float(raw) if "." in raw else int(raw)


def _reader(name: str) -> Callable[[Ticket], Any]:
    if name in {"agent_id", "group_id"}:
        return lambda t: None  # the emulator has no agents or groups: every ticket is unassigned
    if name == "due_by":
        return lambda t: t.created_at + timedelta(days=3)
    if name in _STANDARD:
        return lambda t: getattr(t, name)
    return lambda t: t.custom_fields.get(name)


def _compare(actual: Any, relation: str, value: Any) -> bool:
    if actual is None:
        return False
    return bool(actual >= value if relation == ">" else actual <= value)


def _date_condition(read: Callable[[Ticket], Any], relation: str, value: Any) -> Predicate:
    if not isinstance(value, str):
        raise QueryError("dates are written 'YYYY-MM-DD'")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise QueryError("dates are written 'YYYY-MM-DD'") from None
    if relation == ">":
        return lambda t: read(t).date() >= day
    if relation == "<":
        return lambda t: read(t).date() <= day
    return lambda t: read(t).date() == day
