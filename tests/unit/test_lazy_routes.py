"""The API function's resolver includes its routers lazily, by a request's first path
segment (remit.http.app.ROUTERS_BY_SEGMENT). The table must say, for every path a router
serves, which routers to include; a route it missed would answer 404 in Lambda and pass
every test that builds the app eagerly. And SnapStart's hook must leave nothing to import."""

from __future__ import annotations

import importlib
import random
import sys
import types
from collections import defaultdict

import pytest

from remit.http.app import ROUTERS, ROUTERS_BY_SEGMENT, JsonResolver, build_app
from remit_local.apigw import proxy_event
from remit_local.lambdas import LambdaContext, functions, load_handler
from remit_local.template import TEMPLATE, load


def first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


def test_every_router_is_listed_under_each_segment_it_serves() -> None:
    served: defaultdict[str, set[str]] = defaultdict(set)
    for name in ROUTERS:
        router = importlib.import_module(f"remit.http.routes.{name}").router
        for rule, *_ in router._routes:
            served[first_segment(rule)].add(name)
    assert {segment: set(names) for segment, names in ROUTERS_BY_SEGMENT.items()} == dict(served)


def routes(app: JsonResolver) -> set[str]:
    return {f"{r.method} {r.path}" for r in app._static_routes + app._dynamic_routes}


def test_a_request_includes_only_its_own_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REMIT_ENABLE_SWAGGER", raising=False)
    app = build_app(lazy=True)
    assert isinstance(app, JsonResolver)
    assert routes(app) == set()
    # No organization in the request context: the route answers 401 without reading anything.
    answer = app.resolve(proxy_event("GET", "/reports/receivables"), LambdaContext("ApiFunction"))
    assert answer["statusCode"] == 401
    assert routes(app) == {"GET /reports/receivables"}
    assert app.resolve(proxy_event("GET", "/nowhere"), LambdaContext("ApiFunction"))["statusCode"] == 404
    assert routes(app) == {"GET /reports/receivables"}


def test_the_lazy_app_serves_what_the_eager_one_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REMIT_ENABLE_SWAGGER", raising=False)
    lazy, eager = build_app(lazy=True), build_app()
    assert isinstance(lazy, JsonResolver)
    assert isinstance(eager, JsonResolver)
    for segment in ROUTERS_BY_SEGMENT:
        lazy.resolve(proxy_event("GET", f"/{segment}/x"), LambdaContext("ApiFunction"))
    assert routes(lazy) == routes(eager)


def test_the_snapshot_hook_includes_every_route_and_makes_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REMIT_ENABLE_SWAGGER", raising=False)
    monkeypatch.setenv("TABLE_NAME", "remit-test")
    monkeypatch.setenv("EVENTS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:events")
    monkeypatch.setenv("DOCUMENTS_BUCKET", "remit-test-documents")
    monkeypatch.setenv("PDF_FUNCTION_NAME", "remit-test-pdf")
    from remit.http import deps

    _, module = load_handler(functions()["ApiFunction"])
    try:
        module.prime()
        assert routes(module.app) == routes(build_app())  # type: ignore[arg-type]
        assert "client" in vars(deps.get_context().store.table)  # made, not left to a request
    finally:  # the factories are cached per process: leave none built from this test's env
        factories = (deps.get_context, deps.get_topic, deps.get_storage, deps.get_renderer, deps.get_mailer)
        for factory in factories:
            factory.cache_clear()


def test_snapstart_is_a_template_option_off_by_default() -> None:
    doc = load(TEMPLATE)
    assert doc["Parameters"]["EnableSnapStart"]["Default"] == "false"
    api = doc["Resources"]["ApiFunction"]["Properties"]
    assert api["SnapStart"]["ApplyOn"] == {"Fn::If": ["SnapStartOn", "PublishedVersions", "None"]}
    assert api["AutoPublishAlias"]  # SnapStart snapshots published versions only


def test_in_lambdas_runtime_the_hooks_are_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    registered: dict[str, list[object]] = {"before": [], "after": []}
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_before_snapshot = registered["before"].append  # type: ignore[attr-defined]
    runtime.register_after_restore = registered["after"].append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    _, module = load_handler(functions()["ApiFunction"])
    assert registered == {"before": [module.prime], "after": [random.seed]}
