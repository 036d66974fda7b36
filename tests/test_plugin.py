"""The plugin's own rules: collection coverage, redaction, report locations, option errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conformance.catalogue import REQUIREMENTS, Level
from conformance.collection import coverage_problems
from conformance.redaction import MASK, Redactor

from .conftest import SUITE
from .inprocess import run_pytest

ALL = {f"t[{r.id}]": [r.id] for r in REQUIREMENTS}


def test_the_real_suite_covers_the_catalogue() -> None:
    assert coverage_problems(ALL, complete=True) == []


def test_a_test_naming_no_requirement_is_a_collection_error() -> None:
    assert coverage_problems({**ALL, "t_orphan": []}, complete=True) == ["t_orphan names no requirement (@pytest.mark.requirement)"]


def test_an_unknown_requirement_is_a_collection_error() -> None:
    assert coverage_problems({"t": ["SYNC-NOPE"]}, complete=False) == ["t names unknown requirement SYNC-NOPE"]


def test_a_must_without_a_test_is_a_collection_error_unless_the_run_is_narrowed() -> None:
    must = next(r for r in REQUIREMENTS if r.level is Level.MUST)
    partial = {node: ids for node, ids in ALL.items() if ids != [must.id]}
    assert coverage_problems(partial, complete=True) == [f"MUST requirement {must.id} has no test"]
    assert coverage_problems(partial, complete=False) == []


def test_redactor_masks_credential_headers_and_the_token_anywhere() -> None:
    redactor = Redactor(["s3cr3t-token"])
    headers = (("Authorization", "Basic abc"), ("X-Echo", "Bearer s3cr3t-token"), ("Accept", "*/*"))
    assert redactor.headers(headers) == (("Authorization", MASK), ("X-Echo", f"Bearer {MASK}"), ("Accept", "*/*"))
    assert redactor.text('{"debug": "s3cr3t-token"}') == f'{{"debug": "{MASK}"}}'


def test_redacting_twice_changes_nothing_even_for_a_secret_inside_the_mask() -> None:
    redactor = Redactor(["A", "s3cr3t"])
    once = redactor.text("token s3cr3t and A")
    assert once == f"token {MASK} and {MASK}"
    assert redactor.text(once) == once


def test_redactor_output_is_always_writable_as_utf8() -> None:
    assert Redactor().text("lone \ud800 surrogate").encode("utf-8")


@pytest.mark.slow
def test_collection_fails_on_a_suite_test_that_names_no_requirement(tmp_path) -> None:
    """In a fresh interpreter: the stand-in suite changes where the plugin looks for the suite."""
    # A stand-in suite directory: the plugin treats tests under SUITE_DIR as the suite.
    (tmp_path / "conftest.py").write_text(
        "import pathlib\nimport conformance.collection\nconformance.collection.SUITE_DIR = pathlib.Path(__file__).parent\n"
    )
    (tmp_path / "test_suite.py").write_text(
        "import pytest\n\n@pytest.mark.requirement('SYNC-CREATE-201')\ndef test_marked():\n    pass\n\ndef test_orphan():\n    pass\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 4, output
    assert "test_suite.py::test_orphan names no requirement" in output
    assert "MUST requirement SYNC-ID-GUID has no test" in output


def test_a_malformed_application_id_is_a_one_line_usage_error(tmp_path) -> None:
    done = run_pytest([str(SUITE), "--application-id", "{not-a-guid}"], folder=tmp_path)
    assert done.returncode == 4
    assert "--application-id: '{not-a-guid}' is not a GUID" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_a_run_in_this_process_leaves_its_signal_handler_and_hypothesis_home_as_they_were(tmp_path) -> None:
    """The suite's tests run it in their own process (tests/inprocess.py): what a run changes in the
    process (its SIGTERM handler, hypothesis' home folder) is given back when it ends."""
    import signal

    from hypothesis.configuration import set_hypothesis_home_dir, storage_directory

    def ours(signum: int, frame: object) -> None:
        """A handler of this process's own, which a run must leave in place."""

    saved = (signal.signal(signal.SIGTERM, ours), storage_directory(intent_to_write=False).home_directory)
    set_hypothesis_home_dir(tmp_path / "ours")
    try:
        done = run_pytest([str(SUITE), "--collect-only", "-q"], folder=tmp_path)
        after = (signal.getsignal(signal.SIGTERM), storage_directory(intent_to_write=False).home_directory)
    finally:
        signal.signal(signal.SIGTERM, saved[0])
        set_hypothesis_home_dir(saved[1])
    assert done.returncode == 0, done.stdout + done.stderr
    assert after == (ours, tmp_path / "ours")
