"""The SNS side of events: publishing to the topic, and webhook endpoints as HTTPS
subscriptions of it. Every message carries three attributes that subscriptions filter on:
``organizationId``, ``eventType`` and ``audience`` (``all`` for a first delivery,
``webhooks`` or ``endpoint:<id>`` for a redelivery meant only for webhook endpoints)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

# SNS retries an HTTPS endpoint for at most an hour (its own limit); what it gives up on
# goes to the dead-letter queue, from which the redriver keeps trying for three days.
DELIVERY_POLICY = {
    "healthyRetryPolicy": {
        "minDelayTarget": 20,
        "maxDelayTarget": 600,
        "numRetries": 12,
        "numNoDelayRetries": 0,
        "numMinDelayRetries": 2,
        "numMaxDelayRetries": 2,
        "backoffFunction": "exponential",
    },
    "throttlePolicy": {"maxReceivesPerSecond": 10},
}
FIRST_DELIVERY = "all"
WEBHOOKS_ONLY = "webhooks"


def endpoint_audience(endpoint_id: str) -> str:
    return f"endpoint:{endpoint_id}"


def filter_policy(org_id: str, event_types: Sequence[str], endpoint_id: str) -> dict[str, list[str]]:
    """Pinned to the organization, whatever the caller asked for: no endpoint can ever
    match another organization's events."""
    return {
        "organizationId": [org_id],
        "eventType": sorted(event_types),
        "audience": [FIRST_DELIVERY, WEBHOOKS_ONLY, endpoint_audience(endpoint_id)],
    }


class Topic:
    def __init__(self, arn: str, client: SNSClient | None = None) -> None:
        self.arn = arn
        if client is not None:
            self.client = client

    @cached_property
    def client(self) -> SNSClient:
        return boto3.client("sns")

    # -- publishing ----------------------------------------------------------------------

    def publish(self, message: dict[str, Any], org_id: str, event_type: str, audience: str) -> str:
        out = self.client.publish(
            TopicArn=self.arn,
            Message=json.dumps(message, separators=(",", ":")),
            MessageAttributes={
                "organizationId": {"DataType": "String", "StringValue": org_id},
                "eventType": {"DataType": "String", "StringValue": event_type},
                "audience": {"DataType": "String", "StringValue": audience},
            },
        )
        return out["MessageId"]

    # -- webhook endpoints -----------------------------------------------------------------

    def subscribe_https(self, url: str, policy: dict[str, list[str]], dead_letter_arn: str) -> str:
        protocol = "https" if url.startswith("https://") else "http"
        out = self.client.subscribe(
            TopicArn=self.arn,
            Protocol=protocol,
            Endpoint=url,
            Attributes={
                "FilterPolicy": json.dumps(policy),
                "DeliveryPolicy": json.dumps(DELIVERY_POLICY),
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_letter_arn}),
            },
            ReturnSubscriptionArn=True,
        )
        return out["SubscriptionArn"]

    def unsubscribe(self, subscription_arn: str) -> None:
        # Already gone is what we wanted.
        with contextlib.suppress(self.client.exceptions.NotFoundException):
            self.client.unsubscribe(SubscriptionArn=subscription_arn)

    def confirmed(self, subscription_arn: str) -> bool:
        try:
            attributes = self.client.get_subscription_attributes(SubscriptionArn=subscription_arn)
        except self.client.exceptions.NotFoundException:
            return False
        return attributes["Attributes"].get("PendingConfirmation", "false").lower() != "true"
