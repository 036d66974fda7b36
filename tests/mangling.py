"""Servers that change the secrets they store in the ordinary ways servers do, each built from the
reference server by changing what it keeps of a secret (`stored_secret`) or how it gives the list
back (`representation`), and nothing else.

Each names the requirements it must be caught by (`breaks`), the family of issue 10 it stands for
(`family`), whether the explicit corpus alone catches it (`corpus_catches`), and how many secrets
the smallest body that shows its defect has (`smallest`): tests/test_mangling.py holds each server
to all four, so that generation is shown to do the work the corpus cannot, and to shrink what it
finds. `UNUSUAL` servers change how they store secrets but give every one back exactly: they pass.
"""

from __future__ import annotations

import html
import json
import math
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import unquote

from conformance.coverage import EMAIL, JWT, NUMBER, TYPED_KEYS
from conformance.server import Record, ReferenceServer

ECHO = frozenset({"SYNC-SECRETS-ECHO"})
ORDER = frozenset({"SYNC-SECRETS-ORDER"})
# A value coerced to a JSON number or boolean is not echoed, and is not a string as the
# synchronization schema requires either: two requirements, each rightly failed.
ECHO_AND_SCHEMA = frozenset({"SYNC-SECRETS-ECHO", "SYNC-BODY-SCHEMA"})


class Mangler(ReferenceServer):
    breaks: ClassVar[frozenset[str]] = ECHO
    family: ClassVar[str]
    corpus_catches: ClassVar[bool] = False
    smallest: ClassVar[int] = 1
    """Secrets in the smallest body that shows the defect: what a generated failure shrinks to."""


class ValueMangler(Mangler):
    """Changes each string value it stores; `mangle` is its one change."""

    def mangle(self, value: str) -> Any:
        raise NotImplementedError

    def stored_secret(self, secret: dict[str, Any]) -> dict[str, Any]:
        kept = super().stored_secret(secret)
        if isinstance(kept.get("value"), str):
            kept["value"] = self.mangle(kept["value"])
        return kept


