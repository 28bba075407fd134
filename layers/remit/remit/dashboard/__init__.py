"""The operator dashboard: Cognito sign-in, server-rendered pages over the services, and
the receivables report (docs/dashboard.md)."""
