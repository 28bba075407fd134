from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from remit.adapters.gateway.port import Gateway
from remit.clock import Clock
from remit.domain.payment_method import GatewayName
from remit.store.repositories import Store


@dataclass(frozen=True)
class Context:
    """What every use case needs: where data lives, what time it is, and (for payments)
    which gateway collects. Tests pass ``gateways`` to put a fault-injecting gateway in.
    A deployed function's context is built by remit.wiring.context()."""

    store: Store
    clock: Clock
    gateways: Callable[[GatewayName], Gateway] | None = None

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
