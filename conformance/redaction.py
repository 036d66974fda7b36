"""One redaction mechanism for everything the suite writes.

Two rules, applied by the same object wherever text leaves the suite (failure evidence, the pytest
report that the terminal, HTML and JUnit writers all read):
- credential headers (Authorization and friends) are shown by name only, whatever their value;
- every secret value the suite holds (the bearer token) is replaced wherever it appears, because a
  server may echo it into a header or a body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from .exchange import Exchange, Headers

MASK = "[REDACTED]"
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Hold one more secret (a token acquired during the run)."""
        if secret and secret not in self._secrets:
            self._secrets.add(secret)
            # One pass, longest first, a mask already there matched first and kept: a secret inside
            # another is replaced whole, and redacting twice changes nothing.
            ordered = [MASK, *sorted(self._secrets, key=len, reverse=True)]
            self._pattern = re.compile("|".join(re.escape(s) for s in ordered))

    def text(self, text: str) -> str:
        """`text` with every held secret masked, and safe to write as UTF-8.

        A server can send lone surrogates (`"\\ud800"` parses to one); they are escaped here so that no
        report writer fails on them.
        """
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")

    def headers(self, headers: Headers) -> Headers:
        return tuple(
            (name, MASK if name.lower() in CREDENTIAL_HEADERS else self.text(value)) for name, value in headers
        )

    def exchange(self, exchange: Exchange) -> Exchange:
        """A copy fit to leave this process (another pytest-xdist worker reads it): credential headers
        masked, every held secret replaced in headers, bodies and the error."""
        request = replace(exchange.request, headers=self.headers(exchange.request.headers), body=self._bytes(exchange.request.body))
        response = exchange.response
        if response is not None:
            response = replace(response, headers=self.headers(response.headers), body=self._bytes(response.body))
        error = self.text(exchange.error) if exchange.error is not None else None
        return replace(exchange, request=request, response=response, error=error)

    def _bytes(self, body: bytes) -> bytes:
        if self._pattern is None:
            return body
        # surrogateescape: bytes that are not UTF-8 pass through unchanged.
        return self._pattern.sub(MASK, body.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
