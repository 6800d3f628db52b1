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


def most_lines_in_a_cell(document, table_class: str) -> dict[str, int]:
    """{column's class: the most lines any of its body cells takes} in the tables
    of `table_class` of a laid-out WeasyPrint document: a cell squeezed narrow
    wraps its words into a tall column of short lines."""
    most = {}
    for page in document.pages:
        for table in page._page_box.descendants():
            if not isinstance(table, boxes.TableBox):
                continue
            if table_class not in (table.element.get("class") or "").split():
                continue
            for cell in table.descendants():
                if not isinstance(cell, boxes.TableCellBox) or cell.element.tag == "th":
                    continue
                name = cell.element.get("class") or ""
                if not name.startswith("col-"):
                    continue  # a commentary line across the table
                most[name] = max(most.get(name, 0), _lines(cell))
    return most


def _lines(box) -> int:
    """The lines of text a laid-out box takes (an inline block's own, where it
    wraps, counted in its line)."""
    if isinstance(box, boxes.LineBox):
        inline_blocks = [b for b in box.descendants() if isinstance(b, boxes.InlineBlockBox)]
        return max([1, *(_lines(b) for b in inline_blocks if b is not box)])
    return sum(_lines(child) for child in getattr(box, "children", ()))
