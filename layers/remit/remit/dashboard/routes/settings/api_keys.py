"""Settings -> API keys: the list, create one (its secret shown once, in that answer only),
revoke one behind a confirmation, through ApiKeyService (as ``/api-keys``)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ValidationError

from remit.dashboard import choices
from remit.dashboard.deps import Admin, ApiKeys, PostedByAdmin, Visiting
from remit.dashboard.routes.settings.page import section_page
from remit.dashboard.routes.settings.words import service_words, validation_words
from remit.errors import NotFound, RemitError
from remit.schemas.api_key import ApiKeyCreate, ApiKeyCreated
from remit.services.api_keys import ApiKeyService

router = Router()
PATH = "/dashboard/settings/api-keys"
BACK = "/settings/api-keys"


def page(
    v: Visiting,
    service: ApiKeyService,
    status: int = 200,
    error: str | None = None,
    created: ApiKeyCreated | None = None,
    typed: dict[str, str] | None = None,
) -> Response[str]:
    return section_page(
        v,
        "api-keys",
        status,
        keys=service.list(v.operator.organization_id).data,
        created=created,
        form=typed or {"name": "", "scope": "full"},
        scopes=choices.KEY_SCOPE_LABELS,
        error=error,
    )


@router.get(PATH)
def api_keys(operator: Admin, v: Visiting, service: ApiKeys) -> Response[str]:
    return page(v, service)


def revoke(v: Visiting, service: ApiKeyService, org: str) -> Response[str]:
    key_id = v.field("id")
    if v.field("confirmed") != "yes":
        return v.back(BACK, confirm=key_id)
    try:
        service.revoke(org, key_id)
    except RemitError as exc:
        if isinstance(exc, NotFound):
            raise
        return v.back(BACK, error=exc.message)
    return v.back(BACK, notice="API key revoked.")


def create(v: Visiting, service: ApiKeyService, org: str) -> Response[str]:
    typed = {"name": v.field("name"), "scope": v.field("scope") or "full"}
    try:
        created = service.create(org, ApiKeyCreate.model_validate(typed))
    except ValidationError as exc:
        return page(v, service, 400, validation_words(exc), typed=typed)
    except RemitError as exc:
        return page(v, service, 400, service_words(exc), typed=typed)
    # The secret is in this answer only (never in a link or a redirect), shown once.
    return page(v, service, 201, created=created)


@router.post(PATH)
def save_api_keys(operator: PostedByAdmin, v: Visiting, service: ApiKeys) -> Response[str]:
    changes = {"revoke": revoke, "create": create}
    change = changes.get(v.field("op"))
    if change is None:
        raise NotFound("no such change")
    return change(v, service, operator.organization_id)
