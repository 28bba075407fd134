"""Test-wide environment: fake AWS credentials and region, no X-Ray, quiet Powertools.
Nothing here reaches AWS: unit and API tests use moto in-process, integration tests use
DynamoDB Local (tests/integration/conftest.py).

Also the fixtures every package shares: the clock a test moves, and the organization
(made on whichever ``ctx`` the test's package provides: moto's table for api and
dashboard, DynamoDB Local for integration)."""

from __future__ import annotations

import os
from collections.abc import Iterator

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

# Imported after the environment is set, so no module can read it unset at import time.
import pytest  # noqa: E402

from remit.clock import FixedClock  # noqa: E402
from remit.services.context import Context  # noqa: E402
from remit.services.organizations import OrganizationService  # noqa: E402


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def org(ctx: Context) -> str:
    organization, _ = OrganizationService(ctx).create("Acme")
    return organization.id


# -- parallel runs ----------------------------------------------------------------------
# pytest-xdist runs the suite in workers with --dist loadgroup (pyproject.toml): tests
# that share an xdist_group run one after another on the same worker. Every test without
# a group of its own is grouped by its file, as --dist loadfile would: a module's fixtures
# are made once, and a file's tests keep their order.
#
# Under xdist the longest file is handed out first: schemathesis is one test of minutes
# (one request at a time, see the file), and started last it would be the whole run's tail.
# A serial run keeps the collection order.
LONGEST_FIRST = ("tests/local/test_schemathesis.py",)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups into the test ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: item.nodeid.split("::")[0] not in LONGEST_FIRST)


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Settings are read once per container (remit.settings.get_settings); each test is a
    new container, so the variables it sets are read. A test that sets one after something
    has read them calls ``get_settings.cache_clear()`` itself."""
    from remit.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
