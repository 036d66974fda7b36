#!/usr/bin/env bash
# The shell steps of action.yml, here so that they run (and are tested) outside GitHub Actions too.
#
#   github-action.sh install  a virtual environment with the suite, installed from the action's checkout
#   github-action.sh run      run the suite with the action's inputs, append the verdict's Markdown summary
#                             to $GITHUB_STEP_SUMMARY, set the step's outputs (exit-code, verdict, reports)
#                             and exit with the run's exit code: 0 conformant, 1 not conformant,
#                             3 no verdict, 4 usage error
#
# The inputs arrive as environment variables (action.yml maps them): INPUT_BASE_URL (empty is refused
# unless INPUT_EMBEDDED is "true": an empty value is what a missing secret gives), INPUT_SEED,
# INPUT_MAX_EXAMPLES, INPUT_APPLICATION_ID (space-separated), INPUT_BUNDLE (a file name, packed in
# the reports folder so that it is uploaded with them), INPUT_PRODUCT,
# INPUT_SIGN_KEY (the PEM text), INPUT_REPORTS, INPUT_ARGS (further `run` options, split on
# whitespace). The token arrives as GRAPH_TOKEN, which the suite reads itself: it never appears on a
# command line. GSC_VENV overrides where the suite's environment is (default $RUNNER_TEMP/...).
set -euo pipefail

venv="${GSC_VENV:-${RUNNER_TEMP:-/tmp}/graph-sync-conformance}"

install() {
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${GITHUB_ACTION_PATH:?set by the runner: where the action is checked out}"
}

run() {
  local reports="${INPUT_REPORTS:-conformance-reports}"
  local summary="${GITHUB_STEP_SUMMARY:-/dev/stdout}" outputs="${GITHUB_OUTPUT:-/dev/null}"
  local args=(run --reports "$reports") extra=() id status verdict
  local problem=""
  if [ "${INPUT_EMBEDDED:-false}" = true ]; then
    if [ -n "${INPUT_BASE_URL:-}" ]; then problem="base-url and embedded: \"true\" name two targets: give one"; fi
  elif [ -z "${INPUT_BASE_URL:-}" ]; then
    problem="base-url is empty (a missing secret? a fork's pull request gets none): give the target's service root, or set embedded: \"true\" to run against the suite's own reference server"
  else
    args+=(--base-url "$INPUT_BASE_URL")
  fi
  if [ -n "${INPUT_SEED:-}" ]; then args+=(--seed "$INPUT_SEED"); fi
  if [ -n "${INPUT_MAX_EXAMPLES:-}" ]; then args+=(--max-examples "$INPUT_MAX_EXAMPLES"); fi
  for id in ${INPUT_APPLICATION_ID:-}; do args+=(--application-id "$id"); done
  if [ -n "${INPUT_BUNDLE:-}" ]; then args+=(--bundle "$reports/$INPUT_BUNDLE"); fi
  if [ -n "${INPUT_PRODUCT:-}" ]; then args+=(--product "$INPUT_PRODUCT"); fi
  if [ -n "${INPUT_SIGN_KEY:-}" ]; then
    # The private key only ever sits in a file of the runner's temporary directory, readable by this
    # user alone (mktemp), and is removed when the step ends, whatever its outcome (a global: the
    # EXIT trap runs after this function has returned).
    sign_key="$(mktemp "${RUNNER_TEMP:-/tmp}/sign-key.XXXXXX")"
    trap 'rm -f "$sign_key"' EXIT
    printf '%s\n' "$INPUT_SIGN_KEY" >"$sign_key"
    args+=(--sign-key "$sign_key")
  fi
  read -r -a extra <<<"${INPUT_ARGS:-}"

  status=0
  if [ -n "$problem" ]; then
    echo "graph-sync-conformance action: $problem" >&2
    rm -f "$reports/verdict.json"  # an earlier run's must not stand for this one
    status=4
  else
    "$venv/bin/graph-sync-conformance" "${args[@]}" ${extra[@]+"${extra[@]}"} || status=$?
  fi

  verdict=none
  if [ -f "$reports/verdict.json" ] && "$venv/bin/graph-sync-conformance" summary "$reports/verdict.json" >>"$summary"; then
    verdict="$("$venv/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["verdict"])' "$reports/verdict.json")"
  else
    printf '### Create synchronization: conformance verdict\n\n**No verdict** (exit %s): the job log says why.\n' "$status" >>"$summary"
  fi
  {
    echo "exit-code=$status"
    echo "verdict=$verdict"
    echo "reports=$reports"
  } >>"$outputs"
  return "$status"
}

case "${1:-}" in
  install) install ;;
  run) run ;;
  *)
    echo "usage: $0 install|run" >&2
    exit 2
    ;;
esac
