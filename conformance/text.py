"""Text that came from outside the suite (a file's member names, a manifest's lines, a server's
answers), shown on a terminal or in a line-based log as what it is, never as what it does.

A character that is not drawn but acts moves the cursor, clears the screen, ends a line, reorders
what follows (bidi controls: "Trojan Source") or hides itself between two visible ones, so that a
name could forge a line of the verifier's own output or look like another name. `shown` writes each
such character as the escape Python would write in a string literal (`\\x1b`, `\\n`, `\\u202e`), and
doubles a backslash, so that no text can spell an escape it does not hold: what is shown reads back
to exactly what was there.
"""

from __future__ import annotations

import re
import unicodedata

UNSHOWN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Unicode categories written escaped: controls (C0, DEL, C1: Cc), format characters (bidi controls,
zero-width characters, BOM: Cf), lone surrogates (Cs, which an encoder would refuse: a traceback, not
a line), and the line and paragraph separators U+2028 and U+2029 (Zl, Zp: a new line to many tools)."""

_NAMED = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(character: str) -> str:
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def shown(text: str) -> str:
    """`text` with every character of `UNSHOWN_CATEGORIES` and every backslash escaped: one line,
    drawn as it reads. Printable text without a backslash (almost all) comes back as it is."""
    if text.isprintable() and "\\" not in text:  # isprintable is False for every category above
        return text
    return "".join(_escaped(c) if c in _NAMED or unicodedata.category(c) in UNSHOWN_CATEGORIES else c for c in text)


_LINE_BREAK = re.compile(r"\r?\n")


def shown_lines(text: str) -> str:
    """`text` of several lines (a failure's evidence: a request, its headers, a body) as a terminal
    should draw it: each line as `shown` writes it, the line breaks themselves kept (with a carriage
    return before one), so that the text keeps its lines and no line can act on the terminal or move
    the cursor back over another."""
    return "\n".join(shown(line) for line in _LINE_BREAK.split(text))
