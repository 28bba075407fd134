"""The hosted pages' links (minting and opening them), as the pages and the portal-session
route import them. The code is in remit.services.links, below the services that mint
links for emails and checkout, so no service imports the pages."""

from remit.services.links import PATHS, PageLinks, base_url

__all__ = ["PATHS", "PageLinks", "base_url"]
