"""The GitHub Action: action.yml hands every input to scripts/github-action.sh, and the script, run here
with the environment a runner gives it, exits with the run's exit code and writes the verdict's
summary and the step's outputs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conformance.verification import verify

from .conftest import REPO
from .servers import DropsLastSecret
from .test_summary import expected_rows, paragraphs, table

pytestmark = pytest.mark.slow  # every test here starts a process (`make test-fast` leaves them out)

SCRIPT = REPO / "scripts" / "github-action.sh"
ACTION = REPO / "action.yml"


@dataclass(frozen=True)
class Step:
    exit_code: int
    log: str
    summary: str
    outputs: dict[str, str]
    workspace: Path

    def verdict(self) -> dict[str, Any]:
        return json.loads((self.workspace / self.outputs["reports"] / "verdict.json").read_text(encoding="utf-8"))


def run_step(workspace: Path, token: str | None = None, **inputs: str) -> Step:
    """The action's run step as a runner executes it: its inputs as INPUT_*, the token as GRAPH_TOKEN,
    GITHUB_STEP_SUMMARY and GITHUB_OUTPUT files, the action's checkout and a temporary directory."""
    runner_temp = workspace / "runner-temp"
    runner_temp.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_", "GRAPH_", "PYTEST_BASE_URL"))}
    env |= {
        "GSC_VENV": str(Path(sys.executable).parent.parent),  # the suite is installed here already
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_ACTION_PATH": str(REPO),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(workspace / "step-summary.md"),
        "GITHUB_OUTPUT": str(workspace / "github-output"),
        **({"GRAPH_TOKEN": token} if token else {}),
        **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
    }
    done = subprocess.run(["bash", str(SCRIPT), "run"], cwd=workspace, env=env, capture_output=True, text=True, timeout=300)
    outputs = dict(line.split("=", 1) for line in (workspace / "github-output").read_text().splitlines())
    return Step(done.returncode, done.stdout + done.stderr, (workspace / "step-summary.md").read_text(encoding="utf-8"), outputs, workspace)


