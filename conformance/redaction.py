"""One redaction mechanism for everything the suite writes.

Three rules, applied by the same object wherever text leaves the suite (failure evidence, the pytest
report that the terminal, HTML and JUnit writers all read, verdict.json, the evidence records):
- credential headers (Authorization and friends) are shown by name only, whatever their value;
- every secret value the suite holds (the bearer token, the altered copy it sends, a client secret)
  is masked where a server may have echoed it, into a header or a body. A secret is matched as a
  whole token: not where it is only part of a longer run of RFC 6750 token characters, so that a
  token `T` masks `Bearer T` and `"T"` but leaves `POST`, `SYNC-ODATA-TYPE` and
  `2026-11-25T14:10:23Z` alone. A secret long enough not to occur by chance (`ANYWHERE_FROM`
  characters) is masked inside longer runs too, so an echo such as `Bearer%20<token>` cannot slip by.
  Either way, any of its characters may stand escaped as JSON, a URL or HTML escape them, as a server
  that writes the secret into JSON, a Location or a page may have done;
- structured data (verdict.json, the evidence records) is redacted value by value before it is
  serialised, never by replacing text inside the serialised document: a token such as `id`, `true`
  or `"` then masks string values and cannot break the document's syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from .exchange import Exchange, Headers

MASK = "[REDACTED]"
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
TOKEN_CHARACTERS = "A-Za-z0-9._~+/-"
"""RFC 6750 § 2.1 b64token characters (its trailing '=' padding is a boundary here)."""
ANYWHERE_FROM = 16
"""From this length on a secret is masked inside longer runs of token characters too: a string
that long does not turn up inside an id or a word by chance, so where it appears it was echoed."""

_TOKEN_CHARACTER = re.compile(f"[{TOKEN_CHARACTERS}]")
ENTITY_ZEROS = 4
"""Leading zeros a character reference may carry and still be matched (`&#039;`, `&#x0027;`)."""
SPELLING_BYTES = 2 + ENTITY_ZEROS + 7 + 1
"""The most bytes one character of a secret takes in any spelling `_spellings` matches: a character
reference with its zeros (`&#` and seven digits, or `&#x` and six), more than four UTF-8 bytes
percent-encoded or a surrogate pair as JSON escapes (12)."""


def _spellings(character: str) -> list[tuple[str, str]]:
    """One character of a secret as a server may write it back: as itself, or escaped the way JSON
    (`\\u002B`, either hex case, a surrogate pair beyond the BMP; `\\/`), a URL (`%2B` of each UTF-8
    byte, either case; space as `+`) or HTML and XML (`&#43;`, `&#x2b;`) escape characters. Per
    character, because encoders escape only some (.NET's JSON writer escapes `+` and leaves the rest):
    one escaped character must not let the rest of a token out. Each spelling is its first character,
    always a literal one, and the regular expression for the rest."""
    code = ord(character)
    units = [code] if code < 0x10000 else [0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)]
    spellings = [
        (character, ""),
        ("\\", "\\\\".join(f"[uU](?i:{unit:04x})" for unit in units)),
        ("%", "%".join(f"(?i:{byte:02x})" for byte in character.encode("utf-8"))),
        ("&", f"#0{{0,{ENTITY_ZEROS}}}{code};"),
        ("&", f"#[xX]0{{0,{ENTITY_ZEROS}}}(?i:{code:x});"),
    ]
    return spellings + {"/": [("\\", "/")], " ": [("+", "")]}.get(character, [])


def _spelled(character: str) -> str:
    return "(?:" + "|".join(re.escape(first) + rest for first, rest in _spellings(character)) + ")"


def _alternatives(secret: str) -> list[str]:
    """The regular expressions matching one secret, each character as itself or escaped: one per
    spelling of its first character, followed by any spelling of the rest. Every alternative then
    starts with a literal character, so the engine skips to the places where a secret could begin
    (five times faster over a JSON body than one group per character throughout). Whole-token
    bounded when the secret is short, the bound before it checked just after that first literal
    character (a lookbehind two characters wide), so that the alternative still starts with it: a
    leading lookbehind would have the engine try every position (four times slower)."""
    rest = "".join(_spelled(character) for character in secret[1:])
    if len(secret) >= ANYWHERE_FROM:
        return [re.escape(first) + more + rest for first, more in _spellings(secret[0])]
    # A bound only on a side where the secret itself ends in a token character: `"` is a whole
    # token wherever it stands, `T` only where no token character touches it.
    before = f"(?<![{TOKEN_CHARACTERS}].)" if _TOKEN_CHARACTER.fullmatch(secret[0]) else ""
    after = f"(?![{TOKEN_CHARACTERS}])" if _TOKEN_CHARACTER.fullmatch(secret[-1]) else ""
    return [re.escape(first) + before + more + rest + after for first, more in _spellings(secret[0])]


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._compiled: re.Pattern[str] | None = None
        self._stale = False
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Hold one more secret (a token acquired during the run). The pattern is compiled when next
        used, not here: a run adds its token and the credentials made from it one after another, and
        one compile of them all costs a fifth of five growing ones."""
        if secret and secret not in self._secrets:
            self._secrets.add(secret)
            self._stale = True

    @property
    def _pattern(self) -> re.Pattern[str] | None:
        """Every held secret in one pass, longest first, a mask already there matched first and kept:
        a secret inside another is replaced whole, and redacting twice changes nothing."""
        if self._stale:
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._compiled = re.compile("|".join([re.escape(MASK), *(a for s in ordered for a in _alternatives(s))]))
            self._stale = False
        return self._compiled

    def text(self, text: str) -> str:
        """`text` with every held secret masked, and safe to write as UTF-8.

        A server can send lone surrogates (`"\\ud800"` parses to one); they are escaped here so that no
        report writer fails on them.
        """
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")

    def data(self, value: Any) -> Any:
        """A JSON-like value with every string in it redacted, to be serialised afterwards.

        Keys are the suite's own names and stay as they are; strings inside lists and objects are
        redacted wherever they sit, numbers, booleans and null are left alone.
        """
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.data(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(item) for item in value]
        return value

    def headers(self, headers: Headers) -> Headers:
        return tuple((name, MASK if name.lower() in CREDENTIAL_HEADERS else self.text(value)) for name, value in headers)

    def binary(self, body: bytes) -> bytes:
        """A body with every held secret masked; bytes that are not UTF-8 pass through unchanged."""
        if self._pattern is None:
            return body
        return self._pattern.sub(MASK, body.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")

    def head(self, body: bytes, limit: int) -> bytes:
        """The first `limit` bytes of `body` as `binary` would give them, masking only as much of the
        body as that needs. A match that starts in a window's text ends within `margin` characters
        (`SPELLING_BYTES` a character of the longest secret), so the matches that start before the
        window's last `margin` characters are those the whole body has; the masked text up to there
        is final. Masking can shorten the text (many secrets in a row), so the window doubles until
        that final part covers `limit` bytes. A body of megabytes costs what its head does."""
        if self._pattern is None:
            return body[:limit]
        margin = SPELLING_BYTES * max(len(secret) for secret in self._secrets) + 1
        end = limit + margin
        while end < len(body):
            text = body[:end].decode("utf-8", "surrogateescape")
            final, pieces, at = len(text) - margin, [], 0
            for match in self._pattern.finditer(text):
                if match.start() >= final:
                    break
                pieces += [text[at : match.start()], MASK]
                at = match.end()
            pieces.append(text[at:final])
            shown = "".join(pieces).encode("utf-8", "surrogateescape")
            if len(shown) >= limit:
                return shown[:limit]
            end *= 2
        return self.binary(body)[:limit]

    def exchange(self, exchange: Exchange) -> Exchange:
        """A copy fit to leave this process (another pytest-xdist worker reads it): credential headers
        masked, every held secret replaced in headers, bodies and the error."""
        request = replace(exchange.request, headers=self.headers(exchange.request.headers), body=self.binary(exchange.request.body))
        response = exchange.response
        if response is not None:
            response = replace(response, headers=self.headers(response.headers), body=self.binary(response.body))
        error = self.text(exchange.error) if exchange.error is not None else None
        return replace(exchange, request=request, response=response, error=error)
