"""The payment gateway port (``port``) and its adapters: ``sandbox`` (local, deterministic,
the default) and ``stripe_gateway`` (the official SDK)."""
