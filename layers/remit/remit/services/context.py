from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from remit.adapters.gateway.port import Gateway
from remit.clock import Clock, clock_from_env
from remit.domain.payment_method import GatewayName
from remit.store.repositories import Store
from remit.store.table import Table


@dataclass(frozen=True)
class Context:
    """What every use case needs: where data lives, what time it is, and (for payments)
    which gateway collects. Tests pass ``gateways`` to put a fault-injecting gateway in."""

    store: Store
    clock: Clock
    gateways: Callable[[GatewayName], Gateway] | None = None

    @classmethod
    def from_env(cls) -> Context:
        return cls(store=Store(Table(os.environ["TABLE_NAME"])), clock=clock_from_env())

    def gateway(self, name: GatewayName) -> Gateway:
        if self.gateways is not None:
            return self.gateways(name)
        if name == "stripe":
            return _stripe_gateway()
        from remit.adapters.gateway.sandbox import SandboxGateway

        return SandboxGateway(self.store.sandbox, self.clock)


@cache
def _stripe_gateway() -> Gateway:
    # Imported on first use (the SDK is large and most organizations never need it), and
    # made once per container: the client keeps its connections and the secret it read.
    from remit.adapters.gateway.stripe_gateway import StripeGateway

    return StripeGateway.from_environment()
