"""The local cloud: DynamoDB Local, moto server, a gateway that routes HTTP to the Lambda
handlers named in template.yaml, and a scheduler with a movable clock. Never deployed."""
