"""Test-wide environment: fake AWS credentials and region, no X-Ray, quiet Powertools.
Nothing here reaches AWS: unit and API tests use moto in-process, integration tests use
DynamoDB Local (tests/integration/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
    POWERTOOLS_TRACE_DISABLED="1",
    POWERTOOLS_SERVICE_NAME="remit",
    POWERTOOLS_METRICS_NAMESPACE="Remit",
    POWERTOOLS_METRICS_DISABLED="1",
    POWERTOOLS_LOG_LEVEL="WARNING",
)
for leaked in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "REMIT_CLOCK_FILE"):
    os.environ.pop(leaked, None)


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Settings are read once per container (remit.settings.get_settings); each test is a
    new container, so the variables it sets are read. A test that sets one after something
    has read them calls ``get_settings.cache_clear()`` itself."""
    from remit.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
