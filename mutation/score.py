"""The mutation score: every mutant of the reference server against the suite, two at a time, and the
tables docs/mutation.md shows.

`python -m mutation` (`make mutants`) first runs the suite against the reference server itself (it
must pass every requirement, with and without --strict, or no mutant means anything), then against
each mutant in a fixed order, printing one line per mutant as it ends. It writes every outcome to
reports/mutants.json and, when it ran them all, the measured section of docs/mutation.md. It exits 1
when a survivor has no explanation in survivors.py, so that a change to the server or to the checks
that leaves a new survivor cannot go unnoticed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path
from typing import Any

from conformance.catalogue import REQUIREMENTS

from .mutants import Family, Mutant, mutants_of
from .survivors import WHY, Kind, why
from .trial import TIME_LIMIT, Outcome, Run, Trial, runs, try_mutant

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "mutation.md"
START, END = "<!-- mutants:start (written by `make mutants`) -->", "<!-- mutants:end -->"
JOBS = 2
"""Runs at once: the machines this is measured on have two cores, and each run is one process."""


def measure(
    root: Path, mutants: Sequence[Mutant], *, jobs: int = JOBS, time_limit: float = TIME_LIMIT, done: Callable[[Trial], None] | None = None
) -> list[Trial]:
    """Every mutant tried, `jobs` at a time; the trials in the mutants' order, `done` told of each as it
    ends. An interrupt (Ctrl-C reaches the runs too) cancels the mutants not yet started."""
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = {pool.submit(try_mutant, root, mutant, time_limit=time_limit): index for index, mutant in enumerate(mutants)}
        trials: dict[int, Trial] = {}
        for future in as_completed(futures):
            trials[futures[future]] = trial = future.result()
            if done is not None:
                done(trial)
    finally:
        pool.shutdown(cancel_futures=True)
    return [trials[index] for index in range(len(mutants))]


def counts(trials: Iterable[Trial], *, strict: bool) -> Counter[Outcome]:
    return Counter(trial.run(strict=strict).outcome for trial in trials)


def score(counted: Counter[Outcome]) -> float:
    """Killed among the mutants that ran: a mutant with no verdict says nothing about the checks."""
    ran = counted[Outcome.KILLED] + counted[Outcome.SURVIVED]
    return counted[Outcome.KILLED] / ran if ran else 0.0


def contract_score(trials: list[Trial], *, strict: bool) -> float:
    """The score with the survivors explained as equivalent or outside the contract set aside (a
    survivor under --strict survived without it too)."""
    counted = counts(trials, strict=strict)
    aside = sum(1 for t in survivors(trials) if (w := why(t.mutant)) is not None and w.kind is not Kind.GAP)
    ran = counted[Outcome.KILLED] + counted[Outcome.SURVIVED] - aside
    return counted[Outcome.KILLED] / ran if ran else 0.0


def survivors(trials: Iterable[Trial]) -> list[Trial]:
    """What no requirement notices, even as a warning: the mutants that survive --strict."""
    return [t for t in trials if t.strict.outcome is Outcome.SURVIVED]


def unexplained(trials: Iterable[Trial]) -> list[Mutant]:
    return [t.mutant for t in survivors(trials) if why(t.mutant) is None]


# --- the tables -------------------------------------------------------------------------------------


def code(text: str) -> str:
    """Text as a Markdown code span that a table cell can hold."""
    fence = "``" if "`" in text else "`"
    return f"{fence}{text.replace('|', chr(92) + '|')}{fence}"


def _mutation(mutant: Mutant) -> str:
    return f"{code(mutant.before)} → {code(mutant.after)}"


def _place(mutant: Mutant) -> str:
    return f"`{Path(mutant.file).name}:{mutant.line}` {code(mutant.function)}"


def markdown(trials: list[Trial], *, seconds: float, jobs: int) -> str:
    """The measured section of docs/mutation.md."""
    mutants = [t.mutant for t in trials]
    lines = [
        f"Measured: {len(mutants)} mutants of {len({m.file for m in mutants})} files in {_duration(seconds)}, "
        f"{jobs} at a time (the reference itself first, with and without `--strict`).",
        "",
        "| | killed | survived | not runnable | score | on the contract |",
        "|---|---|---|---|---|---|",
    ]
    for strict in (False, True):
        counted = counts(trials, strict=strict)
        label = "with `--strict`" if strict else "without `--strict`"
        killed, survived, stuck = counted[Outcome.KILLED], counted[Outcome.SURVIVED], counted[Outcome.NOT_RUNNABLE]
        lines.append(f"| {label} | {killed} | {survived} | {stuck} | {score(counted):.1%} | {contract_score(trials, strict=strict):.1%} |")
    lines += [
        "",
        "Score: killed / (killed + survived). On the contract: the same with the survivors explained as equivalent "
        "or outside the contract set aside, so that only what the contract covers counts.",
    ]
    lines += ["", "By family, with `--strict`:", "", "| family | mutants | killed | survived | not runnable |", "|---|---|---|---|---|"]
    for family in Family:
        of_family = [t for t in trials if t.mutant.family is family]
        counted = counts(of_family, strict=True)
        killed, survived, stuck = counted[Outcome.KILLED], counted[Outcome.SURVIVED], counted[Outcome.NOT_RUNNABLE]
        lines.append(f"| {family} | {len(of_family)} | {killed} | {survived} | {stuck} |")
    lines += _by_requirement(trials)
    lines += _survivor_table(trials)
    lines += _warning_table(trials)
    lines += _not_runnable_table(trials)
    return "\n".join(lines) + "\n"


def _by_requirement(trials: list[Trial]) -> list[str]:
    caught: Counter[str] = Counter()
    alone: Counter[str] = Counter()
    for trial in trials:
        run = trial.strict
        if run.outcome is Outcome.KILLED:
            caught.update(run.caught)
            if len(run.caught) == 1:
                alone.update(run.caught)
    lines = ["", "### What kills them", "", "Under `--strict`, the mutants each requirement fails on, and those it alone fails on.", ""]
    lines += ["| requirement | kills | alone |", "|---|---|---|"]
    ranked = sorted(REQUIREMENTS, key=lambda r: -caught[r.id])  # by kills, then in catalogue order
    lines += [f"| {r.id} | {caught[r.id]} | {alone[r.id]} |" for r in ranked]
    return lines


def _survivor_table(trials: list[Trial]) -> list[str]:
    rows = survivors(trials)
    kinds = Counter(w.kind for t in rows if (w := why(t.mutant)) is not None)
    summary = ", ".join(f"{kinds[kind]} {kind}" for kind in Kind)
    lines = ["", "### Survivors", "", f"Every mutant no requirement notices, even under `--strict` ({len(rows)}: {summary}).", ""]
    lines += ["| mutant | mutation | kind | why |", "|---|---|---|---|"]
    for trial in rows:
        explained = why(trial.mutant)
        kind = "**unexplained**" if explained is None else f"**{explained.kind}**" if explained.kind is Kind.GAP else str(explained.kind)
        lines.append(f"| {_place(trial.mutant)} | {_mutation(trial.mutant)} | {kind} | {explained.reason if explained else ''} |")
    return lines


def _warning_table(trials: list[Trial]) -> list[str]:
    rows = [t for t in trials if t.default.outcome is Outcome.SURVIVED and t.strict.outcome is Outcome.KILLED]
    lines = ["", "### Caught as a warning", ""]
    lines += [f"Mutants that break only a SHOULD: a warning without `--strict`, a failure with it ({len(rows)}).", ""]
    lines += ["| mutant | mutation | warned by |", "|---|---|---|"]
    for trial in rows:
        lines.append(f"| {_place(trial.mutant)} | {_mutation(trial.mutant)} | {', '.join(trial.default.caught)} |")
    return lines


def _not_runnable_table(trials: list[Trial]) -> list[str]:
    rows = [t for t in trials if t.default.outcome is Outcome.NOT_RUNNABLE]
    lines = ["", "### Not runnable", "", f"Mutants the suite could give no verdict on ({len(rows)}).", ""]
    lines += ["| mutant | mutation | what happened |", "|---|---|---|"]
    for trial in rows:
        lines.append(f"| {_place(trial.mutant)} | {_mutation(trial.mutant)} | {trial.default.note.replace('|', chr(92) + '|')} |")
    return lines


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def rewrite_doc(doc: Path, section: str) -> None:
    """docs/mutation.md with its measured section replaced; the prose around it is left as it is."""
    text = doc.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    doc.write_text(f"{head}{START}\n{section}{END}{tail}", encoding="utf-8")


def _counted(trials: list[Trial], *, strict: bool) -> dict[str, int]:
    counted = counts(trials, strict=strict)
    return {str(outcome): counted[outcome] for outcome in Outcome}


def as_json(trials: list[Trial], *, seconds: float) -> dict[str, Any]:
    def run(r: Run) -> dict[str, Any]:
        return {**asdict(r), "seconds": round(r.seconds, 2)}

    return {
        "seconds": round(seconds, 1),
        "score": {"default": _counted(trials, strict=False), "strict": _counted(trials, strict=True)},
        "mutants": [
            {
                "key": t.mutant.key, "file": t.mutant.file, "line": t.mutant.line, "function": t.mutant.function,
                "family": str(t.mutant.family), "before": t.mutant.before, "after": t.mutant.after,
                "default": run(t.default), "strict": run(t.strict),
                "why": {"kind": str(w.kind), "reason": w.reason} if (w := why(t.mutant)) and t.strict.outcome is Outcome.SURVIVED else None,
            }
            for t in trials
        ],
    }  # fmt: skip


# --- the command ------------------------------------------------------------------------------------


def _line(trial: Trial, position: int, total: int) -> str:
    m, d, s = trial.mutant, trial.default, trial.strict
    outcome = str(d.outcome) if d.outcome is s.outcome else f"{d.outcome} ({s.outcome} with --strict)"
    detail = ", ".join(s.caught) if s.outcome is Outcome.KILLED else d.note if d.outcome is Outcome.NOT_RUNNABLE else ""
    return f"[{position}/{total}] {outcome}: {m.where} {m.family}: {m.before} -> {m.after}" + (f" ({detail})" if detail else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mutation", description="The mutation score of the reference server.")
    parser.add_argument("--jobs", type=int, default=JOBS, help=f"suite runs at once (default {JOBS})")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT, help=f"seconds one run may take (default {TIME_LIMIT:g})")
    parser.add_argument(
        "--only", action="append", default=[], metavar="PATTERN", help="only the mutants whose key matches (`*`: any text); docs left alone"
    )
    parser.add_argument("--list", action="store_true", help="list the mutants and run nothing")
    parser.add_argument("--json", type=Path, default=ROOT / "reports" / "mutants.json", help="where every outcome goes")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.time_limit <= 0:
        parser.error("--jobs and --time-limit must be positive")
    mutants = mutants_of(ROOT)
    if args.only:
        mutants = [m for m in mutants if any(m.matches(pattern) for pattern in args.only)]
        if not mutants:
            parser.error(f"no mutant's key matches {' or '.join(args.only)} (--list shows them)")
    if args.list:
        for mutant in mutants:
            print(f"{mutant.where} {mutant.family}: {mutant.key}")
        return 0
    started = time.monotonic()
    reference = runs(ROOT, None, time_limit=args.time_limit)
    for run in reference:
        if run.outcome is not Outcome.SURVIVED or run.caught:
            print(f"the reference server itself does not pass ({run.outcome}: {run.note}): no mutant can be judged", file=sys.stderr)
            return 2
    print(f"the reference server passes ({reference[0].seconds:.1f} s); {len(mutants)} mutants, {args.jobs} at a time", flush=True)
    finished = 0

    def done(trial: Trial) -> None:
        nonlocal finished
        finished += 1
        print(_line(trial, finished, len(mutants)), flush=True)

    try:
        trials = measure(ROOT, mutants, jobs=args.jobs, time_limit=args.time_limit, done=done)
    except KeyboardInterrupt:
        print(f"interrupted after {finished} of {len(mutants)} mutants: nothing written", file=sys.stderr)
        return 130
    seconds = time.monotonic() - started
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(as_json(trials, seconds=seconds), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for strict in (False, True):
        counted = counts(trials, strict=strict)
        print(
            f"{'with' if strict else 'without'} --strict: {counted[Outcome.KILLED]} killed, {counted[Outcome.SURVIVED]} survived, "
            f"{counted[Outcome.NOT_RUNNABLE]} not runnable: score {score(counted):.1%}"
        )
    print(f"{len(mutants)} mutants in {_duration(seconds)}; every outcome in {args.json}")
    if not args.only:
        rewrite_doc(DOC, markdown(trials, seconds=seconds, jobs=args.jobs))
        print(f"measured tables written to {DOC.relative_to(ROOT)}")
    gaps = [t.mutant for t in survivors(trials) if (w := why(t.mutant)) is not None and w.kind is Kind.GAP]
    for mutant in gaps:
        print(f"GAP: {mutant.where} {mutant.key}")
    missing = unexplained(trials)
    for mutant in missing:
        print(f"unexplained survivor: {mutant.where} {mutant.key}", file=sys.stderr)
    survived = [t.mutant for t in survivors(trials)]
    unused = [pattern for w in WHY for pattern in w.patterns if not any(m.matches(pattern) for m in survived)]
    if unused and not args.only:
        print(f"explanations no survivor needs any more: {', '.join(unused)}")
    return 1 if missing else 0
