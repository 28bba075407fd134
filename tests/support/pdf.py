"""Rendering PDFs in tests: one warm WeasyPrint renderer for the session (it is what the
PDF function keeps per container), and text extraction to assert on what a reader sees."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from pypdf import PdfReader

from remit.documents.pdf import PdfRenderer
from remit_local.template import ROOT

FONTS = ROOT / "functions" / "pdf" / "fonts"


@cache
def renderer() -> PdfRenderer:
    return PdfRenderer(Path(FONTS))


def pages_text(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    reader = PdfReader(io.BytesIO(pdf))
    # Babel's numbers hold no-break and narrow no-break spaces; a reader sees spaces.
    return [(p.extract_text() or "").replace("\u202f", " ").replace("\xa0", " ") for p in reader.pages]


def text(pdf: bytes) -> str:
    return "\n".join(pages_text(pdf))
