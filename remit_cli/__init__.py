"""Operator commands (remit-admin): organizations and API keys, local or deployed."""
