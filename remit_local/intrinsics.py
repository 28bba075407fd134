"""Resolve CloudFormation intrinsics (!Ref, !GetAtt, !Sub, !If ...) against the resources
the local cloud created, so a function's environment in template.yaml means the same
thing locally as it does deployed (``TABLE_NAME: !Ref Table`` -> the local table)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from remit_local.apigw import ACCOUNT_ID, REGION

STACK_NAME = "remit-local"


class Unresolvable(ValueError):
    """A value the local cloud cannot give a meaning to (an unsupported intrinsic, or a
    reference to a resource it does not emulate)."""


@dataclass(frozen=True)
class LocalResource:
    """One template resource as it exists locally: what ``!Ref`` gives and what
    ``!GetAtt`` can read (Arn, QueueUrl, QueueName, StreamArn ...)."""

    logical_id: str
    type: str
    ref: str
    attributes: Mapping[str, str] = field(default_factory=dict)


_SUB = re.compile(r"\$\{([^}!]+)\}")


class Resolver:
    def __init__(
        self,
        template: Mapping[str, Any],
        resources: Mapping[str, LocalResource],
        parameters: Mapping[str, str] | None = None,
    ) -> None:
        self.template = template
        self.resources = resources
        declared = template.get("Parameters", {})
        self.parameters = {name: str(p.get("Default", "")) for name, p in declared.items() if "Default" in p}
        self.parameters.update(parameters or {})
        self.pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": STACK_NAME,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {k: self.resolve(v) for k, v in value.items()}
        [(name, arg)] = value.items()
        handler = self._intrinsics.get(name)
        if handler is None:
            return {name: self.resolve(arg)}
        return handler(self, arg)

    def string(self, value: Any) -> str:
        """Resolve to a string, as an environment variable needs."""
        resolved = self.resolve(value)
        if isinstance(resolved, bool):
            return "true" if resolved else "false"
        if isinstance(resolved, str | int | float):
            return str(resolved)
        raise Unresolvable(f"{value!r} does not resolve to a string")

    # -- intrinsics --------------------------------------------------------------------

    def _ref(self, name: Any) -> str:
        if name in self.parameters:
            return self.parameters[name]
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.resources:
            return self.resources[name].ref
        raise Unresolvable(f"!Ref {name}: not a parameter or a resource the local cloud creates")

    def _get_att(self, arg: Any) -> str:
        logical_id, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
        resource = self.resources.get(logical_id)
        if resource is None or attribute not in resource.attributes:
            raise Unresolvable(f"!GetAtt {logical_id}.{attribute}: not available locally")
        return resource.attributes[attribute]

    def _sub(self, arg: Any) -> str:
        text, variables = (arg[0], arg[1]) if isinstance(arg, list) else (arg, {})
        variables = {k: self.string(v) for k, v in variables.items()}

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and name.split(".", 1)[0] in self.resources:
                return self._get_att(name.split(".", 1))
            return self._ref(name)

        return _SUB.sub(one, str(text))

    def _join(self, arg: Any) -> str:
        separator, parts = arg
        return str(separator).join(self.string(p) for p in self.resolve(parts))

    def _select(self, arg: Any) -> Any:
        index, items = arg
        return self.resolve(items)[int(self.resolve(index))]

    def _if(self, arg: Any) -> Any:
        condition, when_true, when_false = arg
        return self.resolve(when_true if self.condition(condition) else when_false)

    def condition(self, name: str) -> bool:
        conditions = self.template.get("Conditions", {})
        if name not in conditions:
            raise Unresolvable(f"condition {name} is not declared")
        return bool(self._evaluate(conditions[name]))

    def _evaluate(self, expression: Any) -> Any:
        if isinstance(expression, dict) and len(expression) == 1:
            [(name, arg)] = expression.items()
            if name == "Fn::Equals":
                left, right = (self.resolve(a) for a in arg)
                return str(left) == str(right)
            if name == "Fn::Not":
                return not self._evaluate(arg[0])
            if name == "Fn::And":
                return all(self._evaluate(a) for a in arg)
            if name == "Fn::Or":
                return any(self._evaluate(a) for a in arg)
            if name == "Condition":
                return self.condition(arg)
        return self.resolve(expression)

    _intrinsics = {
        "Ref": _ref,
        "Fn::GetAtt": _get_att,
        "Fn::Sub": _sub,
        "Fn::Join": _join,
        "Fn::Select": _select,
        "Fn::If": _if,
    }
