"""Adapters for the AWS services other than DynamoDB (and, later, the payment gateway):
small wrappers that speak the service's API and map its errors to domain ones."""
