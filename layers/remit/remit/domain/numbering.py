"""Invoice numbers: ``invoicePrefix`` + ``invoiceNumberFormat``.

Format tokens: ``YYYY`` (year), ``YY``, ``MM`` (month), ``DD`` (day) and one run of ``N``
(the sequence, zero-padded to the run's width, widening rather than wrapping when it
overflows). Literal separators ``- _ / . #`` may sit between them. The sequence counts
per *scope*: the number with the sequence left out, so ``YYYY-NNNNN`` restarts each year,
``YYYYMM-NNNN`` each month, and ``NNNNNN`` never.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from remit.errors import ValidationFailed

_TOKEN = re.compile(r"YYYY|YY|MM|DD|N+|[-_/.#]|[0-9]")
PREFIX_PATTERN = r"^[A-Za-z0-9\-_/.#]{0,20}$"
# What ``parse`` accepts, as one expression, for the API schema to state it exactly.
_LITERALS = r"(?:YYYY|YY|MM|DD|[-_/.#0-9])*"
FORMAT_PATTERN = rf"^{_LITERALS}N{{3,10}}{_LITERALS}$"  # and 3 to 30 characters


@dataclass(frozen=True)
class NumberFormat:
    prefix: str
    tokens: tuple[str, ...]

    @classmethod
    def parse(
        cls, prefix: str, fmt: str, fields: tuple[str, str] = ("invoicePrefix", "invoiceNumberFormat")
    ) -> NumberFormat:
        """``fields`` name the two settings in errors (credit notes have their own pair)."""
        if not re.match(PREFIX_PATTERN, prefix):
            raise ValidationFailed("prefix may hold up to 20 letters, digits and - _ / . #", field=fields[0])
        tokens = tuple(_TOKEN.findall(fmt))
        if "".join(tokens) != fmt:
            raise ValidationFailed(
                "use the tokens YYYY, YY, MM, DD and one run of N, with - _ / . # between them",
                field=fields[1],
            )
        runs = [t for t in tokens if t.startswith("N")]
        if len(runs) != 1 or not 3 <= len(runs[0]) <= 10:
            raise ValidationFailed(
                "the format needs exactly one sequence of 3 to 10 N, such as NNNNN",
                field=fields[1],
            )
        return cls(prefix, tokens)

    def _render(self, on: date, sequence: str) -> str:
        parts = {
            "YYYY": f"{on.year:04d}",
            "YY": f"{on.year % 100:02d}",
            "MM": f"{on.month:02d}",
            "DD": f"{on.day:02d}",
        }
        return self.prefix + "".join(sequence if t.startswith("N") else parts.get(t, t) for t in self.tokens)

    def scope(self, on: date) -> str:
        """The counter this date's numbers draw from, e.g. ``INV-2026-*``."""
        return self._render(on, "*")

    def number(self, on: date, sequence: int) -> str:
        width = next(len(t) for t in self.tokens if t.startswith("N"))
        return self._render(on, f"{sequence:0{width}d}")
