"""How deep a JSON text nests, read from its bytes before it is parsed.

Python's parser recurses once a level and gives up near 1,000 levels with a RecursionError: a body of
100,000 brackets was a 500 and a logged traceback. Read from the bytes first, a body nested past the
server's bound is refused before anything is built from it. Every step runs in C (a count, two
regular expressions, a running sum), about 50 ms for the costliest 1 MiB body, and a body with
fewer brackets than the bound (almost every one) is not read at all.
"""

from __future__ import annotations

import operator
import re
from itertools import accumulate, repeat

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
"""A JSON string, escapes and all; one left open runs to the end (such a text is not JSON anyway)."""
_NOT_A_BRACKET = re.compile(rb"[^][{}]+")
_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
"""Each bracket as one more than the step it takes in depth: an opening one 2 (+1), a closing one 0 (-1)."""


def deeper_than(text: bytes, depth: int) -> bool:
    """Whether the arrays and objects of `text` nest more than `depth` levels deep; brackets inside
    strings are text, not nesting."""
    if text.count(b"[") + text.count(b"{") <= depth:
        return False
    brackets = _NOT_A_BRACKET.sub(b"", _STRING.sub(b"", text))
    return max(accumulate(map(operator.sub, brackets.translate(_STEPS), repeat(1))), default=0) > depth
