"""The PDF renderer (WeasyPrint). Only the PDF function imports this module; WeasyPrint
and its native libraries are in that function's layer, nowhere else.

Kept warm: one ``PdfRenderer`` per container parses the stylesheet and loads the compact
fonts once (``FontConfiguration`` reused), so a render only lays out the document and
embeds two small fonts. The document's own fetcher loads nothing but the logo, through
``remit.documents.fetcher`` (https only, public addresses, bounded size and time).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from remit.documents.fetcher import Resolver, fetch_logo, resolve
from remit.documents.html import render_html, stylesheet, user_agent_stylesheet
from remit.documents.view import DocumentView

FONT_FACES = (("Regular", "normal"), ("Bold", "bold"))


def harfbuzz_subsets() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (C, ~1 ms a document) rather than
    fontTools (Python, tens of ms): the same test WeasyPrint makes in ``Font.subset``."""
    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


class LogoFetcher(URLFetcher):  # type: ignore[misc]
    """The document's fetcher: only a public https image, through fetch_logo."""

    def __init__(self, resolver: Resolver = resolve) -> None:
        super().__init__(timeout=3, allowed_protocols=["https"], allow_redirects=False)
        self._resolver = resolver

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        body, content_type = fetch_logo(url, self._resolver)
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


class FontFetcher(URLFetcher):  # type: ignore[misc]
    """The stylesheet's fetcher: the font files of one directory and nothing else."""

    def __init__(self, font_dir: Path) -> None:
        super().__init__(allowed_protocols=["file"])
        self._fonts = {p.as_uri(): p for p in font_dir.resolve().glob("*.ttf")}

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self._fonts.get(url)
        if path is None:
            raise ValueError(f"{url} is not one of the renderer's fonts")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "font/ttf"})


def font_faces(font_dir: Path) -> str:
    return "\n".join(
        f'@font-face {{ font-family: "Remit Sans"; font-weight: {weight}; '
        f'src: url("{(font_dir.resolve() / f"RemitSans-{face}.ttf").as_uri()}"); }}'
        for face, weight in FONT_FACES
    )


class DocumentHTML(HTML):  # type: ignore[misc]
    """An HTML document with Remit's compact user-agent stylesheet (templates/ua.css)
    instead of WeasyPrint's full HTML5 one; parsed once, shared by every render."""

    ua: Any = None

    def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
        return [self.ua]


class PdfRenderer:
    def __init__(self, font_dir: Path, resolver: Resolver = resolve) -> None:
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(
            string=font_faces(font_dir) + stylesheet(),
            font_config=self.font_config,
            url_fetcher=FontFetcher(font_dir),
        )
        self.fetcher = LogoFetcher(resolver)
        # The fonts were subset once, when they were made (functions/pdf/fonts/subset.py).
        # With HarfBuzz's subsetter the per-document subset is the cheaper way (~1 ms, and a
        # 13 KB PDF). Without it WeasyPrint falls back to fontTools, a third of each render,
        # so the fonts go in whole (46 KB); a whole font still costs a fontTools parse of it
        # per document for its widths, ~10 ms. docs/performance.md has the figures.
        self.full_fonts = not harfbuzz_subsets()
        if DocumentHTML.ua is None:
            DocumentHTML.ua = CSS(string=user_agent_stylesheet())

    def render(self, view: DocumentView) -> bytes:
        html = DocumentHTML(string=render_html(view), url_fetcher=self.fetcher, base_url=None)
        pdf: bytes = html.write_pdf(
            stylesheets=[self.stylesheet],
            font_config=self.font_config,
            full_fonts=self.full_fonts,
        )
        return pdf
