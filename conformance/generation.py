"""Cases to send: schemathesis generates from schemas/openapi.yaml (valid bodies, and bodies that break
the schema), the corpus adds the chosen ones.

Both kinds are schemathesis `Case`s for the one operation under test, so hypothesis can run the
explicit ones first and shrink the generated ones, and a report shows either the same way.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.generation import GenerationMode

from .contract import OPERATION_PATH, openapi_path, request_validator
from .corpus import INVALID_BODIES, corpus

# Explicit, so that no schemathesis.toml in the user's directory changes what a certification run does.
SCHEMATHESIS_CONFIG: dict[str, Any] = {
    # Each strategy names its mode (positive or negative) itself; this is the default for anything else.
    "generation": {"mode": "positive"},
    # The coverage phase would otherwise probe GET/PUT/PATCH/DELETE/TRACE on the path: on a live
    # tenant that can delete data. The suite sends only the operation under test.
    "phases": {"coverage": {"unexpected-methods": []}},
    # The default markers mask any field named like "secret" or "key", which hides the very secrets
    # being checked. Credentials stay masked; the suite's own Redactor masks the token everywhere.
    "output": {
        "sanitization": {
            "keys-to-sanitize": ["authorization", "proxy-authorization", "cookie", "set-cookie"],
            "sensitive-markers": ["authorization"],
        }
    },
}


# What the generated case says about headers; the client sends its own (with the real token).
CLIENT_HEADERS = {"Authorization": "Bearer (set by the client)"}


class Generator:
    def __init__(self, application_ids: tuple[str, ...]) -> None:
        self.application_ids = application_ids

    @cached_property
    def operation(self) -> Any:
        schema = schemathesis.openapi.from_path(
            str(openapi_path()), config=schemathesis.Config.from_dict(SCHEMATHESIS_CONFIG)
        )
        return schema[OPERATION_PATH]["POST"]

    def _generated(self, mode: GenerationMode) -> st.SearchStrategy[Case]:
        """Bodies only: the path, the headers and the media type are fixed, as the client sets them.

        Left free, schemathesis would also generate (and in negative mode, break) the Authorization
        header and the media type; the suite sends its own, so those draws were thrown away: fixing
        them makes negative generation about twice as fast (docs/performance.md).
        """
        return st.one_of(
            [
                self.operation.as_strategy(
                    generation_mode=mode,
                    path_parameters={"applicationsId": app_id},
                    headers=CLIENT_HEADERS,
                    media_type="application/json",
                )
                for app_id in self.application_ids
            ]
        )

    def _cases(self, bodies: list[tuple[str, Any]]) -> list[tuple[str, Case]]:
        ids = self.application_ids
        return [
            (name, self.operation.Case(body=body, path_parameters={"applicationsId": ids[i % len(ids)]}, media_type="application/json"))
            for i, (name, body) in enumerate(bodies)
        ]

    @cached_property
    def valid(self) -> st.SearchStrategy[Case]:
        """Valid bodies from the schema, posted to each application id in turn."""
        return self._generated(GenerationMode.POSITIVE)

    @cached_property
    def valid_explicit(self) -> list[tuple[str, Case]]:
        """The corpus, in order, by name, dealt across the application ids."""
        return self._cases([(case.name, case.body) for case in corpus()])

    @cached_property
    def invalid(self) -> st.SearchStrategy[Case]:
        """schemathesis' negative bodies, kept only where the body is JSON that breaks the request schema.

        About one draw in five is raw bytes, which are the malformed-JSON probe's business.
        """
        return self._generated(GenerationMode.NEGATIVE).filter(lambda case: breaks_request_schema(case.body))

    @cached_property
    def invalid_explicit(self) -> list[tuple[str, Case]]:
        return self._cases(list(INVALID_BODIES.items()))


def breaks_request_schema(body: Any) -> bool:
    """A JSON value (one the client can send as such) that the request schema rejects."""
    try:
        json.dumps(body, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return not request_validator().is_valid(body)
