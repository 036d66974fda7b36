"""How often the bursts catch a race, measured over repeated runs with different seeds.

    .venv/bin/python benchmarks/races.py [--seeds 20] [--windows 0.001,0.01,0.05] [--concurrency 4] [--max-examples 40]

Races are probabilistic: whether two overlapping creates fall in a server's race window depends on
when each reaches it. For each race server of the gallery (tests/servers.py RACES) and each race
window, this runs the bursts a run with these options sends (conformance/bursts.py: the same plan,
the same bodies, the same client policy), once per seed, against a fresh server each time, and judges
the requirement the server breaks on them, as the run would. It prints, per window and server, the
seeds (of --seeds) whose bursts caught it. Only the bursts are sent: the other probes send one
request at a time, so they cannot catch a race. The server runs in a thread of this process, as
the gallery's tests run it.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conformance.bursts import plan
from conformance.catalogue import BY_ID, Probe
from conformance.client import Client, ClientSettings
from conformance.config import DEFAULT_CONCURRENCY, DEFAULT_MAX_EXAMPLES, default_application_ids
from conformance.failure import RequirementFailed
from conformance.probes import AnyProbe, bursts
from conformance.prover import Campaign, ProofSettings, Prover
from conformance.server import BackgroundServer
from tests.servers import RACES, Racy

TOKEN = "race-benchmark-token"


def caught(behaviour: type[Racy], window: float, seed: int, concurrency: int, max_examples: int) -> bool:
    """Whether the bursts of a run with this seed and these options catch `behaviour` with this window."""
    server = type(behaviour.__name__, (behaviour,), {"window": window})(token=TOKEN)
    requirement = replace(BY_ID[str(behaviour.breaks)], probes=(Probe.BURST,))  # only the bursts can catch a race
    with BackgroundServer(server.app(), server.base_path) as background:
        client = Client(ClientSettings(background.url, TOKEN))
        probes: dict[Probe, AnyProbe] = {Probe.BURST: bursts(default_application_ids(seed), plan(concurrency, max_examples))}
        campaign = Campaign(client, probes, ProofSettings(max_examples, seed), requirements=[requirement])
        try:
            Prover(campaign).prove(requirement)
        except RequirementFailed:
            return True
        finally:
            client.close()
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--windows", default="0.001,0.01,0.05", help="race windows in seconds, comma-separated")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--max-examples", type=int, default=DEFAULT_MAX_EXAMPLES)
    args = parser.parse_args()
    rounds = plan(args.concurrency, args.max_examples).rounds
    print(f"--concurrency {args.concurrency} --max-examples {args.max_examples}: {rounds} burst(s), {args.seeds} seeds")
    for window in (float(w) for w in args.windows.split(",")):
        for behaviour in RACES:
            hits = sum(caught(behaviour, window, seed, args.concurrency, args.max_examples) for seed in range(1, args.seeds + 1))
            print(f"window {window * 1000:g} ms  {behaviour.__name__:<24} caught in {hits}/{args.seeds}", flush=True)


if __name__ == "__main__":
    main()
