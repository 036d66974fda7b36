"""One redaction mechanism for every text from outside the suite that it writes down.

What passes through it is text that may quote a target or an error: an exchange's URL, header values,
bodies, reason phrase and error (conformance/evidence.py), and the prose a check or a stop wrote about
them (conformance/rendering.py). The suite's own words (outcomes, levels, ids, keys, statements) never
do, so no token can corrupt a report however short or common it is. The rules:
- credential headers (Authorization and friends) are shown by name only, whatever their value;
- every secret value the suite holds (the bearer token, the credentials made from it that a target
  must refuse, a client secret) is masked where a server may have echoed it, into a header or a body.
  A secret is matched as a whole token: not where it is only part of a longer run of RFC 6750 token
  characters, so that a token `T` masks `Bearer T` and `"T"` but leaves `POST` and
  `2026-11-25T14:10:23Z` alone. A secret long enough not to occur by chance (`ANYWHERE_FROM`
  characters) is masked inside longer runs too, so an echo such as `Bearer%20<token>` cannot slip by;
- a secret is matched in either case, letter by letter (`TOKEN`, `token`, `tOKEN`: a server that folds
  case, or the suite's own case-swapped credential), and with any of its characters escaped as JSON
  (`\u002B`, `\"`, `\\`), a URL (`%2B`, and again `%252B`), or HTML and XML (`&#43;`, `&quot;`)
  escape them, as a server that writes the secret into JSON, a Location or a page may have done;
- a secret's UTF-8 bytes encoded (`_encodings`): base64 and base64url, padded or not, also where the
  secret sits inside a longer encoded text (`Bearer T` or `{"token": "T"}` encoded): the characters
  its bytes alone decide, at each of the three alignments, and the one at either end its bytes share
  with their neighbours; hex in either case; the same of the secret as JSON escapes it;
- a piece of a secret (`piece_length`: half of it, or `ANYWHERE_FROM` characters of a long one, never
  fewer than `PIECE_FROM`) is masked as a secret of its length is, so that a token split over two
  headers leaves neither half.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from .exchange import Exchange, Headers

MASK = "[REDACTED]"
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
TOKEN_CHARACTERS = "A-Za-z0-9._~+/-"
"""RFC 6750 § 2.1 b64token characters (its trailing '=' padding is a boundary here)."""
ANYWHERE_FROM = 16
"""From this length on a secret is masked inside longer runs of token characters too: a string
that long does not turn up inside an id or a word by chance, so where it appears it was echoed."""
PIECE_FROM = ANYWHERE_FROM
"""The shortest piece of a secret masked on its own: as long as a secret masked anywhere. A shorter
piece of a short test token (`unreachable-token`) is a word of the suite's own prose (`target
unreachable`), and masking it would corrupt the report while a real token (hundreds of random
characters) leaves pieces of this length in each half of any split."""

_TOKEN_CHARACTER = re.compile(f"[{TOKEN_CHARACTERS}]")
ENTITY_ZEROS = 4
"""Leading zeros a character reference may carry and still be matched (`&#039;`, `&#x0027;`)."""
SPELLING_BYTES = 2 + ENTITY_ZEROS + 7 + 1
"""The most bytes one character of a secret takes in any spelling `_spellings` matches: a character
reference with its zeros (`&#` and seven digits, or `&#x` and six), more than four UTF-8 bytes
percent-encoded twice or a surrogate pair as JSON escapes (12)."""
JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t"}
"""JSON's two-character escapes (RFC 8259 § 7)."""
HTML_NAMES = {'"': ["quot"], "&": ["amp"], "<": ["lt"], ">": ["gt"], "'": ["apos"]}
"""The named character references an HTML or XML escaper writes (`html.escape`, PHP, .NET, Jinja)."""


def _cases(character: str) -> list[str]:
    """The character and, for an ASCII letter, its other case."""
    return [character, character.swapcase()] if character.isascii() and character.isalpha() else [character]


