"""The customer-facing pages (C12): the hosted invoice page, the checkout page and the
portal, served as HTML by PagesFunction (docs/pages.md)."""
