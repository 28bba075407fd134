from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from remit.http.deps import Products, Tenant
from remit.ids import id_pattern
from remit.schemas.catalogue import ProductCreate, ProductOut, ProductPage, ProductPatch

router = Router()
TAGS = ["Catalogue"]

ProductId = Annotated[str, Path(min_length=1, max_length=64)]
CREATED: OpenAPIResponse = {"description": "Created", "content": {"application/json": {"model": ProductOut}}}


@router.post("/products", summary="Create a product with its prices", tags=TAGS, responses={201: CREATED})
def create_product(body: ProductCreate, org: Tenant, service: Products) -> tuple[ProductOut, int]:
    return service.create(org, body), 201


@router.get("/products", summary="List products, newest first", tags=TAGS)
def list_products(
    org: Tenant,
    service: Products,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None, Query(pattern=id_pattern("prod"), description="The previous page's nextCursor")
    ] = None,
) -> ProductPage:
    return service.list(org, limit, cursor)


@router.get("/products/<productId>", summary="Get a product and its prices", tags=TAGS)
def get_product(productId: ProductId, org: Tenant, service: Products) -> ProductOut:
    return service.get(org, productId)


@router.patch("/products/<productId>", summary="Rename, add prices, archive prices", tags=TAGS)
def update_product(productId: ProductId, body: ProductPatch, org: Tenant, service: Products) -> ProductOut:
    return service.update(org, productId, body)
