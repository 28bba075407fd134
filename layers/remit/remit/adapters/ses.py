"""Sending email through SES (v2 API) as raw MIME, so a PDF can ride along."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from remit.emails.mime import OutgoingEmail, build_mime, sender

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client


class SesMailer:
    def __init__(self, configuration_set: str | None = None, client: SESV2Client | None = None) -> None:
        self.configuration_set = configuration_set or None
        if client is not None:
            self.client = client

    @cached_property
    def client(self) -> SESV2Client:
        return boto3.client("sesv2", config=Config(retries={"mode": "standard", "max_attempts": 3}))

    def send(self, email: OutgoingEmail) -> str:
        """SES's message id."""
        args: dict[str, Any] = {
            "FromEmailAddress": sender(email),
            "Destination": {"ToAddresses": email.to, **({"CcAddresses": email.cc} if email.cc else {})},
            "Content": {"Raw": {"Data": build_mime(email)}},
            "EmailTags": [{"Name": k, "Value": v} for k, v in email.tags.items()],
        }
        if self.configuration_set:
            args["ConfigurationSetName"] = self.configuration_set
        return self.client.send_email(**args)["MessageId"]
