"""What template.yaml must never log or leave unencrypted: the API's access log format
has no header, query string, body or raw path (page paths carry link tokens), and the
topics AWS services publish to are under a KMS key whose policy lets those services."""

from __future__ import annotations

from typing import Any

from remit_local.template import load

RESOURCES: dict[str, Any] = load()["Resources"]


def _access_log_format() -> str:
    setting = RESOURCES["Api"]["Properties"]["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    return str(setting["Format"])


def test_access_logs_are_on_and_go_to_a_group_with_a_retention() -> None:
    _access_log_format()
    group = RESOURCES["ApiAccessLogGroup"]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"]
    # API Gateway writes logs with its account's role.
    assert RESOURCES["Api"]["DependsOn"] == "ApiGatewayAccount"


def test_the_access_log_format_holds_no_secret_and_no_body() -> None:
    log_format = _access_log_format()
    lowered = log_format.lower()
    # $context.path has the link token of /i/{token}; $context.resourcePath does not.
    assert "$context.path" not in log_format
    assert "$context.resourcepath" in lowered
    for forbidden in (
        "authorization",
        "$input",
        "body",
        "querystring",
        "$method.request",
        "header",
        'apikey"',
    ):
        assert forbidden not in lowered.replace("apikeyid", ""), forbidden
    assert "$context.identity.apikey" not in lowered


def test_the_topics_aws_services_publish_to_are_encrypted_with_a_key_they_may_use() -> None:
    key = RESOURCES["TopicsKey"]
    for topic in ("SesEventsTopic", "AlarmsTopic"):
        assert RESOURCES[topic]["Properties"]["KmsMasterKeyId"] == {"Ref": "TopicsKey"}, topic
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    [services] = [s for s in statements if "Service" in s["Principal"]]
    assert set(services["Principal"]["Service"]) == {"ses.amazonaws.com", "cloudwatch.amazonaws.com"}
    assert set(services["Action"]) == {"kms:GenerateDataKey*", "kms:Decrypt"}
    assert services["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert key["Properties"]["EnableKeyRotation"] is True


def test_every_topic_is_encrypted() -> None:
    topics = {name: r for name, r in RESOURCES.items() if r["Type"] == "AWS::SNS::Topic"}
    assert topics
    for name, topic in topics.items():
        assert topic["Properties"].get("KmsMasterKeyId"), name


def test_each_organization_is_throttled_by_the_usage_plan() -> None:
    api = RESOURCES["Api"]["Properties"]
    assert api["ApiKeySourceType"] == "AUTHORIZER"
    assert api["Auth"]["ApiKeyRequired"] is True
    plan = RESOURCES["OrganizationUsagePlan"]["Properties"]
    assert plan["ApiStages"] == [{"ApiId": {"Ref": "Api"}, "Stage": {"Ref": "Api.Stage"}}]
    assert set(plan["Throttle"]) == {"RateLimit", "BurstLimit"}
    assert api["GatewayResponses"]["THROTTLED"]["StatusCode"] == 429
    assert "Retry-After" in api["GatewayResponses"]["THROTTLED"]["ResponseParameters"]["Headers"]


def test_routes_without_the_authorizer_need_no_usage_plan_key() -> None:
    """Else API Gateway would refuse them (no authorizer, so no usageIdentifierKey)."""
    for name, resource in RESOURCES.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event_name, event in resource["Properties"].get("Events", {}).items():
            auth = event["Properties"].get("Auth", {}) if event["Type"] == "Api" else {}
            if auth.get("Authorizer") == "NONE":
                assert auth.get("ApiKeyRequired") is False, f"{name}.{event_name}"


def test_the_workers_and_the_pdf_function_have_reserved_concurrency() -> None:
    for name in (
        "BillingWorkerFunction",
        "FinalizeWorkerFunction",
        "AutoPayWorkerFunction",
        "CollectionsWorkerFunction",
        "DeliveryWorkerFunction",
        "PdfFunction",
    ):
        props = RESOURCES[name]["Properties"]
        assert "Fn::If" in props["ReservedConcurrentExecutions"], name
        [source] = [e for e in props["Events"].values() if e["Type"] == "SQS"]
        assert "ScalingConfig" in source["Properties"], name
