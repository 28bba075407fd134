from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class DomainModel(BaseModel):
    """Snake case in Python, camelCase in DynamoDB and JSON (the seed's field names).

    ``extra="ignore"`` lets a model load straight from a DynamoDB item, whose key
    attributes (pk, sk, gsi…) are the store's business, not the model's.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")
