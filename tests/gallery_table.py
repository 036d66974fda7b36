"""The gallery as a table for docs/gallery.md: each server, what catches it, and how soon.

"Cases needed" is how many cases the catching requirement judged, with the default seed and
budget, when it first failed: it says how deep a defect hides. A test keeps docs/gallery.md equal
to what this measures; `python -m tests.gallery_table` rewrites it.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from pathlib import Path

from conformance.catalogue import BY_ID
from conformance.client import Client, ClientSettings
from conformance.config import DEFAULT_MAX_EXAMPLES, DEFAULT_SEED, default_application_ids, refused_tokens
from conformance.failure import RequirementFailed
from conformance.generation import Generator
from conformance.probes import make_probes
from conformance.prover import Campaign, ProofSettings, Prover
from conformance.server import BackgroundServer

from .servers import BROKEN, UNUSUAL, Variant

DOC = Path(__file__).resolve().parent.parent / "docs" / "gallery.md"
START, END = "<!-- gallery:start -->", "<!-- gallery:end -->"
TOKEN = "gallery-table-token"


def summary(behaviour: type[Variant]) -> str:
    return (inspect.getdoc(behaviour) or "").splitlines()[0]


def cases_needed(behaviour: type[Variant]) -> int:
    """Cases the requirement `behaviour` breaks judged before failing, as a default run would."""
    server = behaviour(token=TOKEN)
    with BackgroundServer(server.app(), server.base_path) as background:
        client = Client(ClientSettings(background.url, TOKEN))
        probes = make_probes(Generator(default_application_ids(DEFAULT_SEED)), TOKEN, refused_tokens(TOKEN))
        prover = Prover(Campaign(client, probes, ProofSettings(DEFAULT_MAX_EXAMPLES, DEFAULT_SEED)))
        try:
            prover.prove(BY_ID[str(behaviour.breaks)])
        except RequirementFailed as failure:
            return failure.found_after
        finally:
            client.close()
    raise AssertionError(f"{behaviour.__name__} was not caught by {behaviour.breaks}")


def table(needed: Callable[[type[Variant]], int] = cases_needed) -> str:
    """`needed`: how many cases a server's requirement judged before it first failed (by default
    measured here; the gallery's test reads it from the gallery's own runs)."""
    rows = ["| server | behaviour | caught by | level | cases needed |", "|---|---|---|---|---|"]
    for b in BROKEN:
        rid = str(b.breaks)
        rows.append(f"| `{b.__name__}` | {summary(b)} | {rid} | {BY_ID[rid].level} | {needed(b)} |")
    rows += ["", "| server (correct but unusual) | behaviour | verdict |", "|---|---|---|"]
    rows += [f"| `{b.__name__}` | {summary(b)} | passes every requirement |" for b in UNUSUAL]
    return "\n".join(rows)


def documented() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index(START) + len(START) : text.index(END)].strip()


if __name__ == "__main__":
    text = DOC.read_text(encoding="utf-8")
    DOC.write_text(text[: text.index(START) + len(START)] + "\n" + table() + "\n" + text[text.index(END) :], encoding="utf-8")
    sys.exit(0)