def _spellings(character: str) -> list[tuple[str, str]]:
    """One character of a secret as a server may write it back: as itself in either case, or escaped
    the way JSON (`\\u002B`, either hex case, a surrogate pair beyond the BMP; `\\"`, `\\/`), a URL
    (`%2B` of each UTF-8 byte, either case, or encoded twice as `%252B`; space as `+`) or HTML and XML
    (`&#43;`, `&#x2b;`, `&quot;`) escape characters. Per character, because encoders escape only some
    (.NET's JSON writer escapes `+` and leaves the rest): one escaped character must not let the rest
    of a token out. Each spelling is its first character, always a literal one, and the regular
    expression for the rest. The other case of a letter is matched as itself, not escaped: an escaped
    spelling of each case would double the pattern (and its compile, once a run)."""
    code = ord(character)
    units = [code] if code < 0x10000 else [0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)]
    utf8 = character.encode("utf-8", "surrogatepass")
    spellings = [(variant, "") for variant in _cases(character)]
    spellings += [
        ("\\", "\\\\".join(f"[uU](?i:{unit:04x})" for unit in units)),
        ("%", "(?:25)?" + "%(?:25)?".join(f"(?i:{byte:02x})" for byte in utf8)),
        ("&", f"#0{{0,{ENTITY_ZEROS}}}{code};"),
        ("&", f"#[xX]0{{0,{ENTITY_ZEROS}}}(?i:{code:x});"),
    ]
    if character in JSON_ESCAPES:
        spellings.append(("\\", re.escape(JSON_ESCAPES[character])))
    spellings += [("&", f"{name};") for name in HTML_NAMES.get(character, [])]
    return spellings + ([("+", "")] if character == " " else [])


def _spelled(character: str) -> str:
    """Any spelling of the character, its two cases as one class (the shortest pattern), escapes
    first: `&` must not match the start of `&amp;` and leave `amp;` behind."""
    spellings = _spellings(character)
    cases = [first for first, rest in spellings if first in _cases(character) and not rest]
    others = [re.escape(first) + rest for first, rest in spellings if first not in cases or rest]
    literal = f"[{''.join(map(re.escape, cases))}]" if len(cases) > 1 else re.escape(cases[0])
    return "(?:" + "|".join([*others, literal]) + ")"


def _bounded(secret: str, first: str, rest: str) -> str:
    """A secret's regular expression (`first` a literal, `rest` the rest): anywhere when the secret is
    long, else whole-token bounded, the bound before it checked just after that first literal
    character (a lookbehind two characters wide), so that the alternative still starts with it: a
    leading lookbehind would have the engine try every position (four times slower). A bound only on
    a side where the secret itself ends in a token character: `"` is a whole token wherever it stands,
    `T` only where no token character touches it."""
    if len(secret) >= ANYWHERE_FROM:
        return re.escape(first) + rest
    before = f"(?<![{TOKEN_CHARACTERS}].)" if _TOKEN_CHARACTER.fullmatch(secret[0]) else ""
    after = f"(?![{TOKEN_CHARACTERS}])" if _TOKEN_CHARACTER.fullmatch(secret[-1]) else ""
    return re.escape(first) + before + rest + after


def _alternatives(secret: str) -> list[str]:
    """The regular expressions matching one secret, each character as itself or escaped: one per
    spelling of its first character, followed by any spelling of the rest. Every alternative then
    starts with a literal character, so the engine skips to the places where a secret could begin
    (five times faster over a JSON body than one group per character throughout). Escapes first, as
    in `_spelled`."""
    rest = "".join(_spelled(character) for character in secret[1:])
    return [_bounded(secret, first, more + rest) for first, more in sorted(_spellings(secret[0]), key=lambda s: not s[1])]


B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


@dataclass(frozen=True)
class Encoded:
    """A secret's bytes as a base64 text holds them at one alignment: `core`, the characters its bytes
    alone decide; `lead` and `trail`, the characters the one just before and just after the core may
    be (each shares bits with the neighbouring bytes, empty where the core ends on a byte boundary).
    The pattern looks for the core alone (a literal, so the engine skips ahead); `around` takes in the
    rest."""

    core: str
    lead: frozenset[str]
    trail: frozenset[str]

    def around(self, text: str, start: int, at: int) -> tuple[int, int] | None:
        """Where this encoding stands in `text` when its core begins at `start`: from the character
        before the core (unless before `at`, already masked), to the character after it, when those
        share its bits, and any padding that follows. None when the core is not there, or when the
        characters beside it are none that this alignment puts there: the core of a secret that
        repeats itself turns up at other alignments too, and only the text's own says where the
        secret's bits end."""
        if not text.startswith(self.core, start):
            return None
        end = start + len(self.core)
        if self.lead and not (start > 0 and text[start - 1] in self.lead):
            return None
        if self.trail and not (end < len(text) and text[end] in self.trail):
            return None
        if self.lead and start > at:
            start -= 1
        if self.trail:
            end += 1
        while end < len(text) and end - start < len(self.core) + 4 and text[end] == "=":
            end += 1
        return start, end


