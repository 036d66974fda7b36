"""The command line's output piped into a reader that stops early (`| head -1`) ends it quietly."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conformance.cli import EXIT_BROKEN_PIPE

pytestmark = pytest.mark.slow  # every test here starts a process (`make test-fast` leaves them out)

COMMAND = [sys.executable, "-m", "conformance.cli"]


@pytest.mark.parametrize("args", [["requirements"], ["requirements", "--format", "json"], ["--help"]])
def test_a_reader_that_has_gone_before_the_output_is_no_traceback(args: list[str]) -> None:
    """A pipe whose reader is closed before the command writes: every write fails, deterministically."""
    reader, writer = os.pipe()
    process = subprocess.Popen([*COMMAND, *args], stdout=writer, stderr=subprocess.PIPE)
    os.close(reader)
    os.close(writer)
    _, err = process.communicate(timeout=60)
    assert err == b""
    assert process.returncode in (0, EXIT_BROKEN_PIPE)  # argparse's --help swallows the error itself


def test_head_gets_the_first_line_and_nothing_else_is_said() -> None:
    command = " ".join(COMMAND) + " requirements | head -1"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert done.stdout.startswith("SYNC-CREATE-201 ") and done.stdout.count("\n") == 1
    assert done.stderr == ""
