"""template.yaml against the code it deploys: routes, IAM, the table, the bucket, the
runtime, the layer build and the sample events. Nothing runs locally that could catch these
drifts (DynamoDB Local and moto enforce no IAM), so they are checked here, offline."""

from __future__ import annotations

import fnmatch
import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest

from remit.http.app import build_app
from remit.store import keys
from remit_local.template import ROOT, TEMPLATE, load

DOC = load(TEMPLATE)
RESOURCES: dict[str, Any] = DOC["Resources"]
FUNCTIONS = {n: r["Properties"] for n, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"}

# Actions that IAM only grants on Resource "*" (they have no resource-level permissions).
STAR_RESOURCE_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "cloudwatch:PutMetricData"}


def only(kind: str) -> dict[str, Any]:
    [resource] = [r for r in RESOURCES.values() if r["Type"] == kind]
    return resource  # type: ignore[no-any-return]


def listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(function: str) -> list[dict[str, Any]]:
    return [s for policy in FUNCTIONS[function].get("Policies", []) for s in listify(policy["Statement"])]


# -- (a) routes: template and Powertools resolver ---------------------------------------


def template_routes() -> set[tuple[str, str]]:
    """The routes that do something; each path's ANY route only answers 405."""
    events = FUNCTIONS["ApiFunction"].get("Events", {}).values()
    return {
        (e["Properties"]["Method"].upper(), e["Properties"]["Path"])
        for e in events
        if e["Type"] == "Api" and e["Properties"]["Method"] != "ANY"
    }


def app_routes(monkeypatch: pytest.MonkeyPatch) -> set[tuple[str, str]]:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "1")
    monkeypatch.delenv("REMIT_ENABLE_SWAGGER", raising=False)  # /swagger is local only
    app = build_app()
    # The resolver's own route table (what it dispatches on); paths are written /a/<id>.
    routes = app._static_routes + app._dynamic_routes
    return {(r.method.upper(), re.sub(r"<(\w+)>", r"{\1}", r.path)) for r in routes}


def test_every_template_route_is_served_by_the_app_and_vice_versa(monkeypatch: pytest.MonkeyPatch) -> None:
    in_template, in_app = template_routes(), app_routes(monkeypatch)
    assert in_template, "ApiFunction declares no Api events"
    assert sorted(in_template - in_app) == [], "routes in template.yaml that the app does not serve"
    assert sorted(in_app - in_template) == [], "routes the app serves that template.yaml does not expose"


def test_every_route_is_on_the_api_behind_the_authorizer() -> None:
    api = RESOURCES["Api"]["Properties"]
    assert api["Auth"]["DefaultAuthorizer"] in api["Auth"]["Authorizers"]
    for name, event in FUNCTIONS["ApiFunction"]["Events"].items():
        props = event["Properties"]
        assert props["RestApiId"] == {"Ref": "Api"}, name
        if props["Method"] == "ANY":
            continue  # answers 405 and reads nothing (test below)
        assert props.get("Auth", {}).get("Authorizer") != "NONE", f"{name} is open to the internet"


def test_the_pages_are_the_only_routes_without_the_authorizer_and_each_is_served() -> None:
    from remit.pages.web import ROUTES

    open_routes = {
        (event["Properties"]["Method"].upper(), event["Properties"]["Path"]): name
        for name, spec in FUNCTIONS.items()
        for event in spec.get("Events", {}).values()
        if event["Type"] == "Api"
        and event["Properties"].get("Auth", {}).get("Authorizer") == "NONE"
        and event["Properties"]["Method"] != "ANY"  # the API's 405 answers, tested below
    }
    # The customer pages (a link's token) and the dashboard (an operator's session); the
    # dashboard's own test checks its routes.
    assert set(open_routes.values()) == {"PagesFunction", "DashboardFunction"}
    pages_routes = {
        (e["Properties"]["Method"].upper(), e["Properties"]["Path"])
        for e in FUNCTIONS["PagesFunction"]["Events"].values()
    }
    pages_open = {route for route, function in open_routes.items() if function == "PagesFunction"}
    assert pages_routes == pages_open == set(ROUTES)
    assert all(
        e["Properties"]["RestApiId"] == {"Ref": "Api"} for e in FUNCTIONS["PagesFunction"]["Events"].values()
    )


