"""The reference server: correct on the happy path, a Graph error for every bad input, never a 5xx,
and a store that keeps what was created."""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from conformance.contract import error_validator
from conformance.server import BackgroundServer, Record, ReferenceServer, Store

TOKEN = "reference-token"
APP = "5b0bb1a8-7e7c-4c1e-9a0e-3f3b1c2d4e5f"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = ReferenceServer(token=TOKEN)
    with BackgroundServer(server.app(), server.base_path) as background:
        yield background.url


def post(base: str, body: bytes | None = b'{"secrets": []}', headers: dict | None = None, app: str = APP):
    headers = {"Authorization": f"Bearer {TOKEN}", **JSON} if headers is None else headers
    return requests.post(f"{base}/applications/{app}/synchronization", data=body, headers=headers, timeout=10)


def test_create_then_read_back(base: str) -> None:
    sent = {"secrets": [{"key": "UserName", "value": "ü 🔐"}, {"key": "Password"}]}
    created = post(base, json.dumps(sent).encode())
    assert created.status_code == 201
    body = created.json()
    assert body["@odata.type"] == "#microsoft.graph.synchronization"
    assert str(uuid.UUID(body["id"])) == body["id"]
    assert body["secrets"] == [{"key": "UserName", "value": "ü 🔐"}, {"key": "Password", "value": None}]
    assert created.headers["Location"].endswith(f"/applications/{APP}/synchronization")
    read = requests.get(created.headers["Location"], headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert read.status_code == 200 and read.json() == body


@pytest.mark.parametrize(
    "content_type, status",
    [
        ("application/json", 201),
        ("Application/JSON", 201),
        ("application/json; charset=utf-8", 201),
        ('application/json;charset="UTF8"', 201),
        ("application/json; odata.metadata=minimal", 201),
        ("application/json; charset", 201),
        ("application/json; charset=latin-1", 415),
        ("application/json, text/plain", 415),
        ("application/jsonx", 415),
        ("text/json", 415),
    ],
)
def test_the_media_type_is_read_as_a_media_type_not_a_string(base: str, content_type: str, status: int) -> None:
    """Parameters and case are allowed; another charset or another type is a 415."""
    response = post(base, headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": content_type})
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    "body, headers, app, status, code",
    [
        (b'{"secrets": []}', JSON, APP, 401, "InvalidAuthenticationToken"),
        (b'{"secrets": []}', {**JSON, "Authorization": "Bearer wrong"}, APP, 401, "InvalidAuthenticationToken"),
        (b'{"secrets": []}', {**JSON, "Authorization": TOKEN}, APP, 401, "InvalidAuthenticationToken"),
        (b'{"secrets": []}', {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"}, APP, 415, "UnsupportedMediaType"),
        (b'{"secrets": []}', {"Authorization": f"Bearer {TOKEN}"}, APP, 415, "UnsupportedMediaType"),
        (b'{"secrets": [', None, APP, 400, "BadRequest"),
        (b'\xff\xfe', None, APP, 400, "BadRequest"),
        (b'{"secrets": [], "x": NaN}', None, APP, 400, "BadRequest"),
        (b'{"secrets": [{"key": "Nope"}]}', None, APP, 400, "Request_BadRequest"),
        (b'{"secrets": "x"}', None, APP, 400, "Request_BadRequest"),
        (b"[]", None, APP, 400, "Request_BadRequest"),
        (b'{"secrets": []}', None, "not-a-guid", 400, "Request_BadRequest"),
    ],
    ids=[
        "no-token", "wrong-token", "no-scheme", "text-plain", "no-content-type", "malformed-json",
        "not-utf8", "nan", "key-not-member", "secrets-not-array", "not-an-object", "app-id-not-guid",
    ],
)  # fmt: skip
def test_bad_input_gets_a_graph_error(base: str, body, headers, app, status, code) -> None:
    response = post(base, body, headers, app)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()
    assert error_validator().is_valid(error), error
    assert error["error"]["code"] == code
    assert {"date", "request-id"} <= set(error["error"]["innerError"])
    assert response.headers["request-id"] == error["error"]["innerError"]["request-id"]


def test_unknown_paths_and_methods_get_graph_errors(base: str) -> None:
    missing = requests.get(f"{base}/nothing/here", timeout=10)
    assert missing.status_code == 404 and error_validator().is_valid(missing.json())
    wrong_method = requests.delete(f"{base}/applications/{APP}/synchronization", timeout=10)
    assert wrong_method.status_code == 405 and error_validator().is_valid(wrong_method.json())
    for response in (missing, wrong_method):
        assert response.headers["request-id"] == response.json()["error"]["innerError"]["request-id"]


@pytest.mark.parametrize(
    "authorization, challenge",
    [
        (None, "Bearer"),
        ("Basic Z3JhcGg6c3luYw==", "Bearer"),
        ("Bearer", "Bearer"),
        (TOKEN, "Bearer"),
        ("Bearer wrong", 'Bearer error="invalid_token"'),
        (f"Bearer {TOKEN}x", 'Bearer error="invalid_token"'),
    ],
    ids=["none", "another-scheme", "no-token", "no-scheme", "wrong-token", "token-with-more"],
)
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_every_401_challenges_for_a_bearer_token(base: str, method: str, authorization: str | None, challenge: str) -> None:
    """RFC 6750 § 3: a 401 carries `WWW-Authenticate: Bearer`; where a bearer token was sent and refused,
    with `error="invalid_token"`, and with no error code where none was (§ 3.1)."""
    headers = {**JSON, **({"Authorization": authorization} if authorization else {})}
    response = requests.request(method, f"{base}/applications/{APP}/synchronization", data=b'{"secrets": []}', headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == challenge


def send_with_headers(base: str, headers: list[tuple[str, str]], body: bytes = b'{"secrets": []}') -> tuple[int, dict, dict]:
    """POST with `headers` exactly as listed, a name repeated as often as it is (requests would merge them)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.putrequest("POST", f"{parts.path}/applications/{APP}/synchronization", skip_accept_encoding=True)
        for name, value in [*headers, ("Content-Length", str(len(body)))]:
            conn.putheader(name, value)
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, json.loads(response.read())
    finally:
        conn.close()


@pytest.mark.parametrize(
    "tokens",
    [(TOKEN, "wrong"), ("wrong", TOKEN), (TOKEN, TOKEN)],
    ids=["right-then-wrong", "wrong-then-right", "right-twice"],
)
def test_two_authorization_headers_are_refused_whichever_comes_first(base: str, tokens: tuple[str, str]) -> None:
    """Which of two credentials counts is not for the server to guess (one proxy adds a header, another
    reads the first): neither does."""
    sent = [("Content-Type", "application/json"), *(("Authorization", f"Bearer {token}") for token in tokens)]
    status, headers, error = send_with_headers(base, sent)
    assert (status, error["error"]["code"]) == (401, "InvalidAuthenticationToken"), error
    assert "Authorization" in error["error"]["message"]
    assert headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert headers["request-id"] == error["error"]["innerError"]["request-id"]


def test_location_names_the_server_s_own_address_whatever_the_host_header_says(base: str) -> None:
    """Host (and a proxy's X-Forwarded-Proto) is what a client says: reflected into Location, it would send
    whoever follows it wherever the sender chose. The Location names the address the server serves."""
    sent = {"Authorization": f"Bearer {TOKEN}", **JSON, "Host": "attacker.example", "X-Forwarded-Proto": "https"}
    created = post(base, headers=sent)
    assert created.status_code == 201
    assert created.headers["Location"] == f"{base}/applications/{APP}/synchronization"


def test_reading_an_application_with_nothing_created_is_404(base: str) -> None:
    response = requests.get(f"{base}/applications/{uuid.uuid4()}/synchronization", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "Request_ResourceNotFound"
    assert response.headers["request-id"] == response.json()["error"]["innerError"]["request-id"]


def test_client_request_id_is_echoed(base: str) -> None:
    response = post(base, headers={"Authorization": f"Bearer {TOKEN}", **JSON, "client-request-id": "abc-123"})
    assert response.headers["client-request-id"] == "abc-123"
    assert response.headers["request-id"]


def test_a_file_store_keeps_creates_across_restarts(tmp_path) -> None:
    path = str(tmp_path / "sync.db")
    first = Store(path)
    first.add(Record("11111111-1111-1111-1111-111111111111", APP, [{"key": "Url", "value": "a"}]))
    first.add(Record("22222222-2222-2222-2222-222222222222", APP, [{"key": "Url", "value": "b"}]))
    first.close()
    again = Store(path)
    assert again.count() == 2
    assert again.latest(APP) == Record("22222222-2222-2222-2222-222222222222", APP, [{"key": "Url", "value": "b"}])
    assert again.latest(str(uuid.uuid4())) is None


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_schemathesis_built_in_checks_pass_against_the_reference_server(base: str, mode: str) -> None:
    """Every built-in check that applies: no 5xx, statuses, media types and bodies as the schema
    declares them, valid data accepted and invalid data refused."""
    from hypothesis import HealthCheck, given, seed, settings
    from schemathesis.generation import GenerationMode

    from conformance.generation import Generator

    operation = Generator((APP,)).operation
    session = requests.Session()
    statuses: list[int] = []

    @seed(7)
    @settings(max_examples=150, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=GenerationMode(mode), path_parameters={"applicationsId": APP}))
    def conforms(case) -> None:
        response = case.call_and_validate(base_url=base, session=session, headers={"Authorization": f"Bearer {TOKEN}"})
        statuses.append(response.status_code)

    conforms()
    # Negative mode also breaks the security requirement, which the fixed Authorization header mends.
    assert set(statuses) == {201} if mode == "positive" else 400 in statuses, sorted(set(statuses))


def test_created_objects_survive_a_restart(tmp_path) -> None:
    path = str(tmp_path / "sync.db")
    first = ReferenceServer(token=TOKEN, store=Store(path))
    with BackgroundServer(first.app(), first.base_path) as background:
        created = post(background.url, b'{"secrets": [{"key": "Url", "value": "kept"}]}').json()
    first.store.close()
    again = ReferenceServer(token=TOKEN, store=Store(path))
    with BackgroundServer(again.app(), again.base_path) as background:
        read = requests.get(
            f"{background.url}/applications/{APP}/synchronization", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        )
    assert read.status_code == 200 and read.json() == created


@pytest.mark.slow
def test_concurrent_creates_lose_nothing(base: str) -> None:
    """8 threads x 200 creates, each under its own application, every id read back."""
    from concurrent.futures import ThreadPoolExecutor

    def creates(worker: int) -> list[tuple[str, str]]:
        session = requests.Session()
        made = []
        for n in range(200):
            app = str(uuid.UUID(int=worker << 64 | n))
            body = json.dumps({"secrets": [{"key": "Url", "value": f"{worker}-{n}"}]}).encode()
            response = session.post(
                f"{base}/applications/{app}/synchronization",
                data=body, headers={"Authorization": f"Bearer {TOKEN}", **JSON}, timeout=30,
            )  # fmt: skip
            assert response.status_code == 201, response.text
            made.append((app, response.json()["id"]))
        return made

    with ThreadPoolExecutor(8) as pool:
        made = [pair for batch in pool.map(creates, range(8)) for pair in batch]
    assert len({created for _, created in made}) == 1600
    session = requests.Session()
    for app, created in made:
        read = session.get(f"{base}/applications/{app}/synchronization", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        assert read.json()["id"] == created


@pytest.mark.slow
def test_the_compiled_request_schema_decides_as_jsonschema_does() -> None:
    """The server decides with jsonschema-rs and words refusals with jsonschema: on every body the
    suite sends (the chosen ones and 300 drawn each way, as they arrive after a JSON round trip),
    the two agree."""
    from hypothesis import HealthCheck, given, seed, settings
    from hypothesis import strategies as st

    from conformance.contract import accepts, request_validator
    from conformance.corpus import INVALID_BODIES
    from conformance.generation import Generator

    generator = Generator((APP,))
    chosen = [case.body for _, case in generator.valid_explicit] + list(INVALID_BODIES.values())
    decisions: list[bool] = []

    def agree(body) -> None:
        body = json.loads(json.dumps(body))
        decisions.append(request_validator().is_valid(body))
        assert accepts(request_validator(), body) == decisions[-1], body

    for body in chosen:
        agree(body)

    @seed(11)
    @settings(max_examples=600, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(generator.valid, generator.invalid))
    def drawn(case) -> None:
        agree(case.body)

    drawn()
    assert True in decisions and False in decisions


def test_head_reads_back_like_get_without_a_body(base: str) -> None:
    created = post(base)
    assert created.status_code == 201
    head = requests.head(created.headers["Location"], headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert head.status_code == 200 and head.content == b"" and head.headers["request-id"]
