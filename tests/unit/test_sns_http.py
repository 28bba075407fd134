"""The local cloud's SNS HTTP(S) deliveries (remit_local.sns_http) on moto in-process:
Publish never waits for or fails on a subscriber, failures are retried on the delivery
policy and then dead-lettered, and subscriptions wait for their confirmation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from remit.adapters.sns import DELIVERY_POLICY
from remit_local.dynamodb_local import free_port
from remit_local.sns_http import HttpDeliveries, retry_delays
from remit_subscriber import MemoryDeduper, Verifier, handle
from tests.support.receiver import Receiver


@pytest.fixture
def aws() -> Iterator[tuple[Any, Any, str, HttpDeliveries]]:
    with mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        topic = sns.create_topic(Name="events")["TopicArn"]
        deliveries = HttpDeliveries(time_scale=0).install()
        deliveries.own(topic)
        try:
            yield sns, sqs, topic, deliveries
        finally:
            deliveries.uninstall()


def subscribe(sns: Any, sqs: Any, topic: str, url: str) -> tuple[str, str]:
    dlq = sqs.create_queue(QueueName=f"dlq-{free_port()}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    arn = sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint=url,
        Attributes={
            "DeliveryPolicy": json.dumps(DELIVERY_POLICY),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn}),
        },
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    return arn, dlq


def test_the_retry_schedule_follows_the_delivery_policy() -> None:
    delays = retry_delays(DELIVERY_POLICY["healthyRetryPolicy"])
    assert len(delays) == 12
    assert delays[:2] == [20.0, 20.0]  # numMinDelayRetries
    assert delays[-2:] == [600.0, 600.0]  # numMaxDelayRetries
    assert delays == sorted(delays)
    assert retry_delays({}) == [20.0, 20.0, 20.0]  # AWS's default for HTTP(S)


def test_a_dead_endpoint_neither_fails_the_publish_nor_stops_the_others(aws: Any) -> None:
    sns, sqs, topic, deliveries = aws
    with Receiver() as alive:
        _, dead_dlq = subscribe(sns, sqs, topic, f"http://127.0.0.1:{free_port()}/hooks")
        subscribe(sns, sqs, topic, alive.url)
        assert deliveries.flush()
        alive.raw.clear()

        sns.publish(TopicArn=topic, Message=json.dumps({"id": "ev_1"}))  # answers at once
        assert deliveries.flush()

        assert [json.loads(b["Message"]) for b in alive.bodies] == [{"id": "ev_1"}]
        [dead] = sqs.receive_message(QueueUrl=dead_dlq, MaxNumberOfMessages=10)["Messages"]
        envelope = json.loads(dead["Body"])
        assert (envelope["Type"], json.loads(envelope["Message"])) == ("Notification", {"id": "ev_1"})


def test_a_client_error_is_not_retried_and_goes_to_the_dead_letter_queue(aws: Any) -> None:
    sns, sqs, topic, deliveries = aws
    with Receiver(status=403) as refusing:
        _, dlq = subscribe(sns, sqs, topic, refusing.url)
        assert deliveries.flush()
        sns.publish(TopicArn=topic, Message="{}")
        assert deliveries.flush()
        # One confirmation and one notification: a 403 is final, nothing is retried.
        assert [b["Type"] for b in refusing.bodies] == ["SubscriptionConfirmation", "Notification"]
        assert len(sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]) == 1


def test_a_subscription_is_pending_until_the_kit_visits_its_subscribe_url(aws: Any) -> None:
    sns, sqs, topic, deliveries = aws
    with Receiver() as receiver:
        arn, _ = subscribe(sns, sqs, topic, receiver.url)
        attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        assert attributes["PendingConfirmation"] == "true"
        assert deliveries.flush()
        [raw] = receiver.raw

        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.sns.models import sns_backends

        keys = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]._message_public_keys

        def fetch(url: str) -> bytes:
            """In place of https: the certificate from moto, the SubscribeURL through boto3."""
            if url.endswith(".pem"):
                return keys[url.rsplit("/", 1)[1]]
            from urllib.parse import parse_qs, urlsplit

            query = parse_qs(urlsplit(url).query)
            sns.confirm_subscription(TopicArn=query["TopicArn"][0], Token=query["Token"][0])
            return b""

        assert handle(raw, Verifier(topic, fetch=fetch), MemoryDeduper(), lambda _: None) is None
        attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        assert attributes["PendingConfirmation"] == "false"


def test_topics_it_does_not_own_keep_motos_behaviour(aws: Any) -> None:
    sns, _, _, _ = aws
    other = sns.create_topic(Name="not-ours")["TopicArn"]
    with Receiver() as receiver:
        arn = sns.subscribe(
            TopicArn=other, Protocol="http", Endpoint=receiver.url, ReturnSubscriptionArn=True
        )
        attributes = sns.get_subscription_attributes(SubscriptionArn=arn["SubscriptionArn"])["Attributes"]
        assert attributes["PendingConfirmation"] == "false"
        sns.publish(TopicArn=other, Message="sync")
        assert [b["Message"] for b in receiver.bodies] == ["sync"]  # posted inside Publish
