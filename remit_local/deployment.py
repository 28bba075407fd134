"""One template "deployed" onto the local services, the way ``sam deploy`` would put it
on AWS: its resources created, its functions ready to run (each in its own containers,
with its own environment), its REST API behind a local gateway, its schedules and queue
consumers wired to a scheduler."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from remit_local.environment import Wiring, environments
from remit_local.gateway import Gateway, GatewayServer
from remit_local.intrinsics import LocalResource, Resolver
from remit_local.lambda_api import LambdaApi
from remit_local.lambdas import functions
from remit_local.local_api import LocalEndpoints
from remit_local.resources import Clients, create_resources
from remit_local.restapi import rest_apis
from remit_local.routes import api_routes
from remit_local.scheduler import Scheduler, queue_sources, schedules
from remit_local.streams import StreamPoller, stream_sources
from remit_local.template import load
from remit_local.throttle import Throttle
from remit_local.workers import FunctionPools


class Deployment:
    def __init__(
        self,
        template: Path,
        clients: Clients,
        wiring: Wiring,
        now: Callable[[], Any],
        *,
        prefix: str,
        parameters: Mapping[str, str] | None = None,
        pool_size: int = 8,
    ) -> None:
        self.template = template
        self.resources: dict[str, LocalResource] = create_resources(clients, template, prefix)
        self.resolver = Resolver(load(template), self.resources, parameters)
        self.specs = functions(template)
        self.environments = environments(self.specs, self.resolver, wiring)
        self.pools = FunctionPools(self.specs, self.environments, pool_size)
        sources = stream_sources(self.specs, self.resolver)
        self.streams = StreamPoller(sources, self.pools, clients.dynamodbstreams)
        self.scheduler = Scheduler(
            schedules(self.specs),
            queue_sources(self.specs, self.resolver),
            self.pools,
            clients.sqs,
            now,
            streams=self.streams,
        )
        self.server: GatewayServer | None = None
        self.gateway: Gateway | None = None

    def serve(
        self, local: LocalEndpoints | None, host: str = "127.0.0.1", port: int = 0, *, throttle: bool = False
    ) -> GatewayServer:
        """``throttle``: emulate the template's throttles (MethodSettings, usage plans)."""
        names = {
            alias: r.logical_id
            for r in self.resources.values()
            if r.type == "AWS::Serverless::Function"
            for alias in (r.ref, r.attributes["Arn"])
        }
        lambda_api = LambdaApi(self.pools, names)
        apis = rest_apis(self.template, self.resolver.resolve)
        gateway = Gateway(
            api_routes(self.template), apis, self.pools, local, lambda_api, Throttle() if throttle else None
        )
        self.gateway = gateway
        self.server = GatewayServer(gateway, host, port).start()
        # Functions that invoke functions reach this gateway's Lambda API (lambda_api.py).
        # Set before any container starts: pools copy their environment when they do.
        for environment in self.environments.values():
            environment["AWS_ENDPOINT_URL_LAMBDA"] = self.server.url
        # Like provisioned concurrency of one: the first request does not wait for an import.
        self.pools.prewarm(gateway.functions)
        return self.server

    @property
    def url(self) -> str:
        if self.server is None:
            raise RuntimeError("this deployment has no gateway: call serve() first")
        return self.server.url

    def name_of(self, logical_id: str) -> str:
        """What ``!Ref logical_id`` gives locally (table or bucket name, topic ARN, queue URL)."""
        return self.resources[logical_id].ref

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        self.pools.close()
