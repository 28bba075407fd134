"""The pages' routers, one per area: assets, the invoice page (``/i``), checkout and the
portal. template.yaml's PagesFunction events list the same routes."""
