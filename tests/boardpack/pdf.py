"""Reading a board pack back: its pages' text (pypdf) and its laid-out rows."""

import re
from io import BytesIO

from pypdf import PdfReader
from weasyprint.formatting_structure import boxes


def flat(text: str) -> str:
    """Text with every run of white space one space, and none after a hyphen (a
    line may break there): a wrapped cell reads whole."""
    return re.sub(r"-\s+", "-", re.sub(r"\s+", " ", text)).strip()


def page_texts(pdf: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(BytesIO(pdf)).pages]


def rows_on_more_than_one_page(document) -> int:
    """How many table body rows of a laid-out WeasyPrint document were split over
    pages (a header row repeated on each page is not a split)."""
    pages_of = {}
    for number, page in enumerate(document.pages, 1):
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TableRowGroupBox) and not box.is_header:
                for row in box.children:
                    pages_of.setdefault(id(row.element), set()).add(number)
    return sum(1 for pages in pages_of.values() if len(pages) > 1)


CONTENTS = (
    "RAG summary",
    "Exceptions, ranked by concern",
    "The scorecard, with commentary",
    "The exceptions, one page each",
    "Workforce",
)


def contents_pages(contents: str) -> dict[str, int]:
    """{heading: page} as the contents page lists them ('RAG summary .... 3')."""
    found = {}
    for heading in CONTENTS:
        match = re.search(re.escape(heading) + r"\s*\.{3,}\s*(\d+)", contents)
        assert match, f"{heading} is not in the contents"
        found[heading] = int(match.group(1))
    return found
