"""Client credentials for a live tenant: tokens from Microsoft Entra ID through msal, refreshed as
they near expiry, each one handed to the Redactor before it is used.

msal keeps the token in its cache and fetches a new one when the cached one has less than five
minutes left, so asking it before every request costs nothing and a long run never sends an
expired token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from .config import DEFAULT_REQUEST_TIMEOUT, ClientCredentialsConfig
from .errors import NoVerdict


class ClientCredentials:
    def __init__(
        self,
        grant: ClientCredentialsConfig,
        *,
        verify: bool | str = True,
        timeout: float = DEFAULT_REQUEST_TIMEOUT,
        on_token: Callable[[str], None],
    ) -> None:
        self.authority = f"{grant.authority_host.rstrip('/')}/{grant.tenant_id}"
        self.client_id = grant.client_id
        self.scope = grant.scope
        self._secret = grant.secret
        self._verify = verify
        self._timeout = timeout
        self._on_token = on_token
        self._app: Any = None
        self._session: requests.Session | None = None

    def _application(self) -> Any:
        """Made on first use: msal discovers the authority's endpoints as it is made."""
        if self._app is None:
            import msal

            session = self._session = requests.Session()
            session.trust_env = False  # no proxy from the environment sees the client secret
            session.verify = self._verify
            try:
                self._app = msal.ConfidentialClientApplication(
                    self.client_id,
                    client_credential=self._secret,
                    authority=self.authority,
                    http_client=session,
                    timeout=self._timeout,
                    instance_discovery=False,  # the authority is the user's choice; no call to a third host
                )
            except (ValueError, requests.RequestException) as exc:
                raise NoVerdict(f"cannot use the authority {self.authority}: {str(exc).splitlines()[0]}") from None
        return self._app

    def close(self) -> None:
        """Close the connections to the authority (a run inside a longer-lived process leaves none open)."""
        if self._session is not None:
            self._session.close()

    def token(self) -> str:
        try:
            result = self._application().acquire_token_for_client(scopes=[self.scope])
        except requests.RequestException as exc:
            raise NoVerdict(f"no token from {self.authority}: {type(exc).__name__}") from None
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            error = result.get("error", "no access_token") if isinstance(result, dict) else "no answer"
            detail = str(result.get("error_description", "")).splitlines()[0] if isinstance(result, dict) else ""
            raise NoVerdict(f"no token from {self.authority} for client {self.client_id}: {error} {detail}".rstrip())
        self._on_token(token)
        return token
