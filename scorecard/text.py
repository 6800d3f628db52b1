"""What counts as text a person wrote: the one rule for required reasons and
commentaries."""

import unicodedata

# Format (zero-width spaces and joiners, U+FEFF), space separators and control
# characters: none of them shows on the page.
INVISIBLE_CATEGORIES = {"Cf", "Zs", "Zl", "Zp", "Cc"}


def is_blank(text: str | None) -> bool:
    """True when the text has nothing a reader could see: empty, whitespace, or
    only invisible characters such as U+200B."""
    return not any(unicodedata.category(char) not in INVISIBLE_CATEGORIES for char in text or "")


def tidy(text: str | None) -> str:
    """The text as stored: trimmed, and empty when it is blank."""
    return "" if is_blank(text) else text.strip()
