"""The proof that a case broke a requirement: what a report shows for a failed requirement.

Apart from errors.py so that errors.py depends on nothing above it: this one names a catalogue
`Requirement` and the `Exchange`s that prove the failure.
"""

from __future__ import annotations

from .catalogue import Requirement
from .exchange import Exchange


class RequirementFailed(AssertionError):
    """A case broke a requirement: the proof a report shows (conformance/rendering.py draws it).

    An AssertionError, as a failed property is to pytest and hypothesis (which shrinks on it).
    """

    def __init__(self, requirement: Requirement, reason: str, exchanges: tuple[Exchange, ...], origin: str) -> None:
        super().__init__(f"{requirement.id} ({requirement.level}) failed: {reason}")
        self.requirement = requirement
        self.reason = reason
        self.exchanges = exchanges
        self.origin = origin
        """Which case: a chosen one by name, or a generated one (shrunk or not)."""
        self.found_after = 0
        """How many cases this requirement had judged when the first failure appeared."""
        self.stopped: str | None = None
        """Why the run stopped, when it stopped before this failure was raised (while sending this
        requirement's cases or shrinking its failure): the failure stands, and the run has no more to send."""

    @property
    def headline(self) -> str:
        return str(self)