def test_every_api_path_answers_other_methods_with_405() -> None:
    events = [e["Properties"] for e in FUNCTIONS["ApiFunction"]["Events"].values() if e["Type"] == "Api"]
    paths = {p["Path"] for p in events if p["Method"] != "ANY"}
    catch_all = {p["Path"] for p in events if p["Method"] == "ANY"}
    assert catch_all == paths, "add a <Path>OtherMethods ANY event (Auth: NONE) for the new path"
    # The resolver has no ANY route, so whatever arrives that way falls to 404/405.
    assert all(method != "ANY" for method, _ in template_routes())


def test_authorizer_decisions_are_not_cached() -> None:
    # A revoked key must stop working at once.
    [authorizer] = RESOURCES["Api"]["Properties"]["Auth"]["Authorizers"].values()
    assert authorizer["Identity"]["ReauthorizeEvery"] == 0


# -- (b) least-privilege IAM ---------------------------------------------------------


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_policies_are_explicit_statements(function: str) -> None:
    # SAM policy templates and managed policies grant more than they say; write statements.
    for policy in FUNCTIONS[function].get("Policies", []):
        assert isinstance(policy, dict), f"{function}: {policy!r}"
        assert set(policy) == {"Statement"}, f"{function}: {policy!r}"


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_no_wildcard_actions_or_resources(function: str) -> None:
    for statement in statements(function):
        actions = listify(statement["Action"])
        assert statement["Effect"] == "Allow"
        assert not [a for a in actions if "*" in a], f"{function}: wildcard action in {actions}"
        assert "dynamodb:Scan" not in actions, f"{function}: no Scan, ever (DESIGN §2)"
        if "NotResource" in statement:
            # Only SMS: a Publish to a phone number has no ARN; every topic is excluded.
            assert set(actions) == {"sns:Publish"}, f"{function}: NotResource for {actions}"
            assert statement["NotResource"] == {"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"}
            continue
        if "*" in listify(statement["Resource"]):
            assert set(actions) <= STAR_RESOURCE_ACTIONS, f"{function}: Resource '*' for {actions}"


def leading_keys(function: str) -> list[str]:
    patterns = []
    for statement in statements(function):
        if any(a.startswith("dynamodb:") for a in listify(statement["Action"])):
            condition = statement.get("Condition", {}).get("ForAllValues:StringLike", {})
            assert "dynamodb:LeadingKeys" in condition, f"{function}: table access without LeadingKeys"
            patterns += condition["dynamodb:LeadingKeys"]
    return patterns


def test_the_api_touches_tenant_partitions_and_api_keys_the_authorizer_api_keys_only() -> None:
    assert leading_keys("ApiFunction") == ["ORG#*", "APIKEY#*"]
    # On API key records the API may create and revoke, never read, delete or query.
    [keys_statement] = [s for s in statements("ApiFunction") if "APIKEY#*" in str(s.get("Condition"))]
    assert sorted(listify(keys_statement["Action"])) == ["dynamodb:PutItem", "dynamodb:UpdateItem"]
    assert leading_keys("AuthorizerFunction") == ["APIKEY#*"]
    [authorizer_statement] = statements("AuthorizerFunction")
    assert sorted(listify(authorizer_statement["Action"])) == ["dynamodb:GetItem", "dynamodb:UpdateItem"]


