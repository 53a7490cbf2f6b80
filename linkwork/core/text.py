"""Text typed into a form, cleaned of what cannot be seen.

Invisible formatting characters change how text reads without showing themselves: a
right-to-left override (U+202E) makes "Evans\u202eexe.txt" display backwards, and a zero-width
space (U+200B) makes "Jones" and "Jo\u200bnes" look the same while they search, sort and match
duplicates differently. Names, addresses and other answers have no use for them, so they are
removed (not refused: they usually arrive unseen, pasted from a document or a phone's
keyboard):

- every Unicode *format* character (category Cf): the zero-width space, joiners and
  non-joiner (U+200B-U+200D), the direction marks, embeddings, overrides and isolates
  (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069, U+061C), the word joiner and invisible
  operators (U+2060-U+2064), the byte order mark (U+FEFF), the soft hyphen and the rest;
- control characters (category Cc), line and paragraph separators (U+2028, U+2029): on one
  line each becomes a space; in a text area, line breaks are kept (as "\\n") and tabs too.

On one line, runs of spaces become one space. The cost, accepted: an emoji sequence joined by
U+200D falls apart into its parts, and a word in a script that uses the zero-width non-joiner
(Persian, for example) loses it; neither changes what the text says.
"""

import re
import unicodedata

_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85]")


def _is_invisible(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf"


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in {"Cc", "Zl", "Zp"}


def has_hidden_characters(text: str) -> bool:
    """Whether `text` holds a format or control character (anything `one_line` removes or
    turns into a space, other than an ordinary space)."""
    return any(_is_invisible(ch) or _is_control(ch) for ch in text)


def one_line(text: str) -> str:
    """`text` as a single line: format characters removed, control characters and line breaks
    as spaces, runs of spaces as one, no space at either end."""
    kept = "".join(" " if _is_control(ch) else ch for ch in text if not _is_invisible(ch))
    return " ".join(kept.split())


def lines(text: str) -> str:
    """`text` for a text area: format characters removed, every kind of line break as "\\n",
    tabs kept, other control characters as spaces, no blank space at either end."""
    text = _LINE_BREAKS.sub("\n", text)
    kept = "".join(
        " " if _is_control(ch) and ch not in "\n\t" else ch for ch in text if not _is_invisible(ch)
    )
    return kept.strip()
