from __future__ import annotations

from pydantic import Field

from remit.domain.collections import StepKind, StepRecord, StepStatus
from remit.schemas.common import ResponseModel


class CollectionStepOut(ResponseModel):
    key: str = Field(examples=["dunning#003#email_reminder"])
    kind: StepKind
    action: str = Field(examples=["email_reminder"])
    template: str | None
    due_at: str
    status: StepStatus
    detail: str | None = Field(description="What the step did, or why it did not (e.g. no phone number)")
    started_at: str
    finished_at: str | None

    @classmethod
    def of(cls, record: StepRecord) -> CollectionStepOut:
        return cls.model_validate(record.model_dump(mode="json"))


class CollectionOut(ResponseModel):
    invoice_id: str
    next_step_at: str | None = Field(description="When the collections worker looks at the invoice next")
    steps: list[CollectionStepOut] = Field(description="Steps taken (or skipped), in the order they fell due")
