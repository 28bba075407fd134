"""Read template.yaml: the one definition of the table, routes and schedules, which the
local cloud and the tests build from so they cannot drift from what deploys."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (!Ref, !GetAtt, !Sub ...) kept as
    ``{"Ref": ...}`` / ``{"Fn::GetAtt": ...}`` dictionaries."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


@cache
def load(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open() as f:
        doc: dict[str, Any] = yaml.load(f, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    return doc


def resources(kind: str, path: Path = TEMPLATE) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in load(path)["Resources"].items() if r["Type"] == kind}


def table_definition(table_name: str, path: Path = TEMPLATE) -> dict[str, Any]:
    """CreateTable arguments for the template's table, under ``table_name``."""
    [props] = [r["Properties"] for r in resources("AWS::DynamoDB::Table", path).values()]
    args: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        args["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if props.get("StreamSpecification"):
        args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    return args


def ttl_attribute(path: Path = TEMPLATE) -> str | None:
    [props] = [r["Properties"] for r in resources("AWS::DynamoDB::Table", path).values()]
    spec = props.get("TimeToLiveSpecification") or {}
    return spec.get("AttributeName") if spec.get("Enabled") else None