def partition_builders() -> dict[str, str]:
    """Every partition key (table pk or index partition) that remit.store.keys builds,
    from builders whose arguments are all ids (strings)."""
    built = {}
    for name, builder in inspect.getmembers(keys, inspect.isfunction):
        if builder.__module__ != keys.__name__:
            continue
        params = inspect.signature(builder).parameters.values()
        if any(p.annotation not in ("str", str) for p in params):
            continue
        value = builder(*["x"] * len(params))
        built[name] = value["pk"] if isinstance(value, dict) else value
    return built


def test_every_partition_the_store_builds_is_granted_to_some_function() -> None:
    # A new key prefix works on DynamoDB Local and fails with AccessDenied once deployed,
    # unless some function's LeadingKeys covers it: add it to the right policy.
    patterns = [p for function in FUNCTIONS for p in leading_keys(function)]
    built = partition_builders()
    assert built, "found no key builders in remit.store.keys"
    uncovered = {n: pk for n, pk in built.items() if not any(fnmatch.fnmatchcase(pk, p) for p in patterns)}
    assert uncovered == {}


def test_the_api_can_query_the_indexes_it_lists_from_and_no_others() -> None:
    [statement] = [s for s in statements("ApiFunction") if "dynamodb:Query" in listify(s["Action"])]
    indexes = sorted(r["Fn::Sub"].rsplit("/", 1)[1] for r in statement["Resource"] if "Fn::Sub" in r)
    assert indexes == ["GSI1", "GSI2"]


# -- (c) the table is what remit/store/keys.py expects --------------------------------


def test_table_keys_indexes_stream_ttl_and_recovery() -> None:
    table = only("AWS::DynamoDB::Table")
    props = table["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    indexes = {
        gsi["IndexName"]: [(k["AttributeName"], k["KeyType"]) for k in gsi["KeySchema"]]
        for gsi in props["GlobalSecondaryIndexes"]
    }
    assert indexes == {
        "GSI1": [("gsi1pk", "HASH"), ("gsi1sk", "RANGE")],
        "GSI2": [("gsi2pk", "HASH"), ("gsi2sk", "RANGE")],
        "DueIndex": [("duepk", "HASH"), ("duesk", "RANGE")],
    }
    key_attributes = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "duepk", "duesk")
    definitions = {d["AttributeName"]: d["AttributeType"] for d in props["AttributeDefinitions"]}
    assert definitions == dict.fromkeys(key_attributes, "S")
    assert props["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert props["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


# -- (d) the documents bucket ---------------------------------------------------------


def test_bucket_is_private_encrypted_and_kept() -> None:
    bucket = only("AWS::S3::Bucket")
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert bucket["DeletionPolicy"] == "Retain"
    [deny] = only("AWS::S3::BucketPolicy")["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


# -- (e) runtime and layer --------------------------------------------------------------


def test_runtime_is_the_parameter_defaulting_to_312_on_arm64() -> None:
    parameter = DOC["Parameters"]["PythonRuntime"]
    assert parameter["Default"] == "python3.12"
    function_globals = DOC["Globals"]["Function"]
    assert function_globals["Runtime"] == {"Ref": "PythonRuntime"}
    assert function_globals["Architectures"] == ["arm64"]
    for name, props in FUNCTIONS.items():
        assert props.get("Runtime", {"Ref": "PythonRuntime"}) == {"Ref": "PythonRuntime"}, name
        assert props.get("Architectures", ["arm64"]) == ["arm64"], name


@pytest.mark.parametrize("name", ["RemitLayer", "WeasyPrintLayer"])
def test_layer_is_built_for_every_runtime_the_parameter_allows(name: str) -> None:
    allowed = set(DOC["Parameters"]["PythonRuntime"]["AllowedValues"])
    layer = RESOURCES[name]
    assert set(layer["Properties"]["CompatibleRuntimes"]) == allowed
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert layer["Metadata"] == {"BuildMethod": "makefile", "BuildArchitecture": "arm64"}
    # Compiled wheels are per ABI: the layer's Makefile must fetch each allowed version's,
    # through the install both layers share (layers/lambda-wheels.mk).
    makefile = (ROOT / layer["Properties"]["ContentUri"] / "Makefile").read_text()
    assert "../lambda-wheels.mk" in makefile
    assert "$(call install_layer_python," in makefile
    shared = (ROOT / "layers" / "lambda-wheels.mk").read_text()
    [versions] = re.findall(r"^LAYER_PYTHON_VERSIONS \?= (.+)$", shared, re.MULTILINE)
    assert {f"python{v}" for v in versions.split()} == allowed
    assert f"build-{name}:" in makefile


def test_only_the_pdf_function_carries_weasyprint() -> None:
    # The API's and workers' cold starts must not pay for WeasyPrint and Pango.
    layers = {name: props.get("Layers", []) for name, props in FUNCTIONS.items()}
    assert {name for name, refs in layers.items() if {"Ref": "WeasyPrintLayer"} in refs} == {"PdfFunction"}
    assert DOC["Globals"]["Function"]["Layers"] == [{"Ref": "RemitLayer"}]
    for path in (ROOT / "layers" / "remit" / "remit").rglob("*.py"):
        if "weasyprint" in path.read_text() and path.name != "pdf.py":
            assert "import weasyprint" not in path.read_text(), path
    pinned = (ROOT / "layers" / "remit" / "requirements.txt").read_text().lower()
    assert "weasyprint" not in pinned


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_each_function_logs_to_its_own_group_with_a_retention(function: str) -> None:
    group = FUNCTIONS[function]["LoggingConfig"]["LogGroup"]["Ref"]
    assert RESOURCES[group]["Type"] == "AWS::Logs::LogGroup"
    assert "RetentionInDays" in RESOURCES[group]["Properties"]


# -- the sample events ------------------------------------------------------------------


def load_event(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "events" / name).read_text())  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(p.name for p in Path(ROOT / "events").glob("api_*.json")))
def test_api_events_name_a_template_route_and_carry_the_organization(name: str) -> None:
    event = load_event(name)
    assert (event["httpMethod"], event["resource"]) in template_routes()
    assert event["requestContext"]["resourcePath"] == event["resource"]
    assert event["requestContext"]["authorizer"]["organizationId"].startswith("org_")
    if event["body"] is not None:
        json.loads(event["body"])