def _base64(data: bytes, offset: int, url: bool) -> Encoded:
    """`data` at `offset` bytes (0, 1 or 2) into a base64 text: bits [8·offset, 8·(offset+len)) are its
    own; a character covers six bits, so those from ceil(8·offset/6) to floor(8·(offset+len)/6) are
    decided by `data` alone. The neighbours' characters come from every value of the byte beside it."""
    encode = base64.urlsafe_b64encode if url else base64.b64encode

    def text(before: int, after: bytes) -> str:
        return encode(bytes([before]) * offset + data + after).decode()

    begin, end = -(-8 * offset // 6), 8 * (offset + len(data)) // 6
    core = text(0, b"")[begin:end]
    lead = frozenset(text(b, b"")[begin - 1] for b in range(256)) if 8 * offset % 6 else frozenset()
    trail = frozenset(text(0, bytes([b]))[end] for b in range(256)) if 8 * (offset + len(data)) % 6 else frozenset()
    return Encoded(core, lead, trail)


def _encodings(secret: str) -> tuple[list[str], list[Encoded]]:
    """A secret's bytes encoded, as literal texts masked like a secret of their length, and as base64
    cores masked anywhere (those at least `ANYWHERE_FROM` characters: a shorter one occurs by chance).
    Its bytes as they are, and as JSON writes them when that differs (a token with `"` or `\\` in
    `{"token": "T"}`, encoded)."""
    whole: set[str] = set()
    cores: list[Encoded] = []
    for text in dict.fromkeys([secret, json.dumps(secret, ensure_ascii=False)[1:-1]]):
        data = text.encode("utf-8", "surrogatepass")
        whole |= {binascii.hexlify(data).decode(), binascii.hexlify(data).decode().upper()}
        for url in (False, True):
            padded = (base64.urlsafe_b64encode if url else base64.b64encode)(data).decode()
            whole |= {padded, padded.rstrip("=")}
        cores += [_base64(data, offset, url) for offset in range(3) for url in (False, True)]
    return sorted(whole, key=len, reverse=True), [c for c in cores if len(c.core) >= ANYWHERE_FROM]


def piece_length(secret: str) -> int | None:
    """How long a piece of `secret` must be to be masked on its own; None when no piece shorter than
    the secret is. A token split over two headers leaves a half of it in each: a piece as long as half
    the secret (rounded down) is masked, and one of `ANYWHERE_FROM` characters whatever the secret's
    length (a third of a long token is no more likely to occur by chance than a whole short one), and
    never one shorter than `PIECE_FROM`; a piece shorter than `ANYWHERE_FROM` is masked only where it
    stands whole, like a short secret."""
    length = max(PIECE_FROM, min(len(secret) // 2, ANYWHERE_FROM))
    return length if length < len(secret) else None


def _fold(character: str) -> str:
    """A character as pieces are compared: an ASCII letter in lower case (one character stays one)."""
    return character.lower() if character.isascii() else character


@dataclass(frozen=True)
class Piece:
    """Where a block of a secret sits in it, to grow a match of the block into the longest piece."""

    secret: str
    """The secret, `_fold`ed."""
    offset: int
    shortest: int
    """`piece_length` of the secret."""


@dataclass(frozen=True)
class Compiled:
    """Every held secret as the Redactor looks for it."""

    pattern: re.Pattern[str]
    """Each secret, spelt or encoded, in one pass (a mask already there matched first and kept)."""
    encoded: tuple[Encoded, ...]
    """Each secret's base64 cores, with the characters around them that may hold part of it."""
    blocks: re.Pattern[str] | None
    """Blocks of the secrets, any piece at least `piece_length` long holds one whole."""
    pieces: dict[str, list[Piece]]
    """Where each block (folded) sits in which secret."""
    longest: int
    """The length of the longest secret: how far past a window a match that starts in it can reach."""

    @classmethod
    def of(cls, secrets: frozenset[str]) -> Compiled:
        """Longest first, a mask already there first: a secret inside another is replaced whole, and
        redacting twice changes nothing. An encoded form shorter than `PIECE_FROM` is left out (the hex
        of `T` is `54`, a number in any body)."""
        alternatives: list[tuple[int, str]] = []
        encoded: list[Encoded] = []
        pieces: dict[str, list[Piece]] = {}
        for secret in secrets:
            alternatives += [(len(secret), a) for a in _alternatives(secret)]
            whole, cores = _encodings(secret)
            alternatives += [(len(w), _bounded(w, w[0], re.escape(w[1:]))) for w in whole if len(w) >= PIECE_FROM]
            alternatives += [(len(c.core), re.escape(c.core)) for c in cores]
            encoded += cores
            if (shortest := piece_length(secret)) is not None:
                folded, size = "".join(map(_fold, secret)), shortest // 2
                for offset in range(0, len(secret) - size + 1, size):
                    pieces.setdefault(folded[offset : offset + size], []).append(Piece(folded, offset, shortest))
        ordered = [a for _, a in sorted(alternatives, key=lambda pair: -pair[0])]
        pattern = re.compile("|".join([re.escape(MASK), *dict.fromkeys(ordered)]))
        # Each block in either case of its first character, a literal, so that the engine skips ahead.
        blocks = [re.escape(c) + f"(?i:{re.escape(block[1:])})" for block in pieces for c in _cases(block[0])]
        longest = max(map(len, secrets), default=0)
        return cls(pattern, tuple(encoded), re.compile("|".join(blocks)) if blocks else None, pieces, longest)

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Where `text` holds a secret, left to right, none overlapping: each match of the pattern (a
        base64 core with the characters around it that may hold part of the secret), then the pieces
        in the text between two matches."""
        at = 0
        for match in self.pattern.finditer(text):
            start, end = match.span()
            # A base64 core: the characters around it that share its bits, by every core that begins
            # within the match where its alignment can be the text's. A secret that repeats itself
            # (`99…90`) has the core of another alignment match first, a character or two before the
            # core of the alignment the text has, whose last characters are the secret's too.
            around = [span for begin in range(start, end) for encoded in self.encoded if (span := encoded.around(text, begin, at))]
            if around:
                start, end = min(start, *(s for s, _ in around)), max(end, *(e for _, e in around))
            yield from self._pieces(text, at, start)
            yield start, end
            at = end
        yield from self._pieces(text, at, len(text))

    def _pieces(self, text: str, low: int, high: int) -> Iterator[tuple[int, int]]:
        """The longest pieces of a secret within text[low:high]: each block found is grown both ways
        as long as the text goes on as the secret does (in either case)."""
        if self.blocks is None:
            return
        at = low
        while (found := self.blocks.search(text, at, high)) is not None:
            at = found.start() + 1
            for piece in self.pieces[found.group().lower()]:
                start, end, s, e = found.start(), found.end(), piece.offset, piece.offset + found.end() - found.start()
                while start > low and s > 0 and _fold(text[start - 1]) == piece.secret[s - 1]:
                    start, s = start - 1, s - 1
                while end < high and e < len(piece.secret) and _fold(text[end]) == piece.secret[e]:
                    end, e = end + 1, e + 1
                if end - start >= piece.shortest and (end - start >= ANYWHERE_FROM or _whole(text, start, end)):
                    yield start, end
                    at = end
                    break


def _whole(text: str, start: int, end: int) -> bool:
    """No token character touches text[start:end] on a side where it ends in one."""
    before = start == 0 or not (_TOKEN_CHARACTER.fullmatch(text[start]) and _TOKEN_CHARACTER.fullmatch(text[start - 1]))
    after = end == len(text) or not (_TOKEN_CHARACTER.fullmatch(text[end - 1]) and _TOKEN_CHARACTER.fullmatch(text[end]))
    return before and after


def _masked(text: str, spans: Iterable[tuple[int, int]]) -> str:
    pieces, at = [], 0
    for start, end in spans:
        pieces += [text[at:start], MASK]
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


class Redactor:
    """Every held secret masked wherever it appears. Shared by the threads of a burst, one of which
    may add a renewed token while another masks: what is held and its compiled form change under one
    lock, and masking uses the compiled form of one moment."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._holding = threading.Lock()
        self._secrets: set[str] = set()
        self.tokens: list[str] = []
        """The run's own bearer tokens (not the credentials made from them): what a reproduction takes
        from $GRAPH_TOKEN instead of showing."""
        self._compiled: Compiled | None = None
        self._stale = False
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Hold one more secret (a token acquired during the run). The patterns are compiled when next
        used, not here: a run adds its token and the credentials made from it one after another, and
        one compile of them all costs a fifth of five growing ones."""
        with self._holding:
            if secret and secret not in self._secrets:
                self._secrets.add(secret)
                self._stale = True

    def add_token(self, token: str) -> None:
        """Hold one of the run's bearer tokens: masked as any secret, and known as the token."""
        self.add(token)
        with self._holding:
            if token and token not in self.tokens:
                self.tokens = [*self.tokens, token]

    @property
    def _held(self) -> Compiled | None:
        with self._holding:
            if self._stale:
                self._compiled = Compiled.of(frozenset(self._secrets))
                self._stale = False
            return self._compiled

    def text(self, text: str) -> str:
        """`text` with every held secret masked, and safe to write as UTF-8.

        A server can send lone surrogates (`"\\ud800"` parses to one); they are escaped here so that no
        report writer fails on them.
        """
        if (held := self._held) is not None:
            text = _masked(text, held.spans(text))
        return text.encode("utf-8", "backslashreplace").decode("utf-8")

    def headers(self, headers: Headers) -> Headers:
        return tuple((name, MASK if name.lower() in CREDENTIAL_HEADERS else self.text(value)) for name, value in headers)

    def binary(self, body: bytes) -> bytes:
        """A body with every held secret masked; bytes that are not UTF-8 pass through unchanged."""
        if (held := self._held) is None:
            return body
        text = body.decode("utf-8", "surrogateescape")
        return _masked(text, held.spans(text)).encode("utf-8", "surrogateescape")

    def head(self, body: bytes, limit: int) -> bytes:
        """The first `limit` bytes of `body` as `binary` would give them, masking only as much of the
        body as that needs. A match that starts in a window's text ends within `margin` characters
        (`SPELLING_BYTES` a character of the longest secret, twice: a piece is looked for up to the
        match after it), so the matches that start before the window's last `margin` characters are
        those the whole body has; the masked text up to there is final. Masking can shorten the text
        (many secrets in a row), so the window doubles until that final part covers `limit` bytes. A
        body of megabytes costs what its head does."""
        if (held := self._held) is None:
            return body[:limit]
        margin = 2 * SPELLING_BYTES * held.longest + 2
        end = limit + margin
        while end < len(body):
            text = body[:end].decode("utf-8", "surrogateescape")
            final = len(text) - margin
            shown = _masked(text[:final], (s for s in held.spans(text) if s[0] < final)).encode("utf-8", "surrogateescape")
            if len(shown) >= limit:
                return shown[:limit]
            end *= 2
        return self.binary(body)[:limit]

    def exchange(self, exchange: Exchange) -> Exchange:
        """A copy fit to leave this process (another pytest-xdist worker reads it): credential headers
        masked, every held secret replaced in the URL, headers, bodies, the reason phrase and the error."""
        sent = exchange.request
        request = replace(sent, url=self.text(sent.url), headers=self.headers(sent.headers), body=self.binary(sent.body))
        response = exchange.response
        if response is not None:
            incomplete = self.text(response.incomplete) if response.incomplete is not None else None
            response = replace(
                response, reason=self.text(response.reason), headers=self.headers(response.headers),
                body=self.binary(response.body), incomplete=incomplete,
            )  # fmt: skip
        error = self.text(exchange.error) if exchange.error is not None else None
        return replace(exchange, request=request, response=response, error=error)
