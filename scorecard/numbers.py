"""Reading a number a person typed: the one parser behind the entry form, the
staffing section and the importer's text cells. No ORM.

A number is read exactly as a person reads it, or not at all: plain ASCII
digits, an optional leading minus, an optional single decimal point, commas
only as thousands separators in groups of three (1,234 and 12,345,678; never
12,5 or 1,2,3), and a trailing % only where the figure is a percentage.
Whitespace around it is ignored. Exponents (1e3), underscores (1_000), other
scripts' digits (١٢, １２), NaN and Infinity are refused. Whether a negative
number or so many digits are allowed is the caller's rule (`validation`).
"""

import re
from decimal import Decimal

_NUMBER = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|-?\.[0-9]+")


def read(text: str, *, percent: bool = False) -> Decimal | None:
    """The number `text` says, or None when it is not plainly a number.
    `percent`: the figure is a percentage, so it may end in a % sign."""
    text = text.strip()
    if percent and text.endswith("%"):
        text = text[:-1].rstrip()
    if not _NUMBER.fullmatch(text):
        return None
    number = Decimal(text.replace(",", ""))
    return abs(number) if number == 0 else number  # -0 is 0
