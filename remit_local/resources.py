"""Create the template's resources on the local services: the table on DynamoDB Local,
the bucket, topic and queues on moto. Definitions come from template.yaml only."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from remit_local.template import table_definition, ttl_attribute


def create_table(client: Any, name: str) -> None:
    """Create the table (and switch on TTL) unless it exists already."""
    try:
        client.create_table(**table_definition(name))
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":
            raise
        return
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    attribute = ttl_attribute()
    if attribute:
        client.update_time_to_live(TableName=name,
                                   TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute})
