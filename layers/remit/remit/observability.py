"""One Logger, Tracer and Metrics for every function. Service name and namespace come from
POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE, set in template.yaml."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
# Remit only calls AWS through botocore; patching every library X-Ray knows costs import time.
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics()
