"""The Lambda Invoke API, locally: ``POST /2015-03-31/functions/<name>/invocations``, as
boto3's ``lambda.invoke`` sends it. The gateway serves it, and every container gets
``AWS_ENDPOINT_URL_LAMBDA`` pointing at the gateway, so a function that invokes another
(the API asking the PDF function for a document) runs the same code as in AWS.

RequestResponse only (what Remit uses): the answer is the function's JSON result, or
Lambda's error payload with ``X-Amz-Function-Error: Unhandled``."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from urllib.parse import unquote

from remit_local.messages import HttpRequest, HttpResponse, json_response
from remit_local.workers import FunctionError, FunctionPools

PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")


def is_invoke(request: HttpRequest) -> bool:
    return request.method == "POST" and PATH.match(request.path) is not None


class LambdaApi:
    def __init__(self, pools: FunctionPools, names: Mapping[str, str]) -> None:
        """``names``: function name or ARN (what !Ref / !GetAtt .Arn give) -> logical id."""
        self.pools = pools
        self.names = dict(names)

    def handle(self, request: HttpRequest) -> HttpResponse:
        found = PATH.match(request.path)
        assert found is not None
        name = unquote(found.group("name"))
        function = self.names.get(name) or self.names.get(name.split(":function:")[-1].split(":")[0])
        if function is None:
            return json_response(
                404,
                {"Type": "User", "Message": f"Function not found: {name}"},
                [("x-amzn-ErrorType", "ResourceNotFoundException")],
            )
        invocation_type = request.header("X-Amz-Invocation-Type") or "RequestResponse"
        if invocation_type != "RequestResponse":
            return json_response(400, {"Type": "User", "Message": "only RequestResponse is emulated locally"})
        event = json.loads(request.body or b"{}")
        request_id = secrets.token_hex(16)
        try:
            result = self.pools.invoke(function, event, request_id)
        except FunctionError as exc:
            payload = {"errorType": exc.error_type, "errorMessage": exc.message}
            return json_response(200, payload, [("X-Amz-Function-Error", "Unhandled")])
        return json_response(200, result, [("X-Amz-Executed-Version", "$LATEST")])
