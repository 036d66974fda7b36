"""The shell command that re-sends one request exactly as the suite sent it: curl, pasted as printed.

Exact means the same method, URL, header set and body bytes, and nothing more. curl adds things of its
own unless told not to, so each default is suppressed where the suite's request did not carry it:
`Content-Type` (curl adds a form type to any body), `Expect` (curl asks for 100-continue on large
bodies), HTTP/2 (curl negotiates it over TLS; the suite speaks HTTP/1.1), URL globbing and dot-segment
tidying. Chunked framing is asked for where the suite chunked. A body that is not printable text is
written with `printf` octal escapes and piped in, so bytes such as FF FE arrive as they were sent.

Credentials never appear: the run's token is `$GRAPH_TOKEN`, and a credential made from it (altered,
cut short, extended, in the other case) is rebuilt from `$GRAPH_TOKEN` by a shell expression, with a
comment saying in words what was changed. Host, User-Agent and Accept are curl's to write, as any
client's: the first from the URL, the other two as the suite sent them.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .config import TOKEN_ENV
from .exchange import Request

LEFT_TO_CURL = frozenset({"host", "content-length"})
"""Headers curl writes itself, to the same value: Host from the URL, Content-Length from the body."""
SUPPRESSED = ("Content-Type", "Expect", "Accept", "User-Agent")
"""curl's own headers, sent unless the request names them: emptied when the suite sent none."""
MAX_CUT = 3
"""The most characters a credential made by cutting the token short may lack, to be rebuilt from it."""


@dataclass(frozen=True)
class Rebuilt:
    """A header value rebuilt from the token in the shell: the expression and what it is, in words."""

    shell: str
    said: str | None


def _token_expression(value: str, token: str) -> Rebuilt | None:
    """`value` as a shell word built from `$GRAPH_TOKEN`, when it is made from `token`: the token itself,
    cut short by a few characters, or in the other case, with literal text before and after."""
    variable = "${" + TOKEN_ENV + "}"
    candidates: list[tuple[str, str, str | None]] = [(token, variable, None)]
    candidates += [
        (token[:-cut], "${" + TOKEN_ENV + "%" + "?" * cut + "}", f"the token without its last {cut} character(s)")
        for cut in range(1, MAX_CUT + 1)
        if len(token) > cut
    ]
    if token.swapcase() != token:
        swapped = f"$(printf %s \"{variable}\" | tr 'a-zA-Z' 'A-Za-z')"
        candidates.append((token.swapcase(), swapped, "the token with the case of each letter swapped"))
    for made, expression, how in candidates:
        before, found, after = value.partition(made)
        if not found:
            continue
        words = [how] if how else []
        if after:
            words.append(f"followed by {after!r}" if how else f"the token followed by {after!r}")
        said = ", ".join(words) or None
        return Rebuilt(f'{shlex.quote(before) if before else ""}"{expression}"{shlex.quote(after) if after else ""}', said)
    return None


def _header(name: str, value: str, tokens: Sequence[str], literal: Callable[[str], str]) -> tuple[str, str | None]:
    """One `-H` argument, and what was done to a credential in it, in words."""
    for token in sorted(tokens, key=len, reverse=True):
        rebuilt = _token_expression(value, token)
        if rebuilt is not None:
            return "-H " + shlex.quote(f"{name}: ") + rebuilt.shell, rebuilt.said
    value = literal(value)
    if value == "":
        return "-H " + shlex.quote(f"{name};"), None  # curl's spelling of a header sent empty
    return "-H " + shlex.quote(f"{name}: {value}"), None


def _printable(body: bytes) -> str | None:
    """The body as text a shell word can carry, or None when it holds bytes that are not printable UTF-8."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if all(c.isprintable() or c in "\n\t" for c in text) else None


def _printf(body: bytes) -> str:
    """A printf format that writes `body` byte for byte: printable ASCII as it is, the rest in octal."""
    out = []
    for position, byte in enumerate(body):
        char = chr(byte)
        if char == "-" and position == 0:
            out.append("\\055")  # not an option to printf
        elif char == "%":
            out.append("%%")
        elif char == "\\":
            out.append("\\\\")
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "printf " + shlex.quote("".join(out))


@dataclass(frozen=True)
class Transfer:
    """One request as curl arguments: what a credential in it was made of, in words, the arguments, and
    the body as a printf command when it is not printable text (fed to curl from elsewhere)."""

    notes: list[str]
    arguments: list[str]
    printf: str | None


def _transfer(request: Request, tokens: Sequence[str], literal: Callable[[str], str]) -> Transfer:
    names = {name.lower() for name, _ in request.headers}
    parts = ["-sS", "-i", "--http1.1", "--globoff", "--path-as-is", "-X", shlex.quote(request.method), shlex.quote(request.url)]
    notes = []
    for name, value in request.headers:
        if name.lower() in LEFT_TO_CURL:
            continue
        argument, said = _header(name, value, tokens, literal)
        parts.append(argument)
        if said:
            notes.append(f"# {name}: {said}")
    parts += [f"-H '{name}:'" for name in SUPPRESSED if name.lower() not in names]
    if not (request.body or "content-length" in names or "transfer-encoding" in names):
        return Transfer(notes, parts, None)
    text = _printable(request.body)
    if text is not None:
        return Transfer(notes, [*parts, "--data-raw", shlex.quote(text)], None)
    return Transfer(notes, parts, _printf(request.body))


def curl(request: Request, tokens: Sequence[str] = (), literal: Callable[[str], str] = str) -> list[str]:
    """The lines that re-send `request`: comments saying what a credential was made of, then the
    command. `tokens` are the run's own tokens, which the command takes from $GRAPH_TOKEN; a header
    value that is not made from one is printed as `literal` makes it (redacted, in a report)."""
    transfer = _transfer(request, tokens, literal)
    if transfer.printf is None:
        return [*transfer.notes, " ".join(["curl", *transfer.arguments])]
    return [*transfer.notes, " ".join([transfer.printf, "|", "curl", *transfer.arguments, "--data-binary", "@-"])]


def curl_together(requests: Sequence[Request], tokens: Sequence[str] = (), literal: Callable[[str], str] = str) -> list[str]:
    """One curl command that sends `requests` together, each transfer exactly as `curl` sends it alone:
    `--parallel --parallel-immediate` opens a connection for each at once. A body that is not text comes
    from its printf by process substitution (bash), as there is only one standard input to share."""
    transfers = [_transfer(request, tokens, literal) for request in requests]
    arguments = [
        " ".join([*t.arguments, *(["--data-binary", f"@<({t.printf})"] if t.printf is not None else [])]) for t in transfers
    ]
    notes = [f"{note} (transfer {number})" for number, t in enumerate(transfers, 1) for note in t.notes]
    return [*notes, f"curl --parallel --parallel-immediate --parallel-max {len(requests)} " + " --next ".join(arguments)]
