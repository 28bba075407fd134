"""Remit's benchmarks: ``python -m bench`` (``make bench``) runs them all and prints the
markdown that docs/performance.md records.

- ``bench.cold_import``: cold import of each Lambda function against boto3 + Powertools.
- ``bench.dynamodb_calls``: the DynamoDB calls each invoice operation makes.

The in-process benchmark imports Powertools through ``remit``; Powertools reads its
settings from the environment when its objects are built, so they are set here, before
any benchmark module imports it. (The cold-import benchmark builds its own environment
for its subprocesses and is not affected.)
"""

import os

os.environ.update(
    POWERTOOLS_SERVICE_NAME="remit",
    POWERTOOLS_METRICS_NAMESPACE="Remit",
    POWERTOOLS_METRICS_DISABLED="1",  # no EMF lines on stdout between the tables
    POWERTOOLS_TRACE_DISABLED="1",  # no X-Ray daemon here
    POWERTOOLS_LOG_LEVEL="WARNING",
    AWS_DEFAULT_REGION="us-east-1",
)
