"""A nightly template's job, run on this machine as its CI would run it, one night at a time.

Every shell step is the template's own text, read from its YAML and run by the shell its CI would
use. Only what needs the network or a CI service has a stand-in, on PATH ahead of the rest:

- the install (GitHub's step `install`, GitLab's `before_script`) is not run: the suite these tests
  run from, this interpreter's `bin`, is on PATH instead, as the install would put it;
- `graph-sync-conformance run` is tests/stand_ins/suite_run.py: it writes the night's recorded
  verdict.json to the reports folder it is given and exits with the night's exit code; every other
  command (`summary`, `diff`) is the real one;
- GitHub's actions are played here (the previous night's artifact is put where the download would
  put it; the upload is where the reports are kept), GitLab's artifacts API by tests/stand_ins/curl.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .conftest import REPO

GITHUB = REPO / "docs" / "ci" / "github-nightly.yml"
GITLAB = REPO / "docs" / "ci" / "gitlab-nightly.yml"
STAND_INS = Path(__file__).resolve().parent / "stand_ins"
SUITE_BIN = Path(sys.executable).parent
"""Where this interpreter's console scripts are: the suite under test, installed (`make install`)."""
SECRETS = {
    "CONFORMANCE_BASE_URL": "https://sync.example.com/beta",
    "APPLICATION_ID": "00000000-0000-0000-0000-000000000001",
    "GRAPH_TOKEN": "a-token",
}
CLIENT_CREDENTIALS = {"GRAPH_TENANT_ID": "tenant-guid", "GRAPH_CLIENT_ID": "client-guid", "GRAPH_CLIENT_SECRET": "a-secret"}
GITHUB_SHELLS = {"bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"]}
"""GitHub's `shell:` keywords as its runner expands them on Linux."""
GITHUB_DEFAULT_SHELL = ["bash", "-e"]
"""A `run` step's shell when neither the step nor the workflow names one."""
GITLAB_SHELLS = {"bash": ["bash", "-eo", "pipefail"], "sh": ["sh", "-e"]}
"""How GitLab's runner runs a script: bash where the image has it, else a POSIX sh."""


@dataclass(frozen=True)
class Night:
    previous: dict[str, Any] | None
    """The verdict the previous night kept; None: the first night."""
    tonight: dict[str, Any] | None
    """The verdict tonight's run writes; None: it writes none (a usage error)."""
    exit_code: int
    """What tonight's run exits with."""
    secrets: dict[str, str]


@dataclass(frozen=True)
class Job:
    status: int
    """0 when the job passed, else the exit code of the step that failed it."""
    log: str
    summary: str
    """What the job leaves for a reader: GitHub's job summary, GitLab's reports/nightly.md."""
    kept: Path
    """The folder kept as the artifact the next night reads."""
    run_args: list[str] | None
    """The options `graph-sync-conformance run` was given; None when it was not run."""
    asked: list[str]
    """The URLs fetched with curl."""


def github(night: Night, workspace: Path, shell: list[str] | None = None) -> Job:
    """The workflow's one job: its `run` steps in order under the workflow's shell (or `shell`), each
    with the env GitHub gives it, GITHUB_ENV read back after each, a failed step skipping the rest but
    the `always()` ones."""
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    [job] = workflow["jobs"].values()
    shell = shell or GITHUB_SHELLS.get(workflow.get("defaults", {}).get("run", {}).get("shell"), GITHUB_DEFAULT_SHELL)
    env = _environment(night, workspace) | workflow.get("env", {}) | job.get("env", {})
    env |= {"GITHUB_WORKSPACE": str(workspace), "GITHUB_STEP_SUMMARY": str(workspace.parent / "step-summary.md")}
    status, log, kept = 0, [], workspace
    for step in job["steps"]:
        if status and step.get("if") != "always()":
            continue
        assert step.get("if") in (None, "always()"), f"a condition not played here: {step['if']}"
        action = str(step.get("uses", "")).split("@")[0]
        if action == "dawidd6/action-download-artifact":
            if night.previous is not None:
                _write(workspace / step["with"]["path"] / "verdict.json", night.previous)
        elif action == "actions/upload-artifact":
            kept = workspace / step["with"]["path"]
        elif action:
            assert action == "actions/setup-python", f"an action not played here: {action}"
        elif step.get("id") != "install":
            step_env = {name: _secret(value, night.secrets) for name, value in step.get("env", {}).items()}
            env_file = workspace.parent / "github-env"
            env_file.write_text("", encoding="utf-8")
            done = _bash(shell, step["run"], workspace, env | step_env | {"GITHUB_ENV": str(env_file)})
            log.append(done.stdout)
            status = status or done.returncode
            env |= dict(line.split("=", 1) for line in env_file.read_text(encoding="utf-8").splitlines())
    return _job(status, "".join(log), workspace.parent / "step-summary.md", kept, workspace)


