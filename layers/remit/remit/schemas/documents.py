from __future__ import annotations

from datetime import datetime

from remit.schemas.common import ResponseModel


class DocumentLink(ResponseModel):
    """A presigned URL to a PDF in the documents bucket, valid for 15 minutes."""

    url: str
    expires_at: datetime