def test_authorizer_event_is_a_request_event_for_a_template_route() -> None:
    event = load_event("authorizer_request.json")
    assert event["type"] == "REQUEST"
    assert event["headers"]["Authorization"].startswith("Bearer rk_")
    assert (event["httpMethod"], event["resource"]) in template_routes()
    assert event["methodArn"].endswith(f"/{event['httpMethod']}{event['path']}")


def test_the_publisher_sample_is_an_outbox_insert_it_would_publish() -> None:
    from remit.services.publishing import outbox_events

    [(sequence, event)] = outbox_events(load_event("publisher_stream.json")["Records"])
    assert event.type == "invoice.paid"
    assert sequence == "111100000000012345678901"


def test_publisher_keeps_order_and_sends_failures_to_a_queue() -> None:
    [stream] = [e for e in FUNCTIONS["PublisherFunction"]["Events"].values() if e["Type"] == "DynamoDB"]
    props = stream["Properties"]
    assert props["ParallelizationFactor"] == 1
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["DestinationConfig"]["OnFailure"]["Type"] == "SQS"
    [pattern] = props["FilterCriteria"]["Filters"]
    assert json.loads(pattern["Pattern"]) == {
        "eventName": ["INSERT"],
        "dynamodb": {"NewImage": {"entity": {"S": ["event"]}}},
    }


