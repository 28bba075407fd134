"""Create the template's resources on the local services: the table on DynamoDB Local,
the buckets, topics and queues on moto. Definitions come from template.yaml only.

Local names are deterministic (``<prefix>-<logical id in lower case>``) so a restart of
``make run`` finds the table it created last time in ``.local/dynamodb``."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from remit_local.apigw import ACCOUNT_ID, REGION
from remit_local.intrinsics import LocalResource, Resolver, Unresolvable
from remit_local.template import TEMPLATE, load, resources, table_definition, ttl_attribute

log = logging.getLogger("remit_local.resources")

DEFAULT_PREFIX = "remit-local"

# CloudFormation queue properties that are SQS attributes of the same name.
_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
)


def create_table(client: Any, name: str, template: Path = TEMPLATE) -> None:
    """Create the table (and switch on TTL) unless it exists already; an existing one (kept
    in .local/dynamodb) gets the indexes the template has gained since."""
    definition = table_definition(name, template)
    try:
        client.create_table(**definition)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":
            raise
        _add_missing_indexes(client, definition)
        return
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    attribute = ttl_attribute(template)
    if attribute:
        client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
        )


def _add_missing_indexes(client: Any, definition: dict[str, Any]) -> None:
    name = definition["TableName"]
    existing = client.describe_table(TableName=name)["Table"]
    present = {index["IndexName"] for index in existing.get("GlobalSecondaryIndexes", [])}
    for index in definition.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in present:
            continue
        log.warning("table %s: adding index %s, new in the template", name, index["IndexName"])
        # One index per UpdateTable call, as DynamoDB requires.
        client.update_table(
            TableName=name,
            AttributeDefinitions=definition["AttributeDefinitions"],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )
        _wait_for_indexes(client, name)


def _wait_for_indexes(client: Any, name: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        table = client.describe_table(TableName=name)["Table"]
        if all(i["IndexStatus"] == "ACTIVE" for i in table.get("GlobalSecondaryIndexes", [])):
            return
        time.sleep(0.2)
    raise TimeoutError(f"the indexes of {name} are not active after {timeout}s")


def local_name(logical_id: str, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}-{logical_id.lower()}"


@dataclass
class Clients:
    """boto3 clients for the local services (DynamoDB Local and moto)."""

    dynamodb: Any
    s3: Any
    sns: Any
    sqs: Any
    dynamodbstreams: Any = None
    # SES (v2 API) on moto: sender identities and configuration sets. Optional, so a
    # caller that only needs tables and queues can leave it out.
    ses: Any = None
    # Cognito on moto: the operators' user pool and the dashboard's app client.
    cognito: Any = None


def create_resources(
    clients: Clients, template: Path = TEMPLATE, prefix: str = DEFAULT_PREFIX
) -> dict[str, LocalResource]:
    """Every table, bucket, topic, queue and SQS subscription the template declares, by
    logical id. Functions are included too (name and ARN), so ``!GetAtt Fn.Arn`` resolves."""
    doc = load(template)
    # Until the resources exist, only parameters and conditions (!If [IsProd, ...]) resolve:
    # enough for the properties that shape a resource. References between resources
    # (redrive policies, subscriptions) are wired up once everything exists.
    declared = _Declared(template, Resolver(doc, {}))
    created = _create(clients, declared, template, prefix)
    _connect(clients, declared, Resolver(doc, created), created)
    return created


@dataclass
class _Declared:
    template: Path
    early: Resolver

    def __call__(self, kind: str) -> dict[str, dict[str, Any]]:
        """Resources of ``kind`` whose Condition (if any) holds, with their properties."""
        found = {}
        for logical_id, resource in resources(kind, self.template).items():
            if "Condition" in resource and not self.early.condition(resource["Condition"]):
                continue
            found[logical_id] = resource.get("Properties", {})
        return found


Maker = Callable[[str, Mapping[str, Any]], LocalResource]


def _create(clients: Clients, declared: _Declared, template: Path, prefix: str) -> dict[str, LocalResource]:
    """Each resource on its local service, kind by kind in this order."""
    early = declared.early
    makers: dict[str, Maker] = {
        "AWS::DynamoDB::Table": lambda lid, _: _table(clients.dynamodb, lid, template, prefix),
        "AWS::S3::Bucket": lambda lid, props: _bucket(clients.s3, lid, early, props, prefix),
        "AWS::SNS::Topic": lambda lid, props: _topic(clients.sns, lid, early, props, prefix),
        "AWS::SQS::Queue": lambda lid, props: _queue(clients.sqs, lid, early, props, prefix),
        "AWS::SES::ConfigurationSet": lambda lid, props: _configuration_set(clients.ses, lid, props, prefix),
        "AWS::SES::EmailIdentity": lambda lid, props: _email_identity(clients.ses, lid, early, props),
        "AWS::Cognito::UserPool": lambda lid, props: _user_pool(clients.cognito, lid, early, props, prefix),
        "AWS::Serverless::Function": lambda lid, _: _function(lid, prefix),
    }
    created: dict[str, LocalResource] = {}
    for kind, make in makers.items():
        for logical_id, props in declared(kind).items():
            created[logical_id] = make(logical_id, props)
    return created


def _function(logical_id: str, prefix: str) -> LocalResource:
    name = local_name(logical_id, prefix)
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"
    return LocalResource(logical_id, "AWS::Serverless::Function", name, {"Arn": arn})


def _connect(
    clients: Clients, declared: _Declared, resolver: Resolver, created: dict[str, LocalResource]
) -> None:
    """What refers to other resources: redrive policies, the user pool's app clients,
    topic subscriptions."""
    for logical_id, props in declared("AWS::SQS::Queue").items():
        if props.get("RedrivePolicy"):
            clients.sqs.set_queue_attributes(
                QueueUrl=created[logical_id].attributes["QueueUrl"],
                Attributes={"RedrivePolicy": json.dumps(resolver.resolve(props["RedrivePolicy"]))},
            )
    for logical_id, props in declared("AWS::Cognito::UserPoolClient").items():
        created[logical_id] = _user_pool_client(clients.cognito, logical_id, resolver, props)
    for topic_id, props in declared("AWS::SNS::Topic").items():
        for subscription in props.get("Subscription", []):
            _subscribe(clients.sns, resolver, {"TopicArn": created[topic_id].ref, **subscription})
    for props in declared("AWS::SNS::Subscription").values():
        _subscribe(clients.sns, resolver, props)


def _table(client: Any, logical_id: str, template: Path, prefix: str) -> LocalResource:
    name = local_name(logical_id, prefix)
    create_table(client, name, template)
    table = client.describe_table(TableName=name)["Table"]
    attributes = {"Arn": table["TableArn"]}
    if table.get("LatestStreamArn"):
        attributes["StreamArn"] = table["LatestStreamArn"]
    return LocalResource(logical_id, "AWS::DynamoDB::Table", name, attributes)


def _bucket(
    client: Any, logical_id: str, early: Resolver, props: Mapping[str, Any], prefix: str
) -> LocalResource:
    name = local_name(logical_id, prefix)
    try:
        client.create_bucket(Bucket=name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    versioning = early.resolve(props.get("VersioningConfiguration", {})).get("Status")
    if versioning in ("Enabled", "Suspended"):
        client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
    attributes = {
        "Arn": f"arn:aws:s3:::{name}",
        "DomainName": f"{name}.s3.amazonaws.com",
        "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com",
    }
    return LocalResource(logical_id, "AWS::S3::Bucket", name, attributes)


def _topic(
    client: Any, logical_id: str, early: Resolver, props: Mapping[str, Any], prefix: str
) -> LocalResource:
    fifo = _is_true(early.resolve(props.get("FifoTopic")))
    name = local_name(logical_id, prefix) + (".fifo" if fifo else "")
    attributes = {"FifoTopic": "true"} if fifo else {}
    if fifo and _is_true(early.resolve(props.get("ContentBasedDeduplication"))):
        attributes["ContentBasedDeduplication"] = "true"
    arn = client.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    return LocalResource(logical_id, "AWS::SNS::Topic", arn, {"TopicArn": arn, "TopicName": name})


def _queue(
    client: Any, logical_id: str, early: Resolver, props: Mapping[str, Any], prefix: str
) -> LocalResource:
    attributes = {key: _attribute(early.resolve(props[key])) for key in _QUEUE_ATTRIBUTES if key in props}
    fifo = _is_true(attributes.get("FifoQueue"))
    name = local_name(logical_id, prefix) + (".fifo" if fifo else "")
    url = client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # !Ref of a queue is its URL, as in CloudFormation.
    return LocalResource(logical_id, "AWS::SQS::Queue", url, {"Arn": arn, "QueueUrl": url, "QueueName": name})


def _subscribe(client: Any, resolver: Resolver, props: Mapping[str, Any]) -> None:
    """SQS subscriptions only: moto delivers those itself. Others (lambda, email ...)
    have nothing local to deliver to and are skipped."""
    if props.get("Protocol") != "sqs":
        return
    try:
        topic_arn, endpoint = resolver.string(props["TopicArn"]), resolver.string(props["Endpoint"])
    except Unresolvable:
        return
    attributes = {}
    if "RawMessageDelivery" in props:
        attributes["RawMessageDelivery"] = _attribute(props["RawMessageDelivery"])
    if "FilterPolicy" in props:
        attributes["FilterPolicy"] = json.dumps(resolver.resolve(props["FilterPolicy"]))
    if "FilterPolicyScope" in props:
        attributes["FilterPolicyScope"] = str(props["FilterPolicyScope"])
    client.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=endpoint, Attributes=attributes)


def _configuration_set(client: Any, logical_id: str, props: Mapping[str, Any], prefix: str) -> LocalResource:
    name = str(props.get("Name") or local_name(logical_id, prefix))
    if client is not None:
        try:
            client.create_configuration_set(ConfigurationSetName=name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "AlreadyExistsException":
                raise
    return LocalResource(logical_id, "AWS::SES::ConfigurationSet", name)


def _email_identity(client: Any, logical_id: str, early: Resolver, props: Mapping[str, Any]) -> LocalResource:
    """The sender: moto's SES refuses mail from an address (or domain) it has no identity
    for, as SES does before verification; locally the identity is verified at once."""
    identity = early.string(props["EmailIdentity"])
    if client is not None:
        try:
            client.create_email_identity(EmailIdentity=identity)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "AlreadyExistsException":
                raise
    return LocalResource(logical_id, "AWS::SES::EmailIdentity", identity)


def _user_pool(
    client: Any, logical_id: str, early: Resolver, props: Mapping[str, Any], prefix: str
) -> LocalResource:
    """The pool on moto's Cognito, new on every start (moto keeps no state): ``make run``
    creates its demo operator again each time (remit_local.demo)."""
    if client is None:
        return LocalResource(logical_id, "AWS::Cognito::UserPool", f"{REGION}_local")
    name = local_name(logical_id, prefix)
    schema = [
        {
            "Name": attribute["Name"],
            "AttributeDataType": attribute.get("AttributeDataType", "String"),
            "Mutable": _is_true(attribute.get("Mutable", True)),
        }
        for attribute in early.resolve(props.get("Schema", []))
    ]
    pool = client.create_user_pool(
        PoolName=name,
        Schema=schema,
        UsernameAttributes=list(props.get("UsernameAttributes", [])),
        Policies=early.resolve(props.get("Policies", {})),
    )["UserPool"]
    attributes = {
        "Arn": pool["Arn"],
        "ProviderName": f"cognito-idp.{REGION}.amazonaws.com/{pool['Id']}",
        "ProviderURL": f"https://cognito-idp.{REGION}.amazonaws.com/{pool['Id']}",
        "UserPoolId": pool["Id"],
    }
    return LocalResource(logical_id, "AWS::Cognito::UserPool", pool["Id"], attributes)


def _user_pool_client(
    client: Any, logical_id: str, resolver: Resolver, props: Mapping[str, Any]
) -> LocalResource:
    if client is None:
        return LocalResource(logical_id, "AWS::Cognito::UserPoolClient", "local-client")
    created = client.create_user_pool_client(
        UserPoolId=resolver.string(props["UserPoolId"]),
        ClientName=str(props.get("ClientName", logical_id)),
        GenerateSecret=_is_true(props.get("GenerateSecret", False)),
        ExplicitAuthFlows=list(props.get("ExplicitAuthFlows", [])),
        ReadAttributes=list(props.get("ReadAttributes", [])),
        WriteAttributes=list(props.get("WriteAttributes", [])),
    )["UserPoolClient"]
    return LocalResource(
        logical_id, "AWS::Cognito::UserPoolClient", created["ClientId"], {"ClientId": created["ClientId"]}
    )


def _is_true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _attribute(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
