"""CloudFormation intrinsic functions, resolved against local values.

Enough of the language for what a template puts in resource properties and environment variables:
Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If (with Conditions), Fn::Equals,
Fn::Not, Fn::And, Fn::Or, Condition, Fn::FindInMap, Fn::Base64. Anything else is an UnresolvableError.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

NO_VALUE: Final = object()  # AWS::NoValue: the property or list item is left out
_SUB_VARIABLE: Final = re.compile(r"\$\{([^}]+)\}")


class UnresolvableError(Exception):
    """A value uses an intrinsic function or a reference devstack cannot resolve locally."""


class Intrinsics:
    """Resolves intrinsic functions. ``ref`` and ``get_att`` answer for resources (logical id -> value)."""

    def __init__(
        self,
        *,
        parameters: Mapping[str, Any],
        ref: Callable[[str], Any],
        get_att: Callable[[str, str], Any],
        conditions: Mapping[str, Any] | None = None,
        mappings: Mapping[str, Any] | None = None,
    ) -> None:
        self._parameters = parameters
        self._ref = ref
        self._get_att = get_att
        self._conditions = conditions or {}
        self._mappings = mappings or {}
        self._functions: dict[str, Callable[[Any], Any]] = {
            "Ref": self._fn_ref,
            "Fn::GetAtt": self._fn_get_att,
            "Fn::Sub": self._fn_sub,
            "Fn::Join": self._fn_join,
            "Fn::Select": self._fn_select,
            "Fn::Split": self._fn_split,
            "Fn::If": self._fn_if,
            "Fn::Equals": self._fn_equals,
            "Fn::Not": lambda args: not self._boolean(args[0]),
            "Fn::And": lambda args: all(self._boolean(a) for a in args),
            "Fn::Or": lambda args: any(self._boolean(a) for a in args),
            "Condition": self.condition,
            "Fn::FindInMap": self._fn_find_in_map,
            "Fn::Base64": lambda arg: base64.b64encode(str(self.resolve(arg)).encode()).decode(),
        }

    def resolve(self, value: Any) -> Any:
        """``value`` with every intrinsic function replaced by its result (NO_VALUE items dropped)."""
        if isinstance(value, Mapping):
            if len(value) == 1:
                ((key, argument),) = value.items()
                if key in self._functions:
                    return self._functions[key](argument)
                if key.startswith("Fn::"):
                    raise UnresolvableError(f"devstack cannot resolve {key}")
            resolved = {k: self.resolve(v) for k, v in value.items()}
            return {k: v for k, v in resolved.items() if v is not NO_VALUE}
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        return value

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            raise UnresolvableError(f"no condition named {name}")
        return self._boolean(self._conditions[name])

    def _boolean(self, value: Any) -> bool:
        result = self.resolve(value)
        if isinstance(result, str):
            return result.lower() == "true"
        return bool(result)

    def _fn_ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._parameters:
            return self._parameters[name]
        return self._ref(name)

    def _fn_get_att(self, argument: Any) -> Any:
        logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
        return self._get_att(str(logical_id), str(self.resolve(attribute)))

    def _fn_sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
        local = {name: self.resolve(value) for name, value in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in local:
                return str(local[name])
            if "." in name and name not in self._parameters and not name.startswith("AWS::"):
                return str(self._fn_get_att(name))
            return str(self._fn_ref(name))

        return _SUB_VARIABLE.sub(replace, text)

    def _fn_join(self, argument: Any) -> str:
        delimiter, items = argument
        resolved = self.resolve(items)
        return str(delimiter).join(str(item) for item in resolved)

    def _fn_select(self, argument: Any) -> Any:
        index, items = argument
        return self.resolve(items)[int(self.resolve(index))]

    def _fn_split(self, argument: Any) -> list[str]:
        delimiter, text = argument
        return str(self.resolve(text)).split(str(delimiter))

    def _fn_if(self, argument: Any) -> Any:
        name, when_true, when_false = argument
        return self.resolve(when_true if self.condition(name) else when_false)

    def _fn_equals(self, argument: Any) -> bool:
        left, right = (self.resolve(part) for part in argument)
        return str(left) == str(right)

    def _fn_find_in_map(self, argument: Any) -> Any:
        name, top, second = (str(self.resolve(part)) for part in argument[:3])
        try:
            return self.resolve(self._mappings[name][top][second])
        except KeyError:
            raise UnresolvableError(f"Fn::FindInMap {name}/{top}/{second} is not in the template") from None


def references(value: Any) -> set[str]:
    """Every name ``value`` refers to by Ref, Fn::GetAtt or Fn::Sub (parameters and resources alike)."""
    found: set[str] = set()
    if isinstance(value, Mapping):
        for key, argument in value.items():
            found |= _references_of(key, argument)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found


def _references_of(key: str, argument: Any) -> set[str]:
    if key == "Ref" and isinstance(argument, str):
        return {argument}
    if key == "Fn::GetAtt":
        target = argument.split(".", 1)[0] if isinstance(argument, str) else argument[0]
        return {str(target)}
    if key == "Fn::Sub":
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
        names = {m.group(1).split(".", 1)[0] for m in _SUB_VARIABLE.finditer(str(text))}
        return {n for n in names if not n.startswith("!") and n not in variables} | references(variables)
    return references(argument)