def test_only_the_functions_that_charge_may_read_the_stripe_secret() -> None:
    readers = {
        name
        for name in FUNCTIONS
        for statement in statements(name)
        if "ssm:GetParameter" in listify(statement["Action"])
    }
    assert readers == {
        "ApiFunction",
        "CollectionsWorkerFunction",  # dunning's retry_payment
        # Finalizing from an invoice's page charges at once when AutoPay is on_issue.
        "DashboardFunction",
        "BillingWorkerFunction",
        "FinalizeWorkerFunction",
        "AutoPayWorkerFunction",
        "PagesFunction",  # the hosted pages pay through the organization's gateway
    }
    for name in readers:
        [statement] = [s for s in statements(name) if "ssm:GetParameter" in listify(s["Action"])]
        assert "${StripeSecretParameter}" in statement["Resource"]["Fn::Sub"], name


def test_the_autopay_queue_has_a_dead_letter_queue_and_partial_batch_failures() -> None:
    queue = RESOURCES["AutoPayQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["AutoPayDeadLetterQueue", "Arn"]}
    [event] = FUNCTIONS["AutoPayWorkerFunction"]["Events"].values()
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # Six times the worker's timeout, as for the other queues.
    assert queue["VisibilityTimeout"] >= 6 * FUNCTIONS["AutoPayWorkerFunction"]["Timeout"]


# -- documents and email (issue 3) -------------------------------------------------------


def subscription_to(queue: str) -> dict[str, Any]:
    [props] = [
        r["Properties"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::SNS::Subscription"
        and r["Properties"]["Endpoint"] == {"Fn::GetAtt": [queue, "Arn"]}
    ]
    return props  # type: ignore[no-any-return]


def test_the_event_queues_get_exactly_the_events_their_consumers_handle() -> None:
    from remit.services.delivery import EVENT_EMAILS

    # The PDF handler's DOCUMENTS_FOR keys, read from its source (importing it would start
    # a renderer).
    source = (ROOT / "functions" / "pdf" / "app.py").read_text()
    pdf_events = set(re.findall(r'^    "([a-z_.]+)": \(', source, re.MULTILINE))
    for queue, handled in (("DeliveryQueue", set(EVENT_EMAILS)), ("DocumentsQueue", pdf_events)):
        props = subscription_to(queue)
        assert props["TopicArn"] == {"Ref": "EventsTopic"}
        assert props["Protocol"] == "sqs"
        # The SQS body must be the event JSON itself, as the consumers parse it.
        assert props["RawMessageDelivery"] is True
        assert set(props["FilterPolicy"]["eventType"]) == handled, queue
        # Webhook redeliveries (audience "webhooks") must not send an email or render again.
        assert props["FilterPolicy"]["audience"] == ["all"], queue
        assert "RedrivePolicy" in RESOURCES[queue]["Properties"], f"{queue} needs a DLQ"
    [policy] = [
        r["Properties"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::SQS::QueuePolicy" and {"Ref": "DeliveryQueue"} in r["Properties"]["Queues"]
    ]
    assert {q["Ref"] for q in policy["Queues"]} == {"DeliveryQueue", "DocumentsQueue"}
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": "EventsTopic"}}}


def test_only_the_pdf_function_writes_documents_and_senders_send_from_the_stacks_identity() -> None:
    writers = {name for name in FUNCTIONS for s in statements(name) if "s3:PutObject" in listify(s["Action"])}
    assert writers == {"PdfFunction"}
    senders = {
        name for name in FUNCTIONS for s in statements(name) if "ses:SendEmail" in listify(s["Action"])
    }
    # The API (manual sends and reminders), the dashboard, the event emails, the reminders.
    assert senders == {
        "ApiFunction",
        "DashboardFunction",
        "DeliveryWorkerFunction",
        "CollectionsWorkerFunction",
    }
    for name in senders:
        [statement] = [s for s in statements(name) if "ses:SendEmail" in listify(s["Action"])]
        assert all(
            "identity/${SenderAddress}" in r["Fn::Sub"] or "configuration-set/" in r["Fn::Sub"]
            for r in statement["Resource"]
        )
        assert FUNCTIONS[name]["Environment"]["Variables"]["SES_CONFIGURATION_SET"] == {
            "Ref": "EmailConfigurationSet"
        }
