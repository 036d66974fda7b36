"""Cases to send: schemathesis generates from schemas/openapi.yaml, the corpus adds the chosen ones.

Both kinds are schemathesis `Case`s for the one operation under test, so hypothesis can run the
explicit ones first and shrink the generated ones, and a report shows either the same way.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import Case

from .contract import OPERATION_PATH, openapi_path
from .corpus import corpus

# Explicit, so that no schemathesis.toml in the user's directory changes what a certification run does.
SCHEMATHESIS_CONFIG: dict[str, Any] = {
    # Only what the contract lets a client send; negative cases are a separate, deliberate choice.
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


class Generator:
    def __init__(self, application_ids: tuple[str, ...]) -> None:
        self.application_ids = application_ids

    @cached_property
    def operation(self) -> Any:
        schema = schemathesis.openapi.from_path(
            str(openapi_path()), config=schemathesis.Config.from_dict(SCHEMATHESIS_CONFIG)
        )
        return schema[OPERATION_PATH]["POST"]

    @cached_property
    def strategy(self) -> st.SearchStrategy[Case]:
        """Valid bodies from the schema, posted to each application id in turn."""
        return st.one_of(
            [
                self.operation.as_strategy(path_parameters={"applicationsId": app_id})
                for app_id in self.application_ids
            ]
        )

    @cached_property
    def explicit(self) -> list[tuple[str, Case]]:
        """The corpus, in order, by name, dealt across the application ids."""
        ids = self.application_ids
        return [
            (
                case.name,
                self.operation.Case(
                    body=case.body, path_parameters={"applicationsId": ids[i % len(ids)]}, media_type="application/json"
                ),
            )
            for i, case in enumerate(corpus())
        ]
