"""Regenerate the compact fonts the PDF function ships (run from the repository root):

    .venv/bin/python functions/pdf/fonts/subset.py

Source: DejaVu Sans and DejaVu Sans Bold from Debian's fonts-dejavu-core package
(/usr/share/fonts/truetype/dejavu). Kept: the glyphs Latin-script invoices in English,
German, French and the other Western European languages need, plus the currency signs
and the spaces Babel puts in numbers (U+00A0, U+202F). Hinting and OpenType layout
tables go: a PDF is printed or zoomed, not shown at 9 px. The result is a
few dozen kilobytes per face instead of 700, which is what makes WeasyPrint's per-document
subsetting cheap (see docs/documents.md and docs/performance.md).
"""

from __future__ import annotations

from pathlib import Path

from fontTools import subset

SOURCE = Path("/usr/share/fonts/truetype/dejavu")
HERE = Path(__file__).parent
UNICODES = [
    *range(0x20, 0x7F),  # ASCII
    *range(0xA0, 0x180),  # Latin-1 supplement, Latin Extended-A
    0x192,
    0x2C6,
    0x2DC,
    *range(0x2000, 0x200C),  # spaces
    *range(0x2010, 0x2027),  # dashes, quotes, daggers, bullet, ellipsis
    0x202F,  # narrow no-break space (French thousands)
    0x2030,
    0x2039,
    0x203A,
    0x2044,
    *range(0x20A0, 0x20C1),  # currency signs
    0x2116,
    0x2122,
    0x2212,
]


def main() -> None:
    faces = (("DejaVuSans.ttf", "RemitSans-Regular.ttf"), ("DejaVuSans-Bold.ttf", "RemitSans-Bold.ttf"))
    for source, target in faces:
        options = subset.Options()
        options.hinting = False
        # No OpenType layout at all (GSUB/GPOS/GDEF): reading GPOS is what made each
        # document's subsetting slow, and Latin invoice text needs no shaping.
        options.layout_features = []
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "FFTM"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        font = subset.load_font(str(SOURCE / source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=UNICODES)
        subsetter.subset(font)
        subset.save_font(font, str(HERE / target), options)
        print(target, (HERE / target).stat().st_size)


if __name__ == "__main__":
    main()