def gitlab(night: Night, workspace: Path, shell: str = "bash") -> Job:
    """The job's `script` as GitLab's runner runs it: its entries one after another in one shell that
    stops at the first failure, with the job's variables, the CI ones and the project's (the secrets)."""
    config = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    [(name, job)] = [(key, value) for key, value in config.items() if isinstance(value, dict) and "script" in value]
    env = _environment(night, workspace) | night.secrets | job.get("variables", {})
    env |= {
        "CI_JOB_NAME": name,
        "CI_JOB_TOKEN": "job-token",
        "CI_API_V4_URL": "https://gitlab.example.com/api/v4",
        "CI_PROJECT_ID": "42",
        "CI_COMMIT_REF_NAME": "main",
    }
    done = _bash(GITLAB_SHELLS[shell], "\n".join(job["script"]), workspace, env)
    [kept] = job["artifacts"]["paths"]
    return _job(done.returncode, done.stdout, workspace / "reports" / "nightly.md", workspace / kept, workspace)


def _environment(night: Night, workspace: Path) -> dict[str, str]:
    """This process's environment without anything a CI or a run would read, and the stand-ins first on PATH."""
    stand_ins = workspace.parent / "bin"
    stand_ins.mkdir()
    shutil.copy(STAND_INS / "suite_run.py", stand_ins / "graph-sync-conformance")
    shutil.copy(STAND_INS / "curl.py", stand_ins / "curl")
    for program in stand_ins.iterdir():
        program.chmod(0o755)
    recorded: dict[str, Any] = {"previous": night.previous, "tonight": night.tonight, "exit_code": night.exit_code}
    recorded |= {"suite": str(SUITE_BIN / "graph-sync-conformance"), "log": str(workspace.parent / "stand-ins.jsonl")}
    (stand_ins / "night.json").write_text(json.dumps(recorded), encoding="utf-8")
    unread = re.compile(r"GITHUB_|GITLAB_|CI_|GRAPH_|CONFORMANCE_|PYTEST_")
    env = {key: value for key, value in os.environ.items() if not unread.match(key)}
    return env | {"PATH": os.pathsep.join([str(stand_ins), str(SUITE_BIN), env.get("PATH", "")])}


def _secret(value: str, secrets: dict[str, str]) -> str:
    """A step's env value, with `${{ secrets.NAME }}` as GitHub fills it in (empty when unset)."""
    expression = re.fullmatch(r"\$\{\{\s*secrets\.(\w+)\s*\}\}", value)
    assert expression or "${{" not in value, f"an expression not played here: {value}"
    return secrets.get(expression[1], "") if expression else value


def _bash(shell: list[str], script: str, workspace: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    path = workspace.parent / "step.sh"
    path.write_text(script, encoding="utf-8")
    return subprocess.run(
        [*shell, str(path)], cwd=workspace, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60
    )


def _write(path: Path, verdict: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(verdict, indent=2), encoding="utf-8")


def _job(status: int, log: str, summary: Path, kept: Path, workspace: Path) -> Job:
    log_file = workspace.parent / "stand-ins.jsonl"
    calls = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()] if log_file.exists() else []
    runs = [call["args"] for call in calls if call["program"] == "graph-sync-conformance"]
    assert len(runs) <= 1, "the suite ran more than once"
    summary_text = summary.read_text(encoding="utf-8") if summary.exists() else ""
    asked = [call["args"] for call in calls if call["program"] == "curl"]
    return Job(status, log, summary_text, kept, runs[0] if runs else None, [url for args in asked for url in args if "://" in url])
