"""The verdict as Markdown, for CI step summaries and pull-request comments.

The same rows as the HTML report's summary (`Reporter.pytest_html_results_summary`): the verdict and
its reason, the grading note, then per requirement its id, level, verdict, cases judged (of those sent), statement and
reason. Drawn from verdict.json, so it can be written after any run, by the CLI or by the plugin.

Every value is shown as plain text, like the HTML report shows it: the characters that Markdown (or
GitHub's dialect) would read as table syntax, emphasis, code, links, math or HTML are written as
character references, a line break as `<br>`, and any other control character escaped as
`text.shown` writes it, so a reason quoting a server's answer can neither break the table, nor format
itself, nor act on the terminal the summary is printed on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .contract import PROVENANCE
from .files import write_text
from .grading import grading
from .text import shown

TITLE = "Create synchronization: conformance verdict"
ACTIVE = "&<>|\\`*_[]~$"
"""Characters Markdown may read as syntax inside a table cell ('&' first: it starts a reference)."""
_PLAIN = str.maketrans({character: f"&#{ord(character)};" for character in ACTIVE})
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def plain(value: object) -> str:
    """`value` as text that Markdown shows as it is, on one line, and that a terminal it is printed
    on shows as it reads: any other control character escaped (`text.shown`)."""
    return shown(_LINE_BREAK.sub("<br>", str(value).translate(_PLAIN)))


def markdown(verdict: dict[str, Any]) -> str:
    """The summary of one verdict.json document."""
    target = verdict.get("target", {})
    suite = verdict.get("suite", {})
    facts = [
        f"target {plain(target.get('base_url', '?'))}" + (" (embedded reference server)" if target.get("embedded") else ""),
        f"seed {plain(verdict.get('seed', '?'))}",
        f"{plain(suite.get('name', 'graph-sync-conformance'))} {plain(suite.get('version', '?'))}",
        f"finished {plain(verdict.get('finished', '?'))}",
    ]
    lines = [
        f"### {TITLE}",
        "",
        f"**Verdict: {plain(str(verdict['verdict']).upper())}** ({plain(verdict.get('reason', ''))})",
        "",
        f"**Grading.** {plain(grading(bool(verdict.get('configuration', {}).get('strict'))))}. {plain(PROVENANCE)}",
        "",
        " · ".join(facts),
        "",
        "| Requirement | Level | Verdict | Cases judged | Statement | Reason |",
        "|---|---|---|---:|---|---|",
    ]
    for row in verdict["requirements"]:
        cases = f"{row.get('judged', row.get('cases', 0))} of {row.get('cases', 0)}"
        cells = [row["id"], row["level"], row["outcome"].upper(), cases, row.get("statement", ""), row.get("reason", "")]
        lines.append("| " + " | ".join(plain(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def write(verdict: dict[str, Any], path: Path) -> None:
    """Write the summary to `path` (what `--summary FILE` does at the end of a run), whole or not at
    all; UnusableFile when it cannot be written."""
    write_text(path, markdown(verdict))
