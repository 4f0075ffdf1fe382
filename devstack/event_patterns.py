"""EventBridge event patterns (also Lambda's event filters), compiled once and matched against events.

The semantics of EventBridge content filtering:

- every field of the pattern must match (``$or`` takes a list of patterns of which one must); a nested object
  matches the event's nested object;
- a leaf is a list of matchers, of which one must match: a plain value (exact, numbers by value), ``prefix``,
  ``suffix`` (both also ``{"equals-ignore-case": ...}``), ``equals-ignore-case``, ``wildcard`` (``*``),
  ``anything-but`` (a value, a list, or a prefix/suffix/equals-ignore-case/wildcard), ``numeric`` (``[">", 0,
  "<=", 5]``), ``cidr`` and ``exists``;
- an array in the event matches when one of its elements does; a field the event lacks matches only
  ``{"exists": false}``, and ``anything-but`` never matches a missing field.
"""

from __future__ import annotations

import ipaddress
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

Matcher = Callable[[Any], bool]  # one present leaf value -> matches?
EventPredicate = Callable[[Mapping[str, Any]], bool]

_MISSING: Final = object()
_COMPARISONS: Final[dict[str, Callable[[float, float], bool]]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class PatternError(ValueError):
    """The pattern is not a valid EventBridge pattern; the message says where."""


def compile_pattern(pattern: Any) -> EventPredicate:
    """The pattern as a predicate over events; raises PatternError for an invalid one."""
    if not isinstance(pattern, Mapping) or not pattern:
        raise PatternError("a pattern is a non-empty JSON object")
    return _object(pattern, "")


def matches(pattern: Any, event: Mapping[str, Any]) -> bool:
    return compile_pattern(pattern)(event)


def _object(pattern: Mapping[str, Any], path: str) -> EventPredicate:
    checks: list[EventPredicate] = []
    for key, value in pattern.items():
        where = f"{path}.{key}" if path else str(key)
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2:
                raise PatternError(f"{where} needs a list of at least two patterns")
            checks.append(_any_of([_object(_mapping(option, where), path) for option in value]))
        elif isinstance(value, Mapping):
            checks.append(_nested(key, _object(value, where)))
        elif isinstance(value, list):
            checks.append(_leaf(key, [_matcher(item, where) for item in value], value))
        else:
            raise PatternError(f"{where}: a leaf of a pattern is a list of matchers")
    return lambda event: all(check(event) for check in checks)


def _any_of(alternatives: list[EventPredicate]) -> EventPredicate:
    return lambda event: any(alternative(event) for alternative in alternatives)


def _nested(key: str, pattern: EventPredicate) -> EventPredicate:
    return lambda event: pattern(_child(event, key))


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not value:
        raise PatternError(f"{where}: each alternative of $or is a pattern")
    return value


def _child(event: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = event.get(key) if isinstance(event, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _leaf(key: str, matchers: list[Matcher], raw: list[Any]) -> EventPredicate:
    wants_absent = any(isinstance(item, Mapping) and item.get("exists") is False for item in raw)

    def check(event: Mapping[str, Any]) -> bool:
        value = event.get(key, _MISSING) if isinstance(event, Mapping) else _MISSING
        if value is _MISSING:
            return wants_absent
        if isinstance(value, Mapping):
            return False  # matchers, exists included, apply to leaves only
        values = value if isinstance(value, list) else [value]
        return any(matcher(v) for matcher in matchers for v in values)

    return check


def _matcher(item: Any, where: str) -> Matcher:
    if item is None or isinstance(item, str | int | float | bool):
        return _equals(item)
    if not isinstance(item, Mapping) or len(item) != 1:
        raise PatternError(f"{where}: a matcher is a value or an object with one operator")
    ((name, argument),) = item.items()
    builders: dict[str, Callable[[Any, str], Matcher]] = {
        "prefix": _prefix,
        "suffix": _suffix,
        "equals-ignore-case": _ignore_case,
        "wildcard": _wildcard,
        "anything-but": _anything_but,
        "numeric": _numeric,
        "cidr": _cidr,
        "exists": _exists,
    }
    if name not in builders:
        raise PatternError(f"{where}: unknown operator {name!r}")
    return builders[name](argument, where)


def _equals(expected: Any) -> Matcher:
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v == expected
    return lambda v: type(v) is type(expected) and v == expected


def _text(argument: Any, where: str, operator_name: str) -> str:
    if not isinstance(argument, str):
        raise PatternError(f"{where}: {operator_name} takes a string")
    return argument


def _affix(operator_name: str, has: Callable[[str, str], bool]) -> Callable[[Any, str], Matcher]:
    """The builder of ``prefix`` or ``suffix`` (``has``: str.startswith or str.endswith): a string, or
    ``{"equals-ignore-case": <string>}`` to compare without case."""

    def build(argument: Any, where: str) -> Matcher:
        if isinstance(argument, Mapping) and set(argument) == {"equals-ignore-case"}:
            wanted = _text(argument["equals-ignore-case"], where, operator_name).casefold()
            return lambda v: isinstance(v, str) and has(v.casefold(), wanted)
        text = _text(argument, where, operator_name)
        return lambda v: isinstance(v, str) and has(v, text)

    return build


_prefix = _affix("prefix", str.startswith)
_suffix = _affix("suffix", str.endswith)


def _ignore_case(argument: Any, where: str) -> Matcher:
    wanted = _text(argument, where, "equals-ignore-case").casefold()
    return lambda v: isinstance(v, str) and v.casefold() == wanted


def _wildcard(argument: Any, where: str) -> Matcher:
    text = _text(argument, where, "wildcard")
    parts = re.split(r"(?<!\\)\*", text)
    expression = re.compile(".*".join(re.escape(part.replace("\\*", "*")) for part in parts), re.DOTALL)
    return lambda v: isinstance(v, str) and expression.fullmatch(v) is not None


def _anything_but(argument: Any, where: str) -> Matcher:
    if isinstance(argument, Mapping):
        if len(argument) != 1 or next(iter(argument)) not in {
            "prefix",
            "suffix",
            "equals-ignore-case",
            "wildcard",
        }:
            raise PatternError(
                f"{where}: anything-but takes values or one prefix/suffix/equals-ignore-case/wildcard"
            )
        ((name, value),) = argument.items()
        inner = [_matcher({name: item}, where) for item in (value if isinstance(value, list) else [value])]
    else:
        values = argument if isinstance(argument, list) else [argument]
        if not values:
            raise PatternError(f"{where}: anything-but needs at least one value")
        inner = [_matcher(value, where) for value in values]
    return lambda v: not any(matcher(v) for matcher in inner)


def _numeric(argument: Any, where: str) -> Matcher:
    if not isinstance(argument, list) or len(argument) not in {2, 4}:
        raise PatternError(f'{where}: numeric takes [op, number] or [op, number, op, number], e.g. [">", 0]')
    tests = []
    for index in range(0, len(argument), 2):
        name, bound = argument[index], argument[index + 1]
        if name not in _COMPARISONS or isinstance(bound, bool) or not isinstance(bound, int | float):
            raise PatternError(f"{where}: numeric comparisons are =, <, <=, >, >= with a number")
        tests.append((_COMPARISONS[name], float(bound)))
    return lambda v: (
        isinstance(v, int | float)
        and not isinstance(v, bool)
        and all(test(float(v), bound) for test, bound in tests)
    )


def _cidr(argument: Any, where: str) -> Matcher:
    try:
        network = ipaddress.ip_network(_text(argument, where, "cidr"), strict=False)
    except ValueError:
        raise PatternError(f"{where}: cidr takes a network such as 10.0.0.0/24") from None

    def inside(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return inside


def _exists(argument: Any, where: str) -> Matcher:
    if not isinstance(argument, bool):
        raise PatternError(f"{where}: exists takes true or false")
    return lambda v: argument  # a present leaf: exists true matches, exists false does not
