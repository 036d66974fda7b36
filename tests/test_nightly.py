"""The nightly templates: they install the suite as a package, pinned, wherever they are copied; the
GitHub one fetches the previous *completed* run's verdict (not the current run's, which has none);
and their shell steps, run here as their CI would run them (tests/nightly_job.py), fail a night on a
regression with the comparison in the summary, pass a steady night, make the first night the
baseline, and fail a night with no verdict with the suite's own exit code."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.catalogue import REQUIREMENTS, Level
from conformance.diff import compare
from conformance.summary import TITLE

from .conftest import verdict_validator
from .nightly_job import CLIENT_CREDENTIALS, GITHUB, GITHUB_DEFAULT_SHELL, GITLAB, SECRETS, Job, Night, github, gitlab
from .verdicts import verdict

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


MUST = next(r.id for r in REQUIREMENTS if r.level is Level.MUST)
CONFORMANT = verdict()
NOT_CONFORMANT = verdict({MUST: "fail"})
INCOMPLETE = verdict(judged=[r.id for r in REQUIREMENTS[:3]])
PINNED = re.compile(r"graph-sync-conformance( @ git\+https://\S+@v?\d\S*|==\d\S*)")
"""The suite as pip installs it: a tag of its repository, or a release of a package index."""


def test_the_recorded_verdicts_are_what_a_run_writes() -> None:
    for document, verdict_is in [(CONFORMANT, "conformant"), (NOT_CONFORMANT, "not conformant"), (INCOMPLETE, "incomplete")]:
        assert not [error.message for error in verdict_validator().iter_errors(document)]
        assert document["verdict"] == verdict_is


def test_the_templates_install_the_suite_pinned_and_need_nothing_of_its_repository() -> None:
    """`make install` exists only in the suite's repository: copied elsewhere, the job must install a package."""
    workflow, config = (yaml.safe_load(path.read_text(encoding="utf-8")) for path in (GITHUB, GITLAB))
    [job] = workflow["jobs"].values()
    [install] = [step for step in job["steps"] if step.get("id") == "install"]
    [(_, gitlab_job)] = [(key, value) for key, value in config.items() if isinstance(value, dict) and "script" in value]
    assert install["run"] == 'python -m pip install --quiet "$CONFORMANCE_SUITE"'
    assert gitlab_job["before_script"] == [install["run"]]
    assert PINNED.fullmatch(workflow["env"]["CONFORMANCE_SUITE"]) and "OWNER/" in workflow["env"]["CONFORMANCE_SUITE"]
    assert gitlab_job["variables"]["CONFORMANCE_SUITE"] == workflow["env"]["CONFORMANCE_SUITE"]
    for path in (GITHUB, GITLAB):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\bmake\b|\.venv|actions/checkout", text), f"{path.name} needs the suite's repository"
        header = "".join(re.findall(r"\A(?:#.*\n)+", text))
        assert "CONFORMANCE_SUITE" in header and "OWNER" in header, f"{path.name}'s header says what to edit"


TEMPLATES = pytest.mark.parametrize("template", [github, gitlab], ids=["github", "gitlab"])
Template = Callable[[Night, Path], Job]


def _workspace(tmp_path: Path) -> Path:
    workspace = tmp_path / "workspace"
    workspace.mkdir(parents=True)
    return workspace


@pytest.mark.slow
@TEMPLATES
def test_a_regression_fails_the_night_with_the_comparison_in_the_summary(template: Template, tmp_path: Path) -> None:
    job = template(Night(CONFORMANT, NOT_CONFORMANT, 1, SECRETS), _workspace(tmp_path))
    assert job.status == 1, job.log
    comparison = compare(CONFORMANT, NOT_CONFORMANT).lines()
    assert comparison and all(line in job.summary.splitlines() for line in comparison), job.summary
    assert all(line in job.log for line in comparison)
    assert f"### {TITLE}" in job.summary  # tonight's verdict, above the comparison
    assert job.run_args == ["run", "--reports", "reports", "--base-url", SECRETS["CONFORMANCE_BASE_URL"],
                            "--application-id", SECRETS["APPLICATION_ID"]]  # fmt: skip


@pytest.mark.slow
@TEMPLATES
def test_a_steady_night_passes_with_the_verdict_in_the_summary(template: Template, tmp_path: Path) -> None:
    """Still, but no more, not conformant (the run exits 1): nothing got worse. With client credentials."""
    job = template(Night(NOT_CONFORMANT, NOT_CONFORMANT, 1, SECRETS | CLIENT_CREDENTIALS), _workspace(tmp_path))
    assert job.status == 0, job.log
    assert f"### {TITLE}" in job.summary and "\nnothing changed\n" in job.summary
    assert job.run_args and job.run_args[-4:] == ["--tenant-id", "tenant-guid", "--client-id", "client-guid"]


@pytest.mark.slow
@TEMPLATES
def test_the_first_night_passes_and_is_kept_as_the_baseline(template: Template, tmp_path: Path) -> None:
    job = template(Night(None, CONFORMANT, 0, SECRETS), _workspace(tmp_path))
    assert job.status == 0, job.log
    assert "no previous verdict: this run is the baseline" in job.summary and f"### {TITLE}" in job.summary
    assert json.loads((job.kept / "verdict.json").read_text(encoding="utf-8")) == CONFORMANT  # what the next night reads


@pytest.mark.slow
@TEMPLATES
@pytest.mark.parametrize(("exit_code", "tonight"), [(3, INCOMPLETE), (4, None)], ids=["no-verdict", "usage-error"])
def test_a_night_with_no_verdict_fails_with_the_suite_s_exit_code(
    template: Template, tmp_path: Path, exit_code: int, tonight: dict[str, Any] | None
) -> None:
    """3 no verdict, 4 usage error (README: "Verdicts and exit codes"): no comparison, whatever the previous night."""
    job = template(Night(CONFORMANT, tonight, exit_code, SECRETS), _workspace(tmp_path))
    assert job.status == exit_code, job.log
    assert f"no verdict to compare: the suite exited {exit_code}" in job.log
    assert "Against the previous night" not in job.summary


@pytest.mark.slow
def test_a_regression_fails_the_night_under_the_other_shells_too(tmp_path: Path) -> None:
    """GitHub's shell when a workflow names none (bash -e, no pipefail); GitLab's on an image without bash."""
    night = Night(CONFORMANT, NOT_CONFORMANT, 1, SECRETS)
    comparison = compare(CONFORMANT, NOT_CONFORMANT).lines()
    for name, job in [
        ("github", github(night, _workspace(tmp_path / "github"), GITHUB_DEFAULT_SHELL)),
        ("gitlab", gitlab(night, _workspace(tmp_path / "gitlab"), "sh")),
    ]:
        assert job.status == 1, f"{name}: {job.log}"
        assert all(line in job.summary.splitlines() for line in comparison), f"{name}: {job.summary}"


@pytest.mark.slow
def test_gitlab_asks_for_the_previous_verdict_of_this_job_on_this_branch(tmp_path: Path) -> None:
    job = gitlab(Night(CONFORMANT, CONFORMANT, 0, SECRETS), _workspace(tmp_path))
    assert job.status == 0, job.log
    assert job.asked == [
        "https://gitlab.example.com/api/v4/projects/42/jobs/artifacts/main/raw/reports/verdict.json?job=conformance-nightly"
    ]
