"""The Markdown summary: the verdict, the grading note and one row per requirement of verdict.json,
read back through a Markdown parser (CommonMark with GFM tables) to the very same text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from conformance.catalogue import REQUIREMENTS
from conformance.cli import main
from conformance.contract import PROVENANCE
from conformance.grading import Outcome, Row, decide, grading
from conformance.summary import markdown
from conformance.verdict import document

HOSTILE = "a | b \\| c\nnext line\r\n`code` *em* _u_ [l](http://x) <script>alert(1)</script> ~~s~~ $x$ &amp; \\"


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _shown(inline: Any) -> str:
    """What a reader sees of one inline run: its text, a `<br>` as a line break; nothing else allowed."""
    parts = []
    for child in inline.children:
        if child.type == "html_inline":
            assert child.content == "<br>", f"HTML in the summary: {child.content!r}"
            parts.append("\n")
        else:
            assert child.type == "text", f"Markdown syntax took effect: {child.type} in {inline.content!r}"
            parts.append(child.content)
    return "".join(parts)


def table(text: str) -> list[list[str]]:
    """The summary table's body rows, each cell as a reader sees it."""
    tokens = parser().parse(text)
    rows: list[list[str]] = []
    in_body = False
    for token in tokens:
        if token.type in ("tbody_open", "tbody_close"):
            in_body = token.type == "tbody_open"
        elif token.type == "tr_open" and in_body:
            rows.append([])
        elif token.type == "inline" and in_body:
            rows[-1].append(_shown(token))
    return rows


def paragraphs(text: str) -> list[str]:
    tokens = parser().parse(text)
    return [_plain_paragraph(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "paragraph_open"]


def _plain_paragraph(inline: Any) -> str:
    return "".join(c.content for c in inline.children if c.type in ("text", "html_inline"))


def expected_rows(verdict: dict[str, Any]) -> list[list[str]]:
    return [
        [r["id"], r["level"], r["outcome"].upper(), f"{r['judged']} of {r['cases']}", r["statement"], r["reason"].replace("\r\n", "\n")]
        for r in verdict["requirements"]
    ]


def hostile_verdict() -> dict[str, Any]:
    rows = {r.id: Row(r.id, Outcome.PASS, cases=3, judged=3) for r in REQUIREMENTS}
    first = REQUIREMENTS[0].id
    rows[first] = Row(first, Outcome.FAIL, reason=HOSTILE, cases=7, judged=2)
    header = {"target": {"base_url": "http://127.0.0.1:8000/beta", "embedded": False}, "seed": 5, "finished": "2026-11-25T14:10:25Z"}
    return document(decide(rows, None), header)


def test_rows_equal_verdict_json_requirements_whatever_the_reasons_hold() -> None:
    verdict = hostile_verdict()
    text = markdown(verdict)
    assert table(text) == expected_rows(verdict)
    assert "<script" not in parser().render(text)


def test_it_leads_with_the_verdict_and_the_grading_note() -> None:
    verdict = hostile_verdict()
    shown = paragraphs(markdown(verdict))
    assert shown[0] == f"Verdict: NOT CONFORMANT (MUST failed: {REQUIREMENTS[0].id})"
    assert shown[1] == f"Grading. {grading(False)}. {PROVENANCE}"
    assert shown[2] == "target http://127.0.0.1:8000/beta · seed 5 · graph-sync-conformance ? · finished 2026-11-25T14:10:25Z"


def test_the_cli_prints_or_writes_it(tmp_path: Path, capsys) -> None:
    path = tmp_path / "verdict.json"
    path.write_text(json.dumps(hostile_verdict()))
    assert main(["summary", str(path)]) == 0
    printed = capsys.readouterr().out
    assert table(printed) == expected_rows(hostile_verdict())
    assert main(["summary", str(path), "-o", str(tmp_path / "out" / "summary.md")]) == 0
    assert (tmp_path / "out" / "summary.md").read_text(encoding="utf-8") == printed


@pytest.mark.parametrize("content", ["{", "[]", '{"verdict": "conformant", "requirements": [{"id": 1}]}'])
def test_a_file_that_is_not_a_verdict_is_a_one_line_usage_error(tmp_path: Path, capsys, content: str) -> None:
    (tmp_path / "v.json").write_text(content)
    assert main(["summary", str(tmp_path / "v.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("graph-sync-conformance summary: ") and err.count("\n") == 1
