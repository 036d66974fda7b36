"""`graph-sync-conformance`: serve the reference server, print the catalogue, run the suite."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

from . import __version__
from .catalogue import REQUIREMENTS
from .settings import existing_file, positive_int


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
    from .server import Limits, ReferenceServer, Store
    from .server.runner import serve_forever

    token = args.token or secrets.token_urlsafe(24)
    # The default is Limits' own (imported here, not at the top: the other commands do not need the server).
    limits = Limits(max_body_bytes=args.max_body_bytes) if args.max_body_bytes else Limits()
    server = ReferenceServer(token=token, store=Store(args.db) if args.db else None, limits=limits)
    print(f"reference server: http://{args.host}:{args.port}{server.base_path}", file=sys.stderr)
    if not args.token:
        print(f"bearer token (generated; pass --token to choose one): {token}", file=sys.stderr)
    print(f"store: {args.db or 'in memory'}; request bodies up to {limits.max_body_bytes} bytes", file=sys.stderr)
    serve_forever(server.app(), args.host, args.port, limits)
    return 0


REFERENCE_PRODUCT = """\
vendor: graph-sync-conformance
product: embedded reference server
version: "{version}"
contact: maintainers@graph-sync-conformance.invalid
notes: The suite's own reference implementation, certified with no --base-url.
"""

# pytest's exit codes, as this command documents its own: 0 conformant, 1 not conformant,
# 2 usage error, 3 target unreachable or run incomplete.
EXIT_CODES = {0: 0, 1: 1, 2: 3, 3: 3, 4: 2, 5: 3}


def _run(args: argparse.Namespace, extra: list[str]) -> int:
    import pytest

    from .bundle import BundleError, build, product_problems
    from .evidence import evidence_files

    external = any(a.startswith("--base-url") for a in extra) or bool(os.environ.get("PYTEST_BASE_URL"))
    if args.bundle and args.product is None and external:
        print("graph-sync-conformance run: --bundle needs --product PRODUCT.yaml for a target of yours", file=sys.stderr)
        return 2
    if args.product is not None and (problems := product_problems(Path(args.product))):
        print(f"graph-sync-conformance run: PRODUCT.yaml is not valid: {problems[0]}", file=sys.stderr)
        return 2
    reports = Path(args.reports)
    paths = {
        "report.html": reports / "report.html",
        "junit.xml": reports / "junit.xml",
        "verdict.json": reports / "verdict.json",
        "evidence.jsonl": reports / "evidence.jsonl",
    }
    # Nothing from an earlier run may end up in this run's bundle (the plugin clears the evidence files).
    for stale in paths.values():
        stale.unlink(missing_ok=True)
    suite = Path(__file__).resolve().parent / "suite"
    status = EXIT_CODES.get(
        int(
            pytest.main(
                [
                    str(suite),
                    f"--html={paths['report.html']}",
                    "--self-contained-html",
                    f"--junitxml={paths['junit.xml']}",
                    f"--verdict={paths['verdict.json']}",
                    f"--evidence={paths['evidence.jsonl']}",
                    *extra,
                ]
            )
        ),
        3,
    )
    if args.bundle is None:
        return status
    verdict = json.loads(paths["verdict.json"].read_text(encoding="utf-8")) if paths["verdict.json"].exists() else {}
    if verdict.get("verdict") not in ("conformant", "not conformant"):
        print(f"no bundle: the run is incomplete ({verdict.get('reason', 'no verdict was written')})", file=sys.stderr)
        return 3
    product = Path(args.product) if args.product else None
    if product is None:  # the embedded reference server: the suite describes its own product
        product = reports / "PRODUCT.yaml"
        product.write_text(REFERENCE_PRODUCT.format(version=__version__), encoding="utf-8")
    try:
        sign_key = Path(args.sign_key) if args.sign_key else None
        # The evidence is one file, or one per pytest-xdist worker.
        members = {path.name: path for path in [*paths.values(), *evidence_files(paths["evidence.jsonl"])] if path.exists()}
        build(args.bundle, members, product, sign_key)
    except BundleError as exc:
        print(f"no bundle: {exc}", file=sys.stderr)
        return 2
    print(f"bundle: {args.bundle} ({verdict['verdict']})", file=sys.stderr)
    return status


def _verify(args: argparse.Namespace) -> int:
    from .bundle import verify

    result = verify(args.bundle, Path(args.public_key) if args.public_key else None)
    for problem in result.problems:
        print(f"{args.bundle}: {problem}")
    if result.problems:
        return 1
    signed = f"; signed by {result.signer}" if result.signer else "; not signed"
    print(f"{args.bundle}: every member matches its manifest{signed}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from .diff import compare, load

    difference = compare(load(Path(args.old)), load(Path(args.new)))
    for line in difference.lines():
        print(line)
    if not difference.lines():
        print("no requirement changed")
    return 1 if difference.newly_failing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="graph-sync-conformance",
        description="Conformance suite for Microsoft Graph (beta) POST /applications/{applicationsId}/synchronization.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the reference server in the foreground")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default: 8000)")
    serve.add_argument("--db", metavar="FILE", help="SQLite file to keep created synchronizations in (default: memory)")
    serve.add_argument("--token", help="the bearer token to accept (default: a random one, printed)")
    serve.add_argument(
        "--max-body-bytes",
        type=positive_int,
        metavar="N",
        help="largest request body accepted; a larger one gets 413 and the rest of it is not read (default: 1048576, 1 MiB)",
    )

    listing = commands.add_parser("requirements", help="print the requirement catalogue")
    listing.add_argument("--format", choices=["table", "json", "markdown"], default="table")

    run = commands.add_parser(
        "run",
        help="run the suite; other arguments go to pytest (e.g. --base-url URL --token T). "
        "Exit 0 conformant, 1 not conformant, 2 usage error, 3 target unreachable or run incomplete",
    )
    run.add_argument("--reports", default="reports", metavar="DIR", help="where the reports go (default: reports)")
    run.add_argument("--bundle", type=Path, metavar="FILE.zip", help="also pack a certification bundle (needs --product)")
    run.add_argument(
        "--product",
        type=existing_file,
        metavar="PRODUCT.yaml",
        help="the vendor's product description (needed with --bundle and --base-url)",
    )
    run.add_argument("--sign-key", type=existing_file, metavar="KEY.pem", help="Ed25519 private key to sign the manifest with")

    check = commands.add_parser("verify", help="check a bundle's hashes and signature offline; exit 1 on any change")
    check.add_argument("bundle", type=Path)
    check.add_argument("--public-key", type=existing_file, metavar="KEY.pub", help="the signer's public key (PEM) to require")

    compare = commands.add_parser("diff", help="compare two verdict.json files; exit 1 when a requirement newly fails")
    compare.add_argument("old", type=existing_file)
    compare.add_argument("new", type=existing_file)

    args, extra = parser.parse_known_args(argv)
    if args.command == "run":
        return _run(args, extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handlers = {"serve": _serve, "requirements": _requirements, "verify": _verify, "diff": _diff}
    return handlers[args.command](args)



if __name__ == "__main__":
    sys.exit(main())
