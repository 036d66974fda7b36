"""Targets that throttle, as live Microsoft Graph does: the reference server behind an ASGI front that
answers some requests 429 Too Many Requests (or 503 Service Unavailable) with Retry-After instead
of passing them on. A throttled request was not handled, so sending it again is correct; the suite
must wait as asked, send it again, and judge only real answers. A target that throttles one kind of
request without end, and answers the rest at once, is up and refuses that request: it is judged.
"""

from __future__ import annotations

import json
import time
from email.utils import formatdate
from typing import Any

from conformance.server import ReferenceServer
from conformance.server.graph import graph_error_body

from .hostile import not_json


class Throttled(ReferenceServer):
    """The reference server, throttling every `every`-th POST with `status` and Retry-After."""

    every = 10
    status = 429

    def retry_after(self) -> str:
        """Retry-After as delta-seconds."""
        return "1"

    def throttles(self, body: bytes) -> bool:
        """Whether this POST (the `posts`-th, with this body) is throttled."""
        return self.posts % self.every == 0

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.posts = 0
        self.throttled = 0
        self.times: list[float] = []
        """When each POST arrived (time.monotonic()), throttled or not."""

    def app(self) -> Any:
        inner = super().app()

        async def front(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http" or scope["method"] != "POST":
                return await inner(scope, receive, send)
            self.posts += 1
            self.times.append(time.monotonic())
            body, more = b"", True
            while more:
                message = await receive()
                body, more = body + message.get("body", b""), message.get("more_body", False)
            if not self.throttles(body):
                return await inner(scope, _replay(body, receive), send)
            self.throttled += 1
            body = json.dumps(graph_error_body("TooManyRequests", "Too many requests.", "throttled")).encode()
            headers = [(b"content-type", b"application/json"), (b"retry-after", self.retry_after().encode())]
            headers += [(b"content-length", str(len(body)).encode()), (b"request-id", b"throttled")]
            await send({"type": "http.response.start", "status": self.status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        return front


def _replay(body: bytes, receive: Any) -> Any:
    """`receive` for the app behind the front, which has read the request body already."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def again() -> Any:
        return pending.pop() if pending else await receive()

    return again


class ThrottlesEveryTenth(Throttled):
    """429 on every 10th request, with `Retry-After: 1` the first WAITED times and `Retry-After: 0`
    after (retry at once: a throttled request is sent again all the same, and not judged): correct,
    and must pass. `asked` adds up the seconds it asked for."""

    WAITED = 2

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.asked = 0

    def retry_after(self) -> str:
        wait = 1 if self.throttled <= self.WAITED else 0
        self.asked += wait
        return str(wait)


class Unavailable503WithDate(Throttled):
    """503 with Retry-After as an HTTP-date on every 15th request: correct, and must pass."""

    every = 15
    status = 503

    def retry_after(self) -> str:
        """Retry-After as an HTTP-date, the next whole second of the clock or the one after (an
        HTTP-date counts whole seconds): up to a second ahead."""
        return formatdate(time.time() + 1, usegmt=True)


class ThrottlesEverything(Throttled):
    """429 with `Retry-After: 0` on every request (asked to try again at once, for ever): no verdict can be reached."""

    every = 1

    def retry_after(self) -> str:
        return "0"


class RecordsArrivals(Throttled):
    """Throttles nothing; notes when each request arrived (to check --rate-limit)."""

    every = 10**9


class Unavailable503OnMalformedJson(Throttled):
    """503 with `Retry-After: 0` on every body that is not JSON, forever, and everything else answered at
    once (a gateway's default for a decode error): broken, SYNC-NO-5XX."""

    status = 503

    def retry_after(self) -> str:
        return "0"

    def throttles(self, body: bytes) -> bool:
        return not_json(body)


class TooManyRequestsOnMalformedJson(Unavailable503OnMalformedJson):
    """429 with a Retry-After date already past on every body that is not JSON, forever: broken,
    SYNC-MALFORMED-JSON-400 (a body that is not JSON is refused with 400)."""

    status = 429

    def retry_after(self) -> str:
        return formatdate(time.time() - 5, usegmt=True)


class AsksForAnHourOnMalformedJson(Unavailable503OnMalformedJson):
    """429 with `Retry-After: 3600` on every body that is not JSON: a wait longer than any run takes.
    The request is not waited out, so its answer is not judged (a throttled request is no failure)."""

    status = 429

    def retry_after(self) -> str:
        return "3600"
