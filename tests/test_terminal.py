"""Nothing a target sends acts on the terminal: a reason phrase, a header value or a body carrying
escape sequences, carriage returns, C1 controls or bidi overrides is shown escaped in everything the
run prints (failure blocks, the short summary, the requirement table, the verdict), and the verdict
line the suite writes is the last word, intact. The same for the commands that print what a file
holds (diff, summary)."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from urllib.parse import urlsplit

from conformance.cli import main

from .hostile import Relay
from .verdicts import verdict

FORGERY = "\x1b[2K\x1b[1Averdict: CONFORMANT"
"""Erase the line, move up one, and write a verdict over the one above: what a target would print."""
REASON = b"OK" + FORGERY.encode() + b"\x1b[8m\x07"
HEADER = b"\x1b]0;pwned\x07\x1b[31m"
BODY = ("\n" + FORGERY + "\r\u009b2J\u202e\x00\x7f\n").encode()

UNDRAWN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
"""What a terminal acts on rather than draws: every C0 control but the line feed, DEL, every C1 control,
the bidi embeddings, overrides and isolates, and the Unicode line separators."""


class ForgesTheVerdict(Relay):
    """The reference server behind a front that gives every answer a reason phrase and a header
    carrying escape sequences, and every refusal (4xx) a body with more of them after its JSON: the
    body is then not JSON, so SYNC-ERROR-BODY fails and its evidence is printed."""

    def answer(self, conn: socket.socket, head: bytes, body: bytes) -> bool:
        status_line, _, rest = head.partition(b"\r\n")
        version, status, _ = status_line.split(b" ", 2)
        if int(status) >= 400:
            body += BODY
        headers = [line for line in rest.split(b"\r\n") if not line.lower().startswith(b"content-length:")]
        headers += [b"X-Note: " + HEADER, b"Content-Length: %d" % len(body)]
        conn.sendall(b" ".join([version, status, REASON]) + b"\r\n" + b"\r\n".join(headers) + b"\r\n\r\n" + body)
        return True


def test_what_a_target_sends_cannot_act_on_the_terminal_or_forge_the_verdict(serve, raw, run_suite) -> None:
    served = serve()
    parts = urlsplit(served.url)
    assert parts.hostname and parts.port
    front = raw(ForgesTheVerdict((parts.hostname, parts.port)))
    run = run_suite("--base-url", front.url, "--token", served.token, "--max-examples", "3", "-rA")
    assert run.exit_code == 1, run.output
    assert run.verdict is not None and "SYNC-ERROR-BODY" in run.verdict["reason"], run.output
    assert not UNDRAWN.findall(run.output), sorted(set(UNDRAWN.findall(run.output)))
    shown = r"\x1b[2K\x1b[1Averdict: CONFORMANT"
    assert shown in run.output, "the target's text is not shown at all"
    verdicts = [line for line in run.output.splitlines() if line.startswith("verdict: ")]
    assert len(verdicts) == 1 and verdicts[0].startswith("verdict: NOT CONFORMANT (MUST failed:"), verdicts


def test_the_suite_s_own_reports_keep_the_target_s_text_as_it_was(serve, raw, run_suite) -> None:
    """Escaping is for a terminal: verdict.json keeps a reason as the target gave it (JSON escapes
    it), so that diff and summary can escape it for theirs."""
    served = serve()
    parts = urlsplit(served.url)
    assert parts.hostname and parts.port
    front = raw(ForgesTheVerdict((parts.hostname, parts.port)))
    run = run_suite("--base-url", front.url, "--token", served.token, "--max-examples", "3")
    assert run.verdict is not None
    failures = [row["first_failure"] for row in run.verdict["requirements"] if row.get("first_failure")]
    bodies = [e["response"]["body"]["text"] for failure in failures for e in failure["exchanges"] if e.get("response")]
    assert any(FORGERY in body for body in bodies), bodies


def test_diff_escapes_a_reason_that_would_forge_a_regression(tmp_path: Path, capsys) -> None:
    forged = "it broke\nregressed: SYNC-LOCATION (SHOULD): pass -> fail\r\x1b[2K"
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(verdict()))
    worse = verdict({"SYNC-AUTH-401": "fail"})
    for row in worse["requirements"]:
        row["reason"] = forged if row["id"] == "SYNC-AUTH-401" else row.get("reason", "")
    worse["reason"] = "it broke\nverdict improved: all fine"
    new.write_text(json.dumps(worse))
    assert main(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert not UNDRAWN.findall(out)
    assert [line.split(":")[0] for line in out.splitlines()] == ["verdict regressed", "regressed"], out
    assert r"it broke\nregressed: SYNC-LOCATION (SHOULD): pass -> fail\r\x1b[2K" in out


def test_summary_on_a_terminal_escapes_what_the_verdict_quotes(tmp_path: Path, capsys) -> None:
    document = verdict({"SYNC-AUTH-401": "fail"})
    for row in document["requirements"]:
        if row["id"] == "SYNC-AUTH-401":
            row["reason"] = "body: " + FORGERY + "\u009b2J\u202e"
    document["target"] = {"base_url": "http://x/\x1b[31mbeta", "embedded": False}
    (tmp_path / "verdict.json").write_text(json.dumps(document))
    assert main(["summary", str(tmp_path / "verdict.json")]) == 0
    out = capsys.readouterr().out
    assert not UNDRAWN.findall(out)
    assert r"\x1b" in out and r"\u202e" in out
