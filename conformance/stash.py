"""What the plugin keeps on pytest's config for the run, by key (as schemathesis keeps its stash keys
apart): the configuration, the redactor, the embedded server, and the client-credential source."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .config import RunConfig
from .credentials import ClientCredentials
from .progress import Collector, Display, Show
from .prover import Prover
from .redaction import Redactor
from .server import BackgroundServer
from .stats import RunStats

RUN = pytest.StashKey[RunConfig]()
REDACTOR = pytest.StashKey[Redactor]()
EMBEDDED = pytest.StashKey[BackgroundServer]()
CREDENTIALS = pytest.StashKey[ClientCredentials]()
STATS = pytest.StashKey[RunStats]()
PROVER = pytest.StashKey[Prover]()
PROGRESS = pytest.StashKey[Show]()
"""Where the campaign's progress goes: the terminal line, plain lines, a worker's progress file, or nowhere."""
DISPLAY = pytest.StashKey[Display]()
COLLECTOR = pytest.StashKey[Collector]()
STATS_OUTPUT = "graph_sync_conformance_stats"
"""The key of a pytest-xdist worker's RunStats in its `workeroutput`, summed on the controller."""
RESTORE = pytest.StashKey[list[Callable[[], Any]]]()
"""What the run changed in the process (a signal handler, hypothesis' home), each with how to undo it."""
LEDGER_DIR = pytest.StashKey[Path]()
"""On the pytest-xdist controller: the directory every worker's ledger shares."""
LEDGER_INPUT = "graph_sync_conformance_ledger"
"""The key of that directory in each worker's `workerinput`."""
