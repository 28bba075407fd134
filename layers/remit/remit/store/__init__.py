"""Persistence. Only this package talks to DynamoDB (through ``table.Table``); the rest of
Remit sees repositories that take and return domain models (``repositories.Store``).

This file stays empty so that importing one repository (the authorizer needs only API
keys) does not import them all."""
