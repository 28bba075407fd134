"""PDF rendering: the median render of a 20-line invoice by the PDF function's warm
renderer (remit.documents.pdf: compact fonts and the stylesheet loaded once) against a
naive ``weasyprint.HTML(string=...).write_pdf()`` of the same document (the stylesheet
inlined, system fonts through Fontconfig) in the same run, interleaved round by round.
Targets (issue 3): at least 4x faster, and a PDF under 60 KB."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import weasyprint

from remit.documents.html import render_html
from remit.documents.pdf import PdfRenderer
from remit.documents.sample import sample_account, sample_invoice, sample_organization
from remit.documents.view import build_view
from remit_local.template import ROOT

FONTS = ROOT / "functions" / "pdf" / "fonts"
LINES = 20


@dataclass
class Result:
    rounds: int
    init_seconds: float
    warm: list[float]
    naive: list[float]
    warm_bytes: int
    naive_bytes: int

    @property
    def speedup(self) -> float:
        return statistics.median(self.naive) / statistics.median(self.warm)


def run(rounds: int = 25) -> Result:
    invoice = sample_invoice(lines=LINES, language="de", currency="EUR")
    view = build_view("invoice", invoice, sample_organization(), sample_account("de", "EUR"))
    started = time.perf_counter()
    renderer = PdfRenderer(FONTS)
    init = time.perf_counter() - started
    warm_pdf = renderer.render(view)  # the container's first document, not counted
    naive_html = render_html(view, inline_css=True)
    naive_pdf = weasyprint.HTML(string=naive_html).write_pdf()
    warm, naive = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        warm_pdf = renderer.render(view)
        warm.append(time.perf_counter() - started)
        started = time.perf_counter()
        naive_pdf = weasyprint.HTML(string=render_html(view, inline_css=True)).write_pdf()
        naive.append(time.perf_counter() - started)
    return Result(rounds, init, warm, naive, len(warm_pdf), len(naive_pdf))


def markdown(r: Result) -> str:
    def ms(values: list[float]) -> str:
        median, low, high = statistics.median(values), min(values), max(values)
        return f"{median * 1000:.0f} ms (min {low * 1000:.0f}, max {high * 1000:.0f})"

    warm_kb, naive_kb = r.warm_bytes / 1024, r.naive_bytes / 1024
    return "\n".join(
        [
            f"A {LINES}-line German invoice (three tax rates, discounts), {r.rounds} interleaved rounds.",
            "",
            "| renderer | median render | PDF size |",
            "| --- | --- | --- |",
            f"| warm `PdfRenderer` (compact fonts, CSS preloaded) | {ms(r.warm)} | {warm_kb:.1f} KB |",
            f"| naive `weasyprint.HTML(string=...).write_pdf()` | {ms(r.naive)} | {naive_kb:.1f} KB |",
            "",
            f"Speed-up: **{r.speedup:.1f}x** (target 4x). Warm PDF: **{warm_kb:.1f} KB** (target < 60 KB). "
            f"One-off renderer set-up per container (fonts, stylesheets): {r.init_seconds * 1000:.0f} ms.",
        ]
    )


if __name__ == "__main__":
    print(markdown(run()))