class ListMangler(Mangler):
    """Gives the list of secrets back changed; `arrange` is its one change."""

    def arrange(self, secrets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def representation(self, request: Any, record: Record) -> dict[str, Any]:
        body = super().representation(request, record)
        body["secrets"] = self.arrange(body["secrets"])
        return body


# --- normalisation -------------------------------------------------------------------------------


class NormalisesNfc(ValueMangler):
    """Stores values in Unicode NFC, as many databases and frameworks do on input."""

    family = "normalisation"

    def mangle(self, value: str) -> Any:
        return unicodedata.normalize("NFC", value)


class NormalisesNfkc(ValueMangler):
    """Stores values in Unicode NFKC (ligatures, full-width and math letters folded)."""

    family = "normalisation"
    corpus_catches = True

    def mangle(self, value: str) -> Any:
        return unicodedata.normalize("NFKC", value)


# --- line endings --------------------------------------------------------------------------------


class CrLfToLf(ValueMangler):
    """Turns CR LF into LF, as text-mode storage on a Unix host does."""

    family = "line endings"

    def mangle(self, value: str) -> Any:
        return value.replace("\r\n", "\n")


class SplitsLines(ValueMangler):
    """Rejoins values line by line with LF (Python's splitlines: every boundary becomes LF, a last one is lost)."""

    family = "line endings"
    corpus_catches = True

    def mangle(self, value: str) -> Any:
        return "\n".join(value.splitlines())


# --- case ----------------------------------------------------------------------------------------


class LowerCases(ValueMangler):
    """Lower-cases values, as a case-insensitive store that folds on input does."""

    family = "case"
    corpus_catches = True

    def mangle(self, value: str) -> Any:
        return value.lower()


class LowerCasesEmailAddresses(ValueMangler):
    """Lower-cases values that look like e-mail addresses, treating them as case-insensitive identities."""

    family = "case"

    def mangle(self, value: str) -> Any:
        return value.lower() if EMAIL.fullmatch(value) else value


# --- whitespace ----------------------------------------------------------------------------------


class CollapsesWhitespace(ValueMangler):
    """Trims values and collapses each run of white space to one space."""

    family = "whitespace"
    corpus_catches = True

    def mangle(self, value: str) -> Any:
        return " ".join(value.split())


class NonAsciiSpacesToSpace(ValueMangler):
    """Replaces spaces beyond ASCII (NBSP, ideographic space, …) with a plain space, as HTML sanitisers do."""

    family = "whitespace"

    def mangle(self, value: str) -> Any:
        return "".join(" " if c > "\x7f" and unicodedata.category(c) == "Zs" else c for c in value)


# --- coercion ------------------------------------------------------------------------------------


class NumbersAsNumbers(ValueMangler):
    """Stores a value that reads as a number (as JavaScript's Number() reads it) as a number, and
    sends back a JSON number ("42" -> 42, "0x1F" -> 31)."""

    family = "coercion"
    breaks = ECHO_AND_SCHEMA

    def mangle(self, value: str) -> Any:
        if NUMBER.fullmatch(value) is None or (value[:1] in "+-" and value[1:3].lower() == "0x"):
            return value
        number = float(int(value, 16)) if value[:2].lower() == "0x" else float(value)
        if not math.isfinite(number):
            return value
        return int(number) if number.is_integer() and abs(number) < 2**53 else number


class NullTextAsNull(ValueMangler):
    """Stores text that means null in some language ("null", "None", "nil", "undefined", any case) as null."""

    family = "coercion"

    def mangle(self, value: str) -> Any:
        return None if value.lower() in ("null", "none", "nil", "undefined") else value


class BooleansAsBooleans(ValueMangler):
    """Stores text that reads as a boolean in YAML 1.1 (true/false, yes/no, on/off, any case) as a boolean."""

    family = "coercion"
    breaks = ECHO_AND_SCHEMA

    def mangle(self, value: str) -> Any:
        return {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}.get(value.lower(), value)


class CanonicalisesJson(ValueMangler):
    """Stores a value that is a JSON array or object as JSON (PostgreSQL jsonb), giving back its own spelling."""

    family = "coercion"

    def mangle(self, value: str) -> Any:
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return json.dumps(parsed, sort_keys=True) if isinstance(parsed, list | dict) else value


class ReformatsDates(ValueMangler):
    """Stores a value that reads as an ISO 8601 date-time as a date-time, giving it back to the second."""

    family = "coercion"

    def mangle(self, value: str) -> Any:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.isoformat(timespec="seconds")


# --- lists ---------------------------------------------------------------------------------------


class MergesDuplicateKeys(ListMangler):
    """Keeps one secret per key (the last value sent), as a key-value store does."""

    family = "list"
    smallest = 2

    def arrange(self, secrets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        merged: dict[Any, dict[str, Any]] = {}
        for secret in secrets:
            merged[secret.get("key")] = secret
        return list(merged.values())


class DropsDuplicatePairs(ListMangler):
    """Keeps each key and value pair once, as a set does."""

    family = "list"
    smallest = 2

    def arrange(self, secrets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen: set[str] = set()
        kept = []
        for secret in secrets:
            pair = json.dumps([secret.get("key"), secret.get("value")])
            if pair not in seen:
                seen.add(pair)
                kept.append(secret)
        return kept


class KeepsFirst50(ListMangler):
    """Keeps the first 50 secrets (a page), dropping the rest."""

    family = "list"
    smallest = 51

    def arrange(self, secrets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return secrets[:50]


class SortsByKey(ListMangler):
    """Gives secrets back sorted by key."""

    family = "order"
    breaks = ORDER
    corpus_catches = True
    smallest = 2

    def arrange(self, secrets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(secrets, key=lambda s: str(s.get("key", "")))


class GroupsByKey(ListMangler):
    """Gives secrets back grouped by key, in the order each key first came (a map of key to values)."""

    family = "order"
    breaks = ORDER
    smallest = 3

    def arrange(self, secrets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        groups: dict[Any, list[dict[str, Any]]] = {}
        for secret in secrets:
            groups.setdefault(secret.get("key"), []).append(secret)
        return [secret for group in groups.values() for secret in group]


# --- length --------------------------------------------------------------------------------------


class CutsAt255(ValueMangler):
    """Keeps the first 255 characters of a value (a VARCHAR(255))."""

    family = "length"
    corpus_catches = True

    def mangle(self, value: str) -> Any:
        return value[:255]


class CutsAt2048(ValueMangler):
    """Keeps the first 2,048 characters of a value."""

    family = "length"

    def mangle(self, value: str) -> Any:
        return value[:2048]


# --- control characters --------------------------------------------------------------------------


class StripsControlCharacters(ValueMangler):
    """Removes control characters other than TAB, LF and CR."""

    family = "control"
    corpus_catches = True

    def mangle(self, value: str) -> Any:
        return "".join(c for c in value if c in "\t\n\r" or unicodedata.category(c) != "Cc")


class StripsC1Controls(ValueMangler):
    """Removes DEL and the C1 controls (U+007F–U+009F), as a Windows-1252 clean-up does."""

    family = "control"

    def mangle(self, value: str) -> Any:
        return "".join(c for c in value if not "\x7f" <= c <= "\x9f")


# --- escaping ------------------------------------------------------------------------------------


class EscapesHtml(ValueMangler):
    """HTML-escapes values when storing them (& < > " ')."""

    family = "escaping"
    corpus_catches = True

    def mangle(self, value: str) -> Any:
        return html.escape(value)


class DecodesHtmlEntities(ValueMangler):
    """Decodes HTML character references when storing values (&amp; -> &), "sanitising" input."""

    family = "escaping"

    def mangle(self, value: str) -> Any:
        return html.unescape(value)


# --- beyond the BMP ------------------------------------------------------------------------------


class ReplacesAstral(ValueMangler):
    """Replaces characters outside the BMP with U+FFFD, as a 3-byte UTF-8 column (MySQL utf8mb3) does."""

    family = "astral"
    corpus_catches = True

    def mangle(self, value: str) -> Any:
        return "".join("\ufffd" if c > "\uffff" else c for c in value)


class StripsPrivateUse(ValueMangler):
    """Removes private-use characters (U+E000–U+F8FF and planes 15–16), as some text sanitisers do."""

    family = "astral"

    def mangle(self, value: str) -> Any:
        return "".join(c for c in value if unicodedata.category(c) != "Co")


# --- found by a trial from the contract alone: spellings and encodings the classes above did not name --


class ReprintsTrueAndFalse(ValueMangler):
    """Prints back "True", "TRUE", "False", "FALSE" as a JSON library would ("true", "false"), and no
    other word: a server that parsed them as booleans and printed them again."""

    family = "coercion"

    def mangle(self, value: str) -> Any:
        return value.lower() if value in ("TRUE", "True", "FALSE", "False") else value


class ComposesHangul(ValueMangler):
    """Composes Hangul jamo into syllables (NFC on Hangul runs only), as some Korean input code does."""

    family = "normalisation"

    def mangle(self, value: str) -> Any:
        return re.sub("[\u1100-\u11ff\uac00-\ud7a3]+", lambda run: unicodedata.normalize("NFC", run.group()), value)


class FoldsFullWidth(ValueMangler):
    """Folds full-width ASCII (U+FF01 to U+FF5E) to ASCII, and nothing else NFKC would change."""

    family = "normalisation"

    def mangle(self, value: str) -> Any:
        return re.sub("[\uff01-\uff5e]", lambda c: chr(ord(c.group()) - 0xFEE0), value)


class DecodesPercentEscapes(ValueMangler):
    """URL-decodes a value that holds a %XX escape, as a web framework may decode a form twice."""

    family = "escaping"

    def mangle(self, value: str) -> Any:
        return unquote(value) if re.search("%[0-9A-Fa-f]{2}", value) else value


class DropsGuidBraces(ValueMangler):
    """Stores a braced GUID ({…}, as Windows writes it) as a GUID and gives it back bare."""

    family = "coercion"

    def mangle(self, value: str) -> Any:
        return re.sub(r"\{([0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})\}", r"\1", value)


class StripsBase64Padding(ValueMangler):
    """Drops the = padding of a value that looks like base64, as URL-safe encoders do."""

    family = "coercion"

    def mangle(self, value: str) -> Any:
        return value.rstrip("=") if re.fullmatch(r"[A-Za-z0-9+/_-]{4,}={1,2}", value) else value


class DefusesFormulas(ValueMangler):
    """Puts a ' before a value that starts with =, as export code guarding against CSV injection does."""

    family = "escaping"

    def mangle(self, value: str) -> Any:
        return "'" + value if value.startswith("=") else value


# --- found by a second trial: typography, credentials, edges, members, pages, storage sizes -------


class MemberMangler(ValueMangler):
    """Changes the string values of `members` alone, as a server that knows what they hold does."""

    members: ClassVar[tuple[str, ...]]

    def stored_secret(self, secret: dict[str, Any]) -> dict[str, Any]:
        if secret.get("key") in self.members:
            return super().stored_secret(secret)
        return super(ValueMangler, self).stored_secret(secret)


SMART_PUNCTUATION = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2026": "..."}


class StraightensQuotes(ValueMangler):
    """Turns curly quotes into straight ones and an ellipsis into three dots, as a "smart punctuation"
    clean-up on input does."""

    family = "typography"

    def mangle(self, value: str) -> Any:
        return "".join(SMART_PUNCTUATION.get(c, c) for c in value)


class FoldsNarrowSpaces(ValueMangler):
    """Turns thin, hair and narrow no-break spaces into plain ones (French typography, and the
    narrow no-break space CLDR put into time formats), as a clean-up that knows only ASCII spaces does."""

    family = "typography"

    def mangle(self, value: str) -> Any:
        return re.sub("[\u2009\u200a\u202f]", " ", value)


class ScrubsJwtValues(ValueMangler):
    """Masks whatever looks like a JWT as [REDACTED], as a response-scrubbing middleware does: these
    secrets hold access and refresh tokens, which are JWTs."""

    family = "credential"

    def mangle(self, value: str) -> Any:
        return JWT.sub("[REDACTED]", value)


class MasksPemBlocks(ValueMangler):
    """Keeps a PEM block's armour and masks what is inside (-----BEGIN PRIVATE KEY-----, a key, the
    END line), as log and response scrubbers do."""

    family = "credential"

    def mangle(self, value: str) -> Any:
        return re.sub(r"(-----BEGIN ([A-Z0-9 ]+)-----).*?(-----END \2-----)", r"\1[REDACTED]\3", value, flags=re.S)


class StripsLeadingBom(ValueMangler):
    """Drops a byte order mark at the start of a value: the value went through a 'utf-8-sig' decode."""

    family = "whitespace"

    def mangle(self, value: str) -> Any:
        return value.encode("utf-8").decode("utf-8-sig")


class TrimsZeroWidth(ValueMangler):
    """Trims zero-width characters and bidi marks (ZWSP, ZWNJ, ZWJ, word joiner, BOM, LRM, RLM) from
    both ends of a value, as a clean-up of pasted text does."""

    family = "whitespace"

    def mangle(self, value: str) -> Any:
        return value.strip("\u200b\u200c\u200d\u2060\ufeff\u200e\u200f")


class ReformatsDatesOfTimeMembers(MemberMangler):
    """Reads an ISO 8601 value of TokenExpiration or Oauth2AccessTokenCreationTime as a moment and
    gives it back its own way (UTC, to the second, with Z); the values of other members as sent."""

    family = "key type"
    members = ("TokenExpiration", "Oauth2AccessTokenCreationTime")

    def mangle(self, value: str) -> Any:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class ReprintsSwitches(MemberMangler):
    """Reads the value of a member that names a switch (SyncAll, Sandbox, HardDeletesEnabled, …) as
    YAML 1.1 reads a boolean (yes, On, TRUE) and prints it back as "true" or "false"."""

    family = "key type"
    members = TYPED_KEYS["boolean"]

    def mangle(self, value: str) -> Any:
        flag = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}.get(value.lower())
        return value if flag is None else str(flag).lower()


class KeepsFirst100(ListMangler):
    """Reads the secrets back as one page of 100 (Graph's usual page size): the 101st on are lost."""

    family = "list"
    smallest = 101

    def arrange(self, secrets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return secrets[:100]


class KeepsLast100(ListMangler):
    """Keeps the newest 100 secrets, as a capped collection does: the first ones sent are lost."""

    family = "list"
    smallest = 101

    def arrange(self, secrets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return secrets[-100:]


class CutsAt65535Bytes(ValueMangler):
    """Keeps the first 65,535 UTF-8 bytes of a value (MySQL's TEXT), dropping a character cut in half."""

    family = "length"

    def mangle(self, value: str) -> Any:
        return value.encode("utf-8")[:65535].decode("utf-8", "ignore")


class CutsAt4000Utf16Units(ValueMangler):
    """Keeps the first 4,000 UTF-16 code units of a value, as SQL Server's nvarchar(4000) does (a
    character outside the BMP takes two)."""

    family = "length"

    def mangle(self, value: str) -> Any:
        return value.encode("utf-16-le")[:8000].decode("utf-16-le", "ignore")


MANGLERS: tuple[type[Mangler], ...] = (
    NormalisesNfc, NormalisesNfkc, CrLfToLf, SplitsLines, LowerCases, LowerCasesEmailAddresses,
    CollapsesWhitespace, NonAsciiSpacesToSpace, NumbersAsNumbers, NullTextAsNull, BooleansAsBooleans,
    CanonicalisesJson, ReformatsDates, MergesDuplicateKeys, DropsDuplicatePairs, KeepsFirst50, SortsByKey,
    GroupsByKey, CutsAt255, CutsAt2048, StripsControlCharacters, StripsC1Controls, EscapesHtml,
    DecodesHtmlEntities, ReplacesAstral, StripsPrivateUse, ReprintsTrueAndFalse, ComposesHangul, FoldsFullWidth,
    DecodesPercentEscapes, DropsGuidBraces, StripsBase64Padding, DefusesFormulas,
    StraightensQuotes, FoldsNarrowSpaces, ScrubsJwtValues, MasksPemBlocks, StripsLeadingBom, TrimsZeroWidth,
    ReformatsDatesOfTimeMembers, ReprintsSwitches, KeepsFirst100, KeepsLast100, CutsAt65535Bytes, CutsAt4000Utf16Units,
)  # fmt: skip


# --- correct but unusual -------------------------------------------------------------------------


def _from_utf16_hex(stored: dict[str, str]) -> str:
    return bytes.fromhex(stored["utf16"]).decode("utf-16-le")


class StoresValuesAsUtf16Hex(ReferenceServer):
    """Keeps each value as hexadecimal UTF-16 (astral characters as surrogate pairs) and decodes it
    when answering: a store in another encoding that round-trips exactly."""

    def stored_secret(self, secret: dict[str, Any]) -> dict[str, Any]:
        kept = super().stored_secret(secret)
        if isinstance(kept.get("value"), str):
            kept["value"] = {"utf16": kept["value"].encode("utf-16-le").hex()}
        return kept

    def representation(self, request: Any, record: Record) -> dict[str, Any]:
        body = super().representation(request, record)
        body["secrets"] = [{**s, "value": _from_utf16_hex(s["value"])} if isinstance(s.get("value"), dict) else s for s in body["secrets"]]
        return body


class KeepsSecretsInAMultimap(ReferenceServer):
    """Keeps secrets in a map of key to the list of its values, remembering each secret's position,
    and gives them back in the order sent: repeated keys and pairs survive."""

    def representation(self, request: Any, record: Record) -> dict[str, Any]:
        body = super().representation(request, record)
        positions: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for position, secret in enumerate(body["secrets"]):
            positions.setdefault(json.dumps(secret.get("key")), []).append((position, secret))
        body["secrets"] = [secret for _, secret in sorted((p for group in positions.values() for p in group), key=lambda p: p[0])]
        return body


UNUSUAL: tuple[type[ReferenceServer], ...] = (StoresValuesAsUtf16Hex, KeepsSecretsInAMultimap)
