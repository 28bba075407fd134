"""Resources from template.yaml on the local services."""

from __future__ import annotations

from remit_local.resources import create_table
from remit_local.stack import LocalStack
from remit_local.template import table_definition


def indexes(stack: LocalStack, name: str) -> dict[str, str]:
    table = stack.clients.dynamodb.describe_table(TableName=name)["Table"]
    return {i["IndexName"]: i["IndexStatus"] for i in table.get("GlobalSecondaryIndexes", [])}


def test_an_existing_table_gains_the_indexes_the_template_added(stack: LocalStack) -> None:
    """A table kept in .local/dynamodb from before a GSI was added to the template."""
    full = table_definition("older-table")
    [first, *later] = full["GlobalSecondaryIndexes"]
    used = {"pk", "sk", *(k["AttributeName"] for k in first["KeySchema"])}
    stack.clients.dynamodb.create_table(
        **{
            **full,
            "GlobalSecondaryIndexes": [first],
            "AttributeDefinitions": [a for a in full["AttributeDefinitions"] if a["AttributeName"] in used],
        }
    )
    assert set(indexes(stack, "older-table")) == {first["IndexName"]}

    create_table(stack.clients.dynamodb, "older-table")

    assert indexes(stack, "older-table") == {i["IndexName"]: "ACTIVE" for i in [first, *later]}


def test_the_stack_table_matches_the_template(stack: LocalStack) -> None:
    table = stack.clients.dynamodb.describe_table(TableName=stack.table_name)["Table"]
    expected = table_definition(stack.table_name)
    assert table["KeySchema"] == expected["KeySchema"]
    assert set(indexes(stack, stack.table_name)) == {
        i["IndexName"] for i in expected["GlobalSecondaryIndexes"]
    }
    assert table["StreamSpecification"]["StreamEnabled"] is True
    ttl = stack.clients.dynamodb.describe_time_to_live(TableName=stack.table_name)["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "ENABLED"


def test_buckets_topics_and_queues_exist_under_local_names(stack: LocalStack) -> None:
    for logical_id, resource in stack.main.resources.items():
        if resource.type == "AWS::S3::Bucket":
            stack.clients.s3.head_bucket(Bucket=resource.ref)
        elif resource.type == "AWS::SNS::Topic":
            stack.clients.sns.get_topic_attributes(TopicArn=resource.ref)
        elif resource.type == "AWS::SQS::Queue":
            stack.clients.sqs.get_queue_attributes(QueueUrl=resource.ref)
        else:
            continue
        assert logical_id.lower() in resource.ref
