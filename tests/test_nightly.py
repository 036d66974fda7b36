"""The nightly templates: the GitHub one fetches the previous *completed* run's verdict (not the
current run's, which has none), and its shell steps are valid bash."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
import yaml

from .conftest import REPO

GITHUB = REPO / "docs" / "ci" / "github-nightly.yml"
# dawidd6/action-download-artifact's documented inputs (its action.yml, v6): a key it does not know
# is silently ignored by the runner, which is how a misspelt option would go unnoticed.
DOWNLOAD_INPUTS = {
    "github_token", "workflow", "workflow_search", "workflow_conclusion", "repo", "pr", "commit", "branch", "event",
    "run_id", "run_number", "name", "name_is_regexp", "path", "allow_forks", "check_artifacts", "search_artifacts",
    "skip_unpack", "dry_run", "if_no_artifact_found", "use_unzip", "merge_multiple",
}  # fmt: skip


def steps() -> list[dict[str, Any]]:
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    return workflow["jobs"]["certify"]["steps"]


def step_using(action: str) -> dict[str, Any]:
    [step] = [s for s in steps() if str(s.get("uses", "")).startswith(action + "@")]
    return step


def test_the_previous_verdict_is_the_last_completed_run_that_kept_its_reports() -> None:
    download = step_using("dawidd6/action-download-artifact")
    options = download["with"]
    assert set(options) <= DOWNLOAD_INPUTS
    # "completed": a run still in progress (this one) is passed over; an empty value would pick it.
    assert options["workflow_conclusion"] == "completed"
    # Runs that uploaded nothing (cancelled before the upload) are passed over too.
    assert options["search_artifacts"] is True
    assert options["name"] == step_using("actions/upload-artifact")["with"]["name"]
    # The workflow it searches is this one, under the name the header tells users to save it as.
    saved_as = re.match(r"# \.github/workflows/(\S+):", GITHUB.read_text(encoding="utf-8"))
    assert saved_as and options["workflow"] == saved_as[1]
    # The first night has no artifact: a warning, not a failure hidden by continue-on-error.
    assert options["if_no_artifact_found"] == "warn" and "continue-on-error" not in download
    diff = next(s["run"] for s in steps() if "graph-sync-conformance diff" in s.get("run", ""))
    assert f"{options['path']}/verdict.json reports/verdict.json" in diff


@pytest.mark.parametrize("script", [s["run"] for s in steps() if "run" in s], ids=[s["name"] for s in steps() if "run" in s])
def test_every_shell_step_is_valid_bash(script: str) -> None:
    assert "${{" not in script, "expressions go through env:, not into the script's text"
    done = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
