"""`graph-sync-conformance`: serve the reference server, print the catalogue, run the suite."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path

from .catalogue import REQUIREMENTS


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
    import uvicorn

    from .server import ReferenceServer, Store

    token = args.token or secrets.token_urlsafe(24)
    server = ReferenceServer(token=token, store=Store(args.db) if args.db else None)
    print(f"reference server: http://{args.host}:{args.port}{server.base_path}", file=sys.stderr)
    if not args.token:
        print(f"bearer token (generated; pass --token to choose one): {token}", file=sys.stderr)
    print(f"store: {args.db or 'in memory'}", file=sys.stderr)
    uvicorn.run(server.app(), host=args.host, port=args.port, log_level="warning", lifespan="off")
    return 0


def _run(args: argparse.Namespace, extra: list[str]) -> int:
    import pytest

    suite = Path(__file__).resolve().parent / "suite"
    return int(pytest.main([str(suite), *extra]))


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

    listing = commands.add_parser("requirements", help="print the requirement catalogue")
    listing.add_argument("--format", choices=["table", "json", "markdown"], default="table")

    commands.add_parser(
        "run", help="run the suite; every further argument goes to pytest (e.g. --base-url URL --token T)"
    )

    args, extra = parser.parse_known_args(argv)
    if args.command == "run":
        return _run(args, extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return _serve(args) if args.command == "serve" else _requirements(args)


if __name__ == "__main__":
    sys.exit(main())
