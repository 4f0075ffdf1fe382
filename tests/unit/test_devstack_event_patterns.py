"""EventBridge pattern matching as devstack routes /_local/events (and filters SQS event sources)."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.event_patterns import PatternError, compile_pattern, matches

EVENT: dict[str, Any] = {
    "version": "0",
    "id": "e-1",
    "source": "shop.accounts",
    "detail-type": "AccountClosed",
    "account": "123456789012",
    "region": "eu-central-1",
    "resources": ["arn:aws:shop:eu-central-1:123456789012:account/C-1", "arn:other"],
    "detail": {
        "customer_number": "C-104233",
        "email": "Jan@Example.NET",
        "score": 7,
        "ratio": 0.5,
        "vip": False,
        "note": None,
        "tags": ["gold", "eu"],
        "address": {"country": "NL", "ip": "10.0.3.7"},
    },
}


@pytest.mark.parametrize(
    "pattern",
    [
        {"source": ["shop.accounts"]},
        {"source": ["shop.orders", "shop.accounts"], "detail-type": ["AccountClosed"]},
        {"detail": {"customer_number": [{"prefix": "C-"}]}},
        {"detail": {"email": [{"suffix": "Example.NET"}]}},
        {"detail": {"email": [{"prefix": {"equals-ignore-case": "jan@"}}]}},
        {"detail": {"email": [{"suffix": {"equals-ignore-case": "example.net"}}]}},
        {"detail": {"email": [{"equals-ignore-case": "jan@example.net"}]}},
        {"detail": {"email": [{"wildcard": "Jan@*.NET"}]}},
        {"detail": {"score": [7]}},
        {"detail": {"score": [7.0]}},
        {"detail": {"score": [{"numeric": [">", 5, "<=", 7]}]}},
        {"detail": {"ratio": [{"numeric": ["=", 0.5]}]}},
        {"detail": {"vip": [False]}},
        {"detail": {"note": [None]}},
        {"detail": {"tags": ["eu"]}},  # an array in the event: one element is enough
        {"resources": [{"prefix": "arn:aws:shop:"}]},
        {"detail": {"address": {"country": ["NL"], "ip": [{"cidr": "10.0.0.0/16"}]}}},
        {"detail": {"customer_number": [{"exists": True}], "missing": [{"exists": False}]}},
        {"detail": {"customer_number": [{"anything-but": ["C-1", "C-2"]}]}},
        {"detail": {"customer_number": [{"anything-but": "C-1"}]}},
        {"detail": {"customer_number": [{"anything-but": {"prefix": "X-"}}]}},
        {"detail": {"customer_number": [{"anything-but": {"suffix": ["9", "8"]}}]}},
        {"detail": {"email": [{"anything-but": {"equals-ignore-case": "bob@example.net"}}]}},
        {"detail": {"score": [{"anything-but": [1, 2]}]}},
        {"$or": [{"source": ["nope"]}, {"detail": {"score": [7]}}]},
        {"missing": {"deeper": [{"exists": False}]}},
        {"detail": {"email": [{"wildcard": "Jan\\*"}, {"wildcard": "*@Example.NET"}]}},
    ],
)
def test_a_pattern_that_matches(pattern: dict[str, Any]) -> None:
    assert matches(pattern, EVENT)


@pytest.mark.parametrize(
    "pattern",
    [
        {"source": ["shop.orders"]},
        {"source": ["shop.accounts"], "detail-type": ["AccountOpened"]},  # every field must match
        {"source": ["SHOP.ACCOUNTS"]},  # exact values are case sensitive
        {"detail": {"score": ["7"]}},  # a string is not a number
        {"detail": {"vip": [0]}},  # nor is a boolean
        {"detail": {"note": [""]}},
        {"detail": {"customer_number": [{"prefix": "c-"}]}},
        {"detail": {"score": [{"prefix": "7"}]}},
        {"detail": {"score": [{"numeric": [">", 7]}]}},
        {"detail": {"customer_number": [{"numeric": [">", 0]}]}},
        {"detail": {"missing": ["x"]}},
        {"detail": {"missing": [{"anything-but": "x"}]}},  # anything-but needs the field
        {"detail": {"customer_number": [{"exists": False}]}},
        {"detail": {"missing": [{"exists": True}]}},
        {"detail": {"address": [{"exists": True}]}},  # exists applies to leaves
        {"detail": {"address": {"ip": [{"cidr": "192.168.0.0/16"}]}}},
        {"detail": {"customer_number": [{"cidr": "10.0.0.0/8"}]}},
        {"detail": {"email": [{"wildcard": "bob*"}]}},
        {"detail": {"customer_number": [{"anything-but": ["C-104233"]}]}},
        {"detail": {"customer_number": [{"anything-but": {"prefix": "C-"}}]}},
        {"detail-type": {"nested": ["x"]}},  # a string is not an object
        {"$or": [{"source": ["nope"]}, {"detail-type": ["nope"]}]},
    ],
)
def test_a_pattern_that_does_not_match(pattern: dict[str, Any]) -> None:
    assert not matches(pattern, EVENT)


@pytest.mark.parametrize(
    "pattern",
    [
        {},
        ["source"],
        {"source": "shop.accounts"},  # a leaf is a list
        {"source": [{"prefix": 1}]},
        {"source": [{"prefix": "a", "suffix": "b"}]},
        {"source": [{"unknown": "x"}]},
        {"source": [["nested"]]},
        {"detail": {"score": [{"numeric": [">"]}]}},
        {"detail": {"score": [{"numeric": ["~", 1]}]}},
        {"detail": {"score": [{"numeric": [">", True]}]}},
        {"detail": {"ip": [{"cidr": "not-a-network"}]}},
        {"detail": {"x": [{"exists": "yes"}]}},
        {"detail": {"x": [{"anything-but": []}]}},
        {"detail": {"x": [{"anything-but": {"numeric": [">", 1]}}]}},
        {"$or": [{"source": ["a"]}]},
        {"$or": [{"source": ["a"]}, "b"]},
    ],
)
def test_an_invalid_pattern_is_refused_when_compiled(pattern: Any) -> None:
    with pytest.raises(PatternError):
        compile_pattern(pattern)


def test_a_compiled_pattern_is_reused_across_events() -> None:
    closed = compile_pattern({"source": ["shop.accounts"], "detail-type": ["AccountClosed"]})

    assert closed(EVENT)
    assert not closed({**EVENT, "detail-type": "AccountOpened"})
    assert not closed({"detail-type": "AccountClosed"})
