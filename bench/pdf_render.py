"""PDF rendering: the median render of a 20-line invoice by the PDF function's warm
renderer (remit.documents.pdf: compact fonts and the stylesheet loaded once) against a
naive ``weasyprint.HTML(string=...).write_pdf()`` of the same document (the stylesheet
inlined, system fonts through Fontconfig) in the same run, interleaved round by round.
Targets (issue 3, restated in issue 15): at least 3x faster, and a PDF under 60 KB.

WeasyPrint subsets the fonts of every document it writes, with HarfBuzz's subsetter when
the machine has ``libharfbuzz-subset`` (>= 4.1) and with fontTools otherwise; fontTools
subsetting the system's whole DejaVu Sans is most of a naive render. The bench says which
one the machine has, and also times the naive render with fontTools forced, the naive
path as it was on a machine without HarfBuzz's subsetter (docs/performance.md)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import weasyprint
import weasyprint.pdf.fonts as weasyprint_fonts

from remit.documents.html import render_html
from remit.documents.pdf import PdfRenderer, harfbuzz_subsets
from remit.documents.sample import sample_account, sample_invoice, sample_organization
from remit.documents.view import build_view
from remit_local.template import ROOT

FONTS = ROOT / "functions" / "pdf" / "fonts"
LINES = 20


@contextmanager
def fonttools_subsetting() -> Iterator[None]:
    """WeasyPrint as on a machine without HarfBuzz's subsetter (it checks the module global)."""
    found = weasyprint_fonts.harfbuzz_subset
    weasyprint_fonts.harfbuzz_subset = None
    try:
        yield
    finally:
        weasyprint_fonts.harfbuzz_subset = found


@dataclass
class Result:
    rounds: int
    init_seconds: float
    harfbuzz: bool
    full_fonts: bool
    times: dict[str, list[float]]
    sizes: dict[str, int]

    def median(self, key: str) -> float:
        return statistics.median(self.times[key])

    @property
    def speedup(self) -> float:
        return self.median("naive") / self.median("warm")

    def paired(self, key: str) -> float:
        """Median of the per-round ratios key/warm (each pair ran a moment apart)."""
        return statistics.median(n / w for n, w in zip(self.times[key], self.times["warm"], strict=True))


def run(rounds: int = 25) -> Result:
    invoice = sample_invoice(lines=LINES, language="de", currency="EUR")
    view = build_view("invoice", invoice, sample_organization(), sample_account("de", "EUR"))
    started = time.perf_counter()
    renderer = PdfRenderer(FONTS)
    init = time.perf_counter() - started

    def naive() -> bytes:
        pdf: bytes = weasyprint.HTML(string=render_html(view, inline_css=True)).write_pdf()
        return pdf

    def naive_fonttools() -> bytes:
        with fonttools_subsetting():
            return naive()

    variants: dict[str, Callable[[], bytes]] = {
        "warm": lambda: renderer.render(view),
        "naive": naive,
        "naive_fonttools": naive_fonttools,
    }
    sizes = {key: len(render()) for key, render in variants.items()}  # first renders, not counted
    times: dict[str, list[float]] = {key: [] for key in variants}
    for _ in range(rounds):
        for key, render in variants.items():
            started = time.perf_counter()
            render()
            times[key].append(time.perf_counter() - started)
    return Result(rounds, init, harfbuzz_subsets(), renderer.full_fonts, times, sizes)


def markdown(r: Result) -> str:
    def ms(values: list[float]) -> str:
        median, low, high = statistics.median(values), min(values), max(values)
        return f"{median * 1000:.0f} ms (min {low * 1000:.0f}, max {high * 1000:.0f})"

    subsetter = "HarfBuzz" if r.harfbuzz else "fontTools (no libharfbuzz-subset >= 4.1 on this machine)"
    fonts = "fonts embedded whole" if r.full_fonts else "fonts subset per document by HarfBuzz"
    kb = {key: size / 1024 for key, size in r.sizes.items()}
    return "\n".join(
        [
            f"A {LINES}-line German invoice (three tax rates, discounts), {r.rounds} interleaved rounds. "
            f"WeasyPrint {weasyprint.__version__}; its font subsetter here: {subsetter}.",
            "",
            "| renderer | median render | PDF size | ratio of medians to warm | median of per-round ratios |",
            "| --- | --- | --- | ---: | ---: |",
            f"| warm `PdfRenderer` (compact fonts, CSS preloaded, {fonts}) | {ms(r.times['warm'])} "
            f"| {kb['warm']:.1f} KB | 1.00 | 1.00 |",
            f"| naive `weasyprint.HTML(string=...).write_pdf()` | {ms(r.times['naive'])} "
            f"| {kb['naive']:.1f} KB | {r.speedup:.2f} | {r.paired('naive'):.2f} |",
            f"| naive, fontTools subsetting forced (a machine without HarfBuzz's subsetter) "
            f"| {ms(r.times['naive_fonttools'])} | {kb['naive_fonttools']:.1f} KB "
            f"| {r.median('naive_fonttools') / r.median('warm'):.2f} | {r.paired('naive_fonttools'):.2f} |",
            "",
            f"Speed-up against naive: **{r.speedup:.1f}x** (per-round {r.paired('naive'):.1f}x; target 3x: "
            f"{'met' if r.speedup >= 3 else 'MISSED'}). Warm PDF: **{kb['warm']:.1f} KB** (target < 60 KB). "
            f"One-off renderer set-up per container (fonts, stylesheets): {r.init_seconds * 1000:.0f} ms.",
        ]
    )


if __name__ == "__main__":
    print(markdown(run()))
