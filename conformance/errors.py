"""Every exception the suite raises on purpose, in one place (as httpx keeps its hierarchy), but the
one that carries a requirement's proof; this module depends on nothing of the suite's.

Each carries one line a person can act on. Where it is raised says what happened; where it is caught
says what it means for the run:

- `NoVerdict` stops the run: nothing more can be judged (exit 3);
- `RequirementFailed` (conformance/failure.py, as it names a requirement and its exchanges) is the
  proof that a case broke a requirement;
- `CheckFailed` and `NotApplicable` are how a check says "this exchange breaks the requirement" and
  "this exchange says nothing about it"; `checks.judge` catches them, once, for every check;
- `UsageError`, `WaiverError`, `BundleError` refuse what the user gave, before anything is sent;
  `UnusableFile` a file given that cannot be read within bounds, or one that cannot be written;
  `HarError` and `VerdictFileError` a file the CLI was given;
- `PastBound` stops a read at its bound (a bundle member, as it is written or verified).
- `ConversionError` a part of the 3.1 contract that its OpenAPI 3.0 rendition cannot express.
"""

from __future__ import annotations


class ConformanceError(Exception):
    """The base of the suite's own exceptions; the message is the one line that explains it."""


class NoVerdict(ConformanceError):
    """The run cannot reach a verdict: the target unreachable, its TLS untrusted, the token refused on
    every request, the deadline passed."""


class CheckFailed(ConformanceError):
    """An exchange breaks the requirement being checked; the message is the reason."""


class NotApplicable(ConformanceError):
    """An exchange says nothing about the requirement being checked (another requirement owns its
    defect, or there is nothing to look at); the message says why."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an interrupt so that a terminated run ends as an interrupted one does:
    every report written, saying so."""


class UsageError(ConformanceError):
    """An option or its value cannot be used; the message says what, and how to fix it."""


class UnusableFile(UsageError):
    """A file given to the suite that cannot be read within its bounds (not a regular file, too large,
    nested too deep, not UTF-8, YAML with aliases), or a file the suite cannot write; the message
    names the file."""


class WaiverError(UsageError):
    """The waivers file cannot be used."""


class BundleError(ConformanceError):
    """A bundle cannot be made from what was given."""


class PastBound(ConformanceError):
    """More bytes than a bound allows: reading stopped there, and what was read is not used."""


class HarError(ConformanceError):
    """Evidence that cannot be converted to HAR."""


class VerdictFileError(ConformanceError):
    """A file that is not a readable verdict.json."""


class ConversionError(ConformanceError):
    """A part of the OpenAPI 3.1 contract that its OpenAPI 3.0 rendition cannot express, or that the
    conversion does not know: the message names the keyword, where it is, and why."""
