"""`graph-sync-conformance`: serve the reference server, print the catalogue, run the suite, write the
contract as OpenAPI 3.0."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path
from typing import NoReturn

from . import __version__
from .catalogue import REQUIREMENTS
from .config import DEFAULT_REPORTS_DIR, ReportPaths
from .options import byte_count, existing_file, joined


def requirements_markdown() -> str:
    """The README's requirement table; a test keeps the README equal to it."""
    rows = ["| id | level | requirement | clause |", "|---|---|---|---|"]
    rows += [f"| {r.id} | {r.level} | {r.statement} | {r.clause} |" for r in REQUIREMENTS]
    return "\n".join(rows)


def _requirements(args: argparse.Namespace) -> int:
    if args.format == "json":
        entries = [{"id": r.id, "level": str(r.level), "statement": r.statement, "clause": r.clause} for r in REQUIREMENTS]
        print(json.dumps(entries, indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        print(requirements_markdown())
    else:
        for r in REQUIREMENTS:
            print(f"{r.id:<24} {r.level!s:<7} {r.statement}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import sqlite3

    from .server import Limits, ReferenceServer, Store
    from .server.runner import listening_socket, serve_forever

    # What cannot be used (the store, the address) is said in one line before anything is served.
    try:
        store = Store(args.db) if args.db else None
    except sqlite3.Error as exc:
        print(f"graph-sync-conformance serve: --db {args.db}: cannot keep the store there: {exc}", file=sys.stderr)
        return 2
    try:
        listener = listening_socket(args.host, args.port)
    except (OSError, OverflowError) as exc:  # OverflowError: a port past 65535
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"graph-sync-conformance serve: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 2
    token = args.token or secrets.token_urlsafe(24)
    # The default is Limits' own (imported here, not at the top: the other commands do not need the server).
    limits = Limits(max_body_bytes=args.max_body_bytes) if args.max_body_bytes else Limits()
    server = ReferenceServer(token=token, store=store, limits=limits)
    print(f"reference server: http://{args.host}:{args.port}{server.base_path}", file=sys.stderr)
    if not args.token:
        print(f"bearer token (generated; pass --token to choose one): {token}", file=sys.stderr)
    print(f"store: {args.db or 'in memory'}; request bodies up to {limits.max_body_bytes} bytes", file=sys.stderr)
    serve_forever(server.app(), listener, limits)
    return 0


REFERENCE_PRODUCT = """\
vendor: graph-sync-conformance
product: embedded reference server
version: "{version}"
contact: maintainers@graph-sync-conformance.invalid
notes: The suite's own reference implementation, certified with no --base-url.
"""

EXIT_USAGE = 4
"""A usage error, as pytest numbers it: the same under `pytest` and `graph-sync-conformance run`."""
# pytest's exit codes, as this command documents its own: 0 conformant, 1 not conformant,
# 3 no verdict (target unreachable, run incomplete or interrupted), 4 usage error.
EXIT_CODES = {0: 0, 1: 1, 2: 3, 3: 3, 4: EXIT_USAGE, 5: 3}


def _run(args: argparse.Namespace, extra: list[str]) -> int:
    import pytest

    if problem := _bundle_problem(args, extra):
        print(f"graph-sync-conformance run: {problem}", file=sys.stderr)
        return EXIT_USAGE
    reports = ReportPaths.in_folder(args.reports)
    # Nothing from an earlier run may end up in this run's bundle (the plugin also clears them).
    for stale in reports.files():
        stale.unlink(missing_ok=True)
    suite = Path(__file__).resolve().parent / "suite"
    written = [f"--html={reports.html}", "--self-contained-html", f"--junitxml={reports.junit}"]
    written += [f"--verdict={reports.verdict}", f"--evidence={reports.evidence}", f"--summary={reports.summary}"]
    from .usage import OneLineUsage

    flags = [flag.partition("=")[0] for action in _run_parser()._actions for flag in action.option_strings]
    status = EXIT_CODES.get(int(pytest.main([str(suite), *written, *joined(extra)], plugins=[OneLineUsage(flags)])), 3)
    return status if args.bundle is None else _bundle(args, reports, status)


def _bundle_problem(args: argparse.Namespace, extra: list[str]) -> str | None:
    """What stops a run before anything is sent: a blank target (never read as "the embedded
    server"), a bundle of the user's target without their PRODUCT.yaml, and their PRODUCT.yaml
    without their target (it would certify the embedded reference server under their name)."""
    from .bundle import product_problems
    from .errors import UsageError
    from .options import empty_target, file_target, given_target

    target, source = given_target(extra, os.environ)
    if target is None:
        try:
            target, source = file_target(extra, Path.cwd())
        except UsageError as exc:
            return str(exc)
    if target is not None and not target.strip():
        return empty_target(source)
    if args.bundle and args.product is None and target is not None:
        return "--bundle needs --product PRODUCT.yaml for a target of yours"
    if args.product is not None and target is None:
        return (
            "--product describes your target, and no --base-url names one: the run would certify the embedded "
            "reference server under your product's name (its own bundle needs no --product)"
        )
    if args.product is not None and (problems := product_problems(Path(args.product))):
        return f"PRODUCT.yaml is not valid: {problems[0]}"
    return None


def _bundle(args: argparse.Namespace, reports: ReportPaths, status: int) -> int:
    """Pack the run's reports and evidence (one file, or one per pytest-xdist worker) into the bundle."""
    from .bundle import build
    from .errors import BundleError
    from .evidence import evidence_files

    verdict_file, evidence = Path(str(reports.verdict)), Path(str(reports.evidence))
    verdict = json.loads(verdict_file.read_text(encoding="utf-8")) if verdict_file.exists() else {}
    if verdict.get("verdict") not in ("conformant", "not conformant"):
        print(f"no bundle: the run is incomplete ({verdict.get('reason', 'no verdict was written')})", file=sys.stderr)
        return 3
    product = Path(args.product) if args.product else None
    if product is None:  # the embedded reference server: the suite describes its own product
        product = Path(args.reports) / "PRODUCT.yaml"
        product.write_text(REFERENCE_PRODUCT.format(version=__version__), encoding="utf-8")
        print("bundle of the embedded reference server: its PRODUCT.yaml is the suite's own, not a product of yours", file=sys.stderr)
    reported = [Path(p) for p in (reports.html, reports.junit, reports.verdict) if p]
    members = {path.name: path for path in [*reported, *evidence_files(evidence)] if path.exists()}
    try:
        build(args.bundle, members, product, Path(args.sign_key) if args.sign_key else None)
    except BundleError as exc:
        print(f"no bundle: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"bundle: {args.bundle} ({verdict['verdict']})", file=sys.stderr)
    return status


EXIT_UNPINNED = 3
"""verify: every member matches its manifest, but nothing ties the bundle to a signer the caller
trusts: it is signed by the key it carries itself (anyone can re-sign), or not signed. Not 0, so that
a job which forgot --public-key fails; --allow-unpinned accepts it (0), still saying so."""


def _verify(args: argparse.Namespace) -> int:
    from .errors import UsageError
    from .text import shown
    from .verification import verify

    try:
        result = verify(args.bundle, Path(args.public_key) if args.public_key else None)
    except UsageError as exc:
        print(f"graph-sync-conformance verify: {exc}", file=sys.stderr)
        return 2
    where = shown(str(args.bundle))
    for problem in result.problems:
        _say(f"{where}: {problem}")
    if result.problems:
        return 1
    if result.pinned:
        _say(f"{where}: every member matches its manifest; signed by {result.signer}, the key given with --public-key")
        return 0
    if result.signer:
        unpinned = f"the signer is NOT pinned: signed by a key the bundle carries itself ({result.signer}); anyone can re-sign"
    else:
        unpinned = "it is not signed: anyone can change a member and write its manifest anew; sign it with run --sign-key KEY.pem"
    _say(f"{where}: every member matches its manifest, but {unpinned}: pin the signer with --public-key KEY.pub")
    return 0 if args.allow_unpinned else EXIT_UNPINNED


def _say(line: str) -> None:
    """Print a line in whatever encoding standard output has: a character it cannot write (a name in
    another script, under a Latin-1 locale) escaped, not a UnicodeEncodeError."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    print(line.encode(encoding, "backslashreplace").decode(encoding))


def _diff(args: argparse.Namespace) -> int:
    """The comparison on standard output, after a warning for each way the runs are not alike: the
    warnings go where the comparison goes (a job summary, a file), as it cannot be read without them."""
    from .diff import caveats, compare
    from .errors import VerdictFileError
    from .text import shown
    from .verdict_file import load

    try:
        old, new = load(Path(args.old)), load(Path(args.new))
    except VerdictFileError as exc:
        return _refused("diff", exc)
    difference = compare(old, new)
    for line in [*caveats(old, new), *(difference.lines() or ["nothing changed"])]:
        print(shown(line))
    return 1 if difference.regression else 0


def _summary(args: argparse.Namespace) -> int:
    from .errors import UnusableFile, VerdictFileError
    from .summary import markdown, write
    from .verdict_file import load

    try:
        verdict = load(Path(args.verdict))
        if args.output:
            write(verdict, Path(args.output))
    except (VerdictFileError, UnusableFile) as exc:
        return _refused("summary", exc)
    if not args.output:
        sys.stdout.write(markdown(verdict))
    return 0


def _refused(command: str, exc: Exception) -> int:
    """A file the command cannot read or write, said in one line (escaped: it may quote the file); exit 2."""
    from .text import shown

    print(f"graph-sync-conformance {command}: {shown(str(exc))}", file=sys.stderr)
    return 2


def _har(args: argparse.Namespace) -> int:
    from .errors import HarError
    from .har import write
    from .text import shown

    evidence = Path(args.evidence)
    out = Path(args.output) if args.output else evidence.with_suffix(".har")
    try:
        count = write(evidence, out)
    except HarError as exc:
        return _refused("har", exc)
    print(f"{shown(str(out))}: {count} entries", file=sys.stderr)
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from .errors import ConversionError, UnusableFile
    from .files import write_text
    from .openapi30 import VERSION, render
    from .text import shown

    try:
        text = render()
        if args.output:
            write_text(Path(args.output), text)
    except (ConversionError, UnusableFile) as exc:
        return _refused("openapi", exc)
    if args.output:
        print(f"{shown(args.output)}: the contract as OpenAPI {VERSION}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _run_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """`run`'s own options (the suite's are pytest's, passed through)."""
    parser.add_argument(
        "--reports", default=DEFAULT_REPORTS_DIR, metavar="DIR", help=f"where the reports go (default: {DEFAULT_REPORTS_DIR})"
    )
    parser.add_argument("--bundle", type=Path, metavar="FILE.zip", help="also pack a certification bundle (needs --product)")
    parser.add_argument(
        "--product",
        type=existing_file,
        metavar="PRODUCT.yaml",
        help="the vendor's product description (needed with --bundle and --base-url)",
    )
    parser.add_argument("--sign-key", type=existing_file, metavar="KEY.pem", help="Ed25519 private key to sign the manifest with")


def _run_parser() -> argparse.ArgumentParser:
    """`run --help`: the command's own options, then every option of the suite in the README's groups.
    Only for the help: the suite's options are read by pytest, which `run` passes them to."""
    from .options import GROUPS, OPTIONS

    parser = argparse.ArgumentParser(
        prog="graph-sync-conformance run",
        usage="%(prog)s [options] [pytest options]",
        description="Run the conformance suite; reports go to --reports (default: reports/). The options below can also be "
        "set in graph-sync-conformance.toml or pyproject.toml's [tool.graph-sync-conformance] (the command line over the "
        "environment over the file); PYTEST_ADDOPTS adds options from the environment.",
        epilog="Any other pytest option (-k, -x, -q, -n N ...) is passed to pytest. Exit 0 conformant, 1 not conformant, "
        "3 no verdict (target unreachable, run incomplete or interrupted), 4 usage error.",
    )
    _run_options(parser.add_argument_group("run"))
    for name in GROUPS:
        group = parser.add_argument_group(name)
        for option in OPTIONS:
            if option.group == name:
                flag = f"{option.flag}={option.metavar}" if option.metavar else option.flag
                group.add_argument(flag, action="store_true", help=option.help.replace("%", "%%"))
    return parser


class _Parser(argparse.ArgumentParser):
    """argparse's parser; a command whose usage errors are the suite's (`run`: exit 4, as pytest's)
    says them in one line, with where to look, instead of argparse's usage block and exit 2."""

    usage_exit: int | None = None

    def error(self, message: str) -> NoReturn:
        if self.usage_exit is None:
            super().error(message)
        self.exit(self.usage_exit, f"{self.prog}: {message}; see {self.prog} --help\n")


class _RunHelp(argparse.Action):
    """`run -h`: the help of `_run_parser`, then exit 0."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help=str(kwargs.get("help")))

    def __call__(self, parser: argparse.ArgumentParser, namespace: object, values: object, option_string: str | None = None) -> None:
        _run_parser().print_help()
        parser.exit()


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(
        prog="graph-sync-conformance",
        description="Conformance suite for Microsoft Graph (beta) POST /applications/{applicationsId}/synchronization.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = commands.add_parser("serve", help="run the reference server in the foreground")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default: 8000)")
    serve.add_argument("--db", metavar="FILE", help="SQLite file to keep created synchronizations in (default: memory)")
    serve.add_argument("--token", help="the bearer token to accept (default: a random one, printed)")
    serve.add_argument(
        "--max-body-bytes",
        type=byte_count,
        metavar="N",
        help="largest request body accepted; a larger one gets 413 and the rest of it is not read (default: 1048576, 1 MiB)",
    )

    listing = commands.add_parser("requirements", help="print the requirement catalogue")
    listing.add_argument("--format", choices=["table", "json", "markdown"], default="table")

    run = commands.add_parser(
        "run",
        add_help=False,
        help="run the suite (see run --help for its options; other arguments go to pytest). "
        "Exit 0 conformant, 1 not conformant, 3 no verdict (target unreachable, run incomplete), 4 usage error",
    )
    run.usage_exit = EXIT_USAGE
    run.add_argument("-h", "--help", action=_RunHelp, help="show every option of the suite, grouped, and exit")
    _run_options(run)

    check = commands.add_parser(
        "verify",
        help="check a bundle's hashes and signature offline: exit 0 intact and signed by the --public-key given, "
        "1 on any change or fault, 2 a bad argument, 3 intact but the signer not pinned (no --public-key)",
    )
    check.add_argument("bundle", type=Path, metavar="BUNDLE.zip", help="the bundle (a regular file)")
    check.add_argument("--public-key", type=existing_file, metavar="KEY.pub", help="the signer's Ed25519 public key (PEM) to require")
    check.add_argument(
        "--allow-unpinned",
        action="store_true",
        help="accept (exit 0) a bundle signed only by the key it carries, or not signed: it proves its members intact, not who made it",
    )

    compare = commands.add_parser(
        "diff",
        help="compare two verdict.json files; exit 1 on a regression (a change that makes the verdict worse), 2 if a file is not a verdict",
    )
    compare.add_argument("old", type=existing_file)
    compare.add_argument("new", type=existing_file)

    summary = commands.add_parser("summary", help="the verdict as Markdown (for CI step summaries and pull-request comments)")
    summary.add_argument("verdict", type=existing_file, metavar="VERDICT.json")
    summary.add_argument("-o", "--output", metavar="FILE", help="write it to FILE instead of standard output")

    har = commands.add_parser("har", help="a run's evidence (evidence.jsonl, or its workers' files) as a HAR 1.2 file")
    har.add_argument("evidence", metavar="EVIDENCE.jsonl", help="the evidence path the run was given (default reports/evidence.jsonl)")
    har.add_argument("-o", "--output", metavar="FILE.har", help="where to write it (default: beside the evidence, .har)")

    spec = commands.add_parser(
        "openapi",
        help="the contract as OpenAPI 3.0.3, for tools that refuse 3.1 (connexion, openapi-backend, mockintosh); "
        "the 3.1 contract is schemas/openapi.yaml",
    )
    spec.add_argument(
        "--version",
        dest="openapi_version",
        choices=["3.0"],
        default="3.0",
        help="the OpenAPI version to write: 3.0 (3.0.3), converted from the 3.1 contract (default: 3.0)",
    )
    spec.add_argument("-o", "--output", metavar="FILE", help="write it to FILE instead of standard output")

    args, extra = parser.parse_known_args(argv)
    if args.command == "run":
        return _run(args, extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handlers = {
        "serve": _serve, "requirements": _requirements, "verify": _verify, "diff": _diff, "summary": _summary, "har": _har,
        "openapi": _openapi,
    }  # fmt: skip
    return handlers[args.command](args)


EXIT_BROKEN_PIPE = 128 + 13
"""What a shell reports for a program that SIGPIPE stopped (`yes | head -1`)."""


def main(argv: list[str] | None = None) -> int:
    """The command line; output piped into a reader that stops early (`| head -1`) ends it quietly.

    Python's documented recipe for a closed pipe: once a write fails, standard output is pointed at
    /dev/null so that the interpreter's last flush at exit fails no more. SIGPIPE itself stays ignored,
    as Python sets it: its default would end the suite whenever any socket's peer went away.
    """
    try:
        try:
            return _main(argv)
        finally:
            sys.stdout.flush()  # here, not at exit, so that a closed pipe is seen here (also after --help)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
