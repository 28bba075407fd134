"""The whole local cloud in one object: DynamoDB Local, moto server, template.yaml
deployed onto them behind the local gateway, the movable clock and the scheduler.

``make run`` (remit_local.__main__) and the tests (tests/local/conftest.py) both start it
through here, so what the tests exercise is what a developer runs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3

from remit.clock import OffsetFileClock
from remit.services.context import Context
from remit.store.repositories import Store
from remit.store.table import Table
from remit_local.apigw import REGION
from remit_local.clock import LocalClock
from remit_local.deployment import Deployment
from remit_local.dynamodb_local import DynamoDBLocal, free_port
from remit_local.envfile import write_env_file
from remit_local.environment import FAKE_ACCESS_KEY, FAKE_SECRET_KEY, Wiring
from remit_local.local_api import LocalEndpoints
from remit_local.moto_server import MotoServer
from remit_local.resources import DEFAULT_PREFIX, Clients
from remit_local.scheduler import Ticker
from remit_local.sns_http import HttpDeliveries
from remit_local.template import TEMPLATE, resources

log = logging.getLogger("remit_local.stack")
STREAM_POLL_SECONDS = 1.0
# Lambda's SQS pollers long-poll without pause: a message is picked up within moments.
QUEUE_POLL_SECONDS = 0.5


class LocalStack:
    def __init__(
        self,
        state_dir: Path,
        template: Path = TEMPLATE,
        *,
        parameters: Mapping[str, str] | None = None,
        pool_size: int = 8,
        webhook_time_scale: float = 1.0,
        prefix: str = DEFAULT_PREFIX,
    ) -> None:
        # Resource names start with it: moto's state is one per process, so two stacks in
        # one process (tests) need different prefixes.
        self.prefix = prefix
        self.state_dir = state_dir
        # SNS's HTTP(S) deliveries (webhooks), asynchronous as in AWS (remit_local.sns_http);
        # ``webhook_time_scale`` shortens their retry delays for tests.
        self.webhooks = HttpDeliveries(time_scale=webhook_time_scale)
        self.template = template
        self.parameters = dict(parameters or {})
        self.pool_size = pool_size
        self.clock = LocalClock(state_dir / "clock.json")
        self.dynamodb: DynamoDBLocal | None = None
        self.moto: MotoServer | None = None
        self.deployments: list[Deployment] = []
        self._ticker: Ticker | None = None
        self._stream_ticker: Ticker | None = None
        self._queue_ticker: Ticker | None = None
        self._run_lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------

    def start(
        self,
        in_memory: bool = True,
        port: int | None = None,
        host: str = "127.0.0.1",
        *,
        throttle: bool = False,
    ) -> LocalStack:
        """Everything up and serving. ``in_memory=False`` keeps DynamoDB's data in
        ``<state_dir>/dynamodb`` across restarts; ``port`` None or 0 picks a free one;
        ``throttle`` emulates the API's throttles (``make run`` does, the tests do not)."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.dynamodb = DynamoDBLocal.start(
                data_dir=None if in_memory else self.state_dir / "dynamodb",
                log=self.state_dir / "dynamodb.log",
            )
            self.moto = MotoServer.start()
            self.webhooks.install()
            self.wiring = Wiring(self.dynamodb.endpoint, self.moto.endpoint, self.clock.path.resolve())
            self.clients = Clients(
                dynamodb=self._client("dynamodb", self.dynamodb.endpoint),
                s3=self._client("s3", self.moto.endpoint),
                sns=self._client("sns", self.moto.endpoint),
                sqs=self._client("sqs", self.moto.endpoint),
                dynamodbstreams=self._client("dynamodbstreams", self.dynamodb.endpoint),
                ses=self._client("sesv2", self.moto.endpoint),
                cognito=self._client("cognito-idp", self.moto.endpoint),
            )
            # The hosted pages are this gateway's routes: links in emails and checkout and
            # portal URLs must point here, so the port is chosen before the functions'
            # environment (PUBLIC_BASE_URL) is.
            port = port or free_port()
            self.parameters.setdefault("PublicBaseUrl", f"http://{host}:{port}")
            main = self.deploy(self.template, prefix=self.prefix)
            main.serve(LocalEndpoints(self.clock, self.run_due), host, port, throttle=throttle)
        except BaseException:
            self.stop()
            raise
        return self

    def deploy(self, template: Path, prefix: str) -> Deployment:
        """Put another template on the same services (tests use small fixture templates).
        Its scheduler runs with the stack's whenever the clock moves."""
        deployment = Deployment(
            template,
            self.clients,
            self.wiring,
            self.clock.now,
            prefix=prefix,
            parameters=self.parameters,
            pool_size=self.pool_size,
        )
        for resource in deployment.resources.values():
            if resource.type == "AWS::SNS::Topic":
                self.webhooks.own(resource.ref)
        self.deployments.append(deployment)
        return deployment

    def start_ticker(self, interval: float) -> None:
        """Run the scheduler every ``interval`` seconds of real time, as EventBridge would."""
        self._ticker = Ticker(self.run_due, interval).start()
        # Lambda polls a stream several times a second; once a second is close enough, and
        # events reach the topic (and webhook subscribers) without waiting for a tick.
        self._stream_ticker = Ticker(self.drain_streams, STREAM_POLL_SECONDS).start()
        # Queue-triggered functions (emails, documents, workers) run as soon as a message
        # arrives, not at the next scheduler pass.
        self._queue_ticker = Ticker(self.drain_queues, QUEUE_POLL_SECONDS).start()

    def stop(self) -> None:
        """Stop whatever started, in reverse order; safe to call more than once."""
        for ticker in (self._queue_ticker, self._stream_ticker, self._ticker):
            if ticker is not None:
                ticker.stop()
        self._ticker = self._stream_ticker = self._queue_ticker = None
        self.webhooks.uninstall()
        for deployment in reversed(self.deployments):
            deployment.stop()
        self.deployments.clear()
        if self.moto is not None:
            self.moto.stop()
            self.moto = None
        if self.dynamodb is not None:
            self.dynamodb.stop()
            self.dynamodb = None

    # -- running --------------------------------------------------------------------------

    def run_due(self) -> dict[str, Any]:
        """One scheduler pass over every deployment at the local clock's now."""
        with self._run_lock:
            now = self.clock.now()
            passes = [d.scheduler.run_due(now) for d in self.deployments]
            ran = {
                "at": now.isoformat(),
                "scheduled": [s for p in passes for s in p.scheduled],
                "queues": [q for p in passes for q in p.queues],
            }
        if ran["scheduled"] or ran["queues"]:
            log.info("scheduler: %s", ran)
        return ran

    def drain_queues(self) -> int:
        """Stream records, then every queue with a consumer, until quiet (no schedules)."""
        return sum(q["received"] for d in self.deployments for q in d.scheduler.drain())

    def drain_streams(self) -> int:
        """Hand every new stream record to its functions (the publisher), now."""
        return sum(d.streams.drain() for d in self.deployments)

    # -- what others need to know -----------------------------------------------------------

    @property
    def main(self) -> Deployment:
        return self.deployments[0]

    @property
    def api_url(self) -> str:
        return self.main.url

    @property
    def table_name(self) -> str:
        [table] = resources("AWS::DynamoDB::Table", self.template)
        return self.main.name_of(table)

    @property
    def env(self) -> dict[str, str]:
        """The environment another process needs to act like one of the functions: the
        local wiring plus every variable all the template's functions share."""
        shared: dict[str, str] | None = None
        for variables in self.main.environments.values():
            items = {k: v for k, v in variables.items() if not k.startswith("AWS_LAMBDA_")}
            shared = items if shared is None else {k: v for k, v in shared.items() if items.get(k) == v}
        return {
            **(shared or {}),
            **self.wiring.variables(),
            "TABLE_NAME": self.table_name,
            # For remit-admin create-operator --local (the pool is the dashboard's alone).
            "COGNITO_USER_POOL_ID": self.user_pool_id,
        }

    @property
    def user_pool_id(self) -> str:
        """The operators' Cognito pool on moto (the template's only user pool)."""
        [pool] = resources("AWS::Cognito::UserPool", self.template)
        return self.main.name_of(pool)

    def context(self) -> Context:
        """Remit's service context on the local table and clock, for in-process use."""
        assert self.dynamodb is not None, "start() first"
        client = self._client("dynamodb", self.dynamodb.endpoint)
        return Context(store=Store(Table(self.table_name, client)), clock=OffsetFileClock(self.clock.path))

    def write_env_file(self, path: Path) -> None:
        """The environment of the local cloud's functions, for other processes
        (``set -a; source .local/local.env; set +a``, or ``remit-admin --local``)."""
        write_env_file(path, dict(sorted(self.env.items())))

    @staticmethod
    def _client(service: str, endpoint: str) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=FAKE_ACCESS_KEY,
            aws_secret_access_key=FAKE_SECRET_KEY,
        )
