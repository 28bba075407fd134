"""The real local cloud, started once for tests/local: DynamoDB Local in memory, moto
server, template.yaml behind the gateway on free ports, plus the fixture template
(tests/local/fixtures) deployed beside it. The test process gets the local cloud's
environment for as long as this package's tests run, and its own back afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.core.base_backend import BackendDict

from remit.services.organizations import OrganizationService
from remit_local.deployment import Deployment
from remit_local.local_api import LocalEndpoints
from remit_local.stack import LocalStack

FIXTURE_TEMPLATE = Path(__file__).parent / "fixtures" / "template.yaml"


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    # moto serves the local cloud from this process, from moto's module-level state: a
    # stack started again in the same process (an xdist worker that comes back to
    # tests/local after other files) starts on none of the last one's buckets and queues.
    # tests/api's mock_aws resets that state too, which is why this fixture is package
    # scoped: the stack is stopped before any test outside tests/local runs.
    BackendDict.reset()
    local = LocalStack(
        tmp_path_factory.mktemp("local-cloud"), parameters={"LogLevel": "WARNING"}, pool_size=4
    )
    local.start(in_memory=True)
    saved = {name: os.environ.get(name) for name in [*local.env, "AWS_PROFILE"]}
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(local.env)
    try:
        yield local
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        local.stop()


@pytest.fixture(scope="package")
def fixture_app(stack: LocalStack) -> Deployment:
    """The fixture template on the same services, with its own gateway."""
    app = stack.deploy(FIXTURE_TEMPLATE, prefix="fixture")
    app.serve(LocalEndpoints(stack.clock, stack.run_due))
    return app


@pytest.fixture
def new_org(stack: LocalStack):  # type: ignore[no-untyped-def]
    """Make an organization (name) -> (org id, full-access API key)."""

    def make(name: str = "Test Org") -> tuple[str, str]:
        org, token = OrganizationService(stack.context()).create(name)
        return org.id, token

    return make
