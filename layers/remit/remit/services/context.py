from __future__ import annotations

import os
from dataclasses import dataclass

from remit.clock import Clock, clock_from_env
from remit.store.repositories import Store
from remit.store.table import Table


@dataclass(frozen=True)
class Context:
    """What every use case needs: where data lives and what time it is."""

    store: Store
    clock: Clock

    @classmethod
    def from_env(cls) -> Context:
        return cls(store=Store(Table(os.environ["TABLE_NAME"])), clock=clock_from_env())
