"""SMS through SNS (``Publish`` to a phone number, transactional). Locally, moto's SNS
records each message instead of sending it."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Protocol

import boto3

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sns.type_defs import MessageAttributeValueTypeDef


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> str:
        """Send ``text`` to ``phone`` (E.164); the provider's message id."""
        ...


class SnsSms:
    def __init__(self, sender_id: str | None = None, client: SNSClient | None = None) -> None:
        self.sender_id = sender_id
        if client is not None:
            self.client = client

    @cached_property
    def client(self) -> SNSClient:
        return boto3.client("sns")

    def send(self, phone: str, text: str) -> str:
        attributes: dict[str, MessageAttributeValueTypeDef] = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
        }
        if self.sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": self.sender_id}
        out = self.client.publish(PhoneNumber=phone, Message=text, MessageAttributes=attributes)
        return out["MessageId"]