def test_against_the_embedded_server_it_passes_and_packs_a_signed_bundle(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    step = run_step(tmp_path, embedded="true", max_examples="10", seed="7", bundle="cert.zip", sign_key=pem)
    assert step.exit_code == 0, step.log
    assert step.outputs == {"exit-code": "0", "verdict": "conformant", "reports": "conformance-reports"}
    verdict = step.verdict()
    assert verdict["seed"] == 7 and verdict["configuration"]["max_examples"] == 10
    assert paragraphs(step.summary)[0] == f"Verdict: CONFORMANT ({verdict['reason']})"
    assert table(step.summary) == expected_rows(verdict)
    result = verify(tmp_path / "conformance-reports" / "cert.zip")
    assert result.problems == [] and result.signer
    assert list((tmp_path / "runner-temp").iterdir()) == []  # the key's file is gone
    assert "PRIVATE KEY" not in step.log + step.summary


def test_against_a_server_that_breaks_a_must_it_fails_with_1(tmp_path: Path, serve) -> None:
    served = serve(DropsLastSecret)
    step = run_step(tmp_path, token=served.token, base_url=served.url, max_examples="10", reports="out")
    assert step.exit_code == 1, step.log
    assert step.outputs == {"exit-code": "1", "verdict": "not conformant", "reports": "out"}
    rows = {row[0]: row for row in table(step.summary)}
    assert rows["SYNC-SECRETS-ECHO"][2] == "FAIL"
    assert paragraphs(step.summary)[0] == "Verdict: NOT CONFORMANT (MUST failed: SYNC-SECRETS-ECHO)"
    assert table(step.summary) == expected_rows(step.verdict())
    reports = [p.read_text(encoding="utf-8", errors="replace") for p in (tmp_path / "out").iterdir()]
    assert not [text for text in [step.log, step.summary, *step.outputs.values(), *reports] if served.token in text]


def test_a_usage_error_exits_4_and_says_there_is_no_verdict(tmp_path: Path) -> None:
    step = run_step(tmp_path, token="t", base_url="notaurl")
    assert step.exit_code == 4, step.log
    assert step.outputs["exit-code"] == "4" and step.outputs["verdict"] == "none"
    assert "**No verdict** (exit 4)" in step.summary


@pytest.mark.parametrize(
    "inputs, said",
    [
        ({"base_url": ""}, "base-url is empty (a missing secret?"),
        ({"base_url": "", "embedded": "false"}, "base-url is empty (a missing secret?"),
        ({"base_url": "https://graph.example/beta", "embedded": "true"}, "name two targets"),
    ],
    ids=["missing-secret", "missing-secret-embedded-false", "both-targets"],
)
def test_an_empty_base_url_is_never_the_embedded_server(inputs: dict[str, str], said: str, tmp_path: Path) -> None:
    """A secret missing (a fork's pull request) gives an empty base-url: refused, no run, no verdict,
    and an earlier run's verdict in the reports folder does not stand for this one."""
    (tmp_path / "conformance-reports").mkdir()
    (tmp_path / "conformance-reports" / "verdict.json").write_text('{"verdict": "conformant"}')
    step = run_step(tmp_path, token="t", product="PRODUCT.yaml", bundle="cert.zip", **inputs)
    assert step.exit_code == 4, step.log
    assert said in step.log and len(step.log.strip().splitlines()) == 1, step.log
    assert step.outputs == {"exit-code": "4", "verdict": "none", "reports": "conformance-reports"}
    assert "**No verdict** (exit 4)" in step.summary
    assert sorted(p.name for p in (tmp_path / "conformance-reports").iterdir()) == []


def test_an_unreachable_target_exits_3_with_an_incomplete_verdict(tmp_path: Path) -> None:
    step = run_step(tmp_path, token="unreachable-token", base_url="http://127.0.0.1:9/beta")
    assert step.exit_code == 3, step.log
    assert step.outputs["verdict"] == "incomplete"
    assert paragraphs(step.summary)[0].startswith("Verdict: INCOMPLETE (target unreachable")


# --- action.yml ----------------------------------------------------------------------------------------


def action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def test_action_yml_is_a_composite_action_whose_shell_steps_are_the_script() -> None:
    spec = action()
    steps = spec["runs"]["steps"]
    assert spec["runs"]["using"] == "composite"
    assert [s.get("uses", "").split("@")[0] or s["run"] for s in steps] == [
        "actions/setup-python",
        'bash "$GITHUB_ACTION_PATH/scripts/github-action.sh" install',
        'bash "$GITHUB_ACTION_PATH/scripts/github-action.sh" run',
        "actions/upload-artifact",
    ]
    assert all(s["shell"] == "bash" for s in steps if "run" in s)
    upload = steps[-1]
    assert upload["if"] == "always()" and upload["with"]["path"] == "${{ inputs.reports }}"


def test_every_input_reaches_the_script_and_every_output_is_written() -> None:
    spec = action()
    text = ACTION.read_text(encoding="utf-8")
    script = SCRIPT.read_text(encoding="utf-8")
    assert not [name for name in spec["inputs"] if "${{ inputs." + name + " }}" not in text]
    [step] = [s for s in spec["runs"]["steps"] if s.get("id") == "run"]
    for variable, value in step["env"].items():
        assert value.startswith("${{ inputs."), variable
        assert variable in script, f"{variable} is not read by the script"
    assert step["env"]["GRAPH_TOKEN"] == "${{ inputs.token }}" and "--token" not in script
    for name, output in spec["outputs"].items():
        assert output["value"] == "${{ steps.run.outputs." + name + " }}"
        assert f'echo "{name}=' in script


def test_the_readme_documents_the_inputs_and_its_example_uses_only_those() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    examples = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "/graph-sync-conformance@" in block]
    assert examples, "no `uses:` example in the README"
    declared = set(action()["inputs"])
    assert not [name for name in declared if f"`{name}`" not in readme], "an input the README's table does not name"
    for example in examples:
        steps = [s for job in example["jobs"].values() for s in job["steps"] if "/graph-sync-conformance@" in s.get("uses", "")]
        assert steps and all(set(s.get("with", {})) <= declared for s in steps)


def test_the_script_names_its_phases_when_called_without_one(tmp_path: Path) -> None:
    done = subprocess.run(["bash", str(SCRIPT)], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "usage:" in done.stderr
