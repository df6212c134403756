"""A small application using the installed ``virtengine-errors`` as its README says.

``python app.py http://127.0.0.1:<port>`` talks to ``server.py``; it exits 0 and prints
one ``ok:`` line per check, or exits 1 naming the check that failed. The install test
runs it, after ``mypy --strict``, in a fresh virtualenv outside the repository where
only the built wheel (with its ``httpx`` extra) is installed.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from importlib import metadata

import httpx
import virtengine_errors
from virtengine_errors import (
    APIError,
    NotFoundError,
    Retrier,
    RetryPolicy,
    VirtEngineError,
    catalog,
    decode_error,
)
from virtengine_errors.transport import Client, RetryTransport, raise_for_error

QUICK = RetryPolicy(base_delay=0.01, max_delay=0.05)


class CheckFailed(Exception):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)
    print(f"ok: {what}")


def retries_through_the_transport(base_url: str) -> None:
    retries: list[tuple[int, VirtEngineError]] = []
    transport = RetryTransport(
        policy=QUICK,
        on_retry=lambda attempt, error, delay, request: retries.append((attempt, error)),
    )
    with httpx.Client(base_url=base_url, transport=transport) as client:
        response = raise_for_error(client.get("/v1/flaky"))
    check(response.status_code == 200, "RetryTransport: GET /v1/flaky ends in 200")
    check(response.json() == {"ok": True}, "RetryTransport: the 200 body reaches the caller")
    check(response.headers["X-Attempt"] == "2", "RetryTransport: the server saw two attempts")
    check(len(retries) == 1 and retries[0][0] == 2, "RetryTransport: exactly one retry")
    first_error = retries[0][1]
    check(
        isinstance(first_error, APIError) and first_error.http_status == 503,
        "RetryTransport: the retried error was the 503",
    )


def retries_with_the_retrier(base_url: str) -> None:
    """The README's "Without httpx": any callable under the same rules (urllib here)."""
    retries: list[int] = []

    def send(attempt: int, timeout: float | None) -> bytes:
        try:
            with urllib.request.urlopen(
                f"{base_url}/v1/flaky-envelope", timeout=timeout or 10
            ) as reply:
                body: bytes = reply.read()
                return body
        except urllib.error.HTTPError as failure:
            raise decode_error(failure.code, failure.headers.items(), failure.read()) from None

    retrier = Retrier(
        QUICK, on_retry=lambda attempt, error, delay, request: retries.append(attempt)
    )
    body = retrier.call(send, method="GET")
    check(body == b'{"ok": true}', "Retrier: the second attempt's body is returned")
    check(retries == [2], "Retrier: exactly one retry after the 503 envelope")


def not_found_is_typed(base_url: str) -> None:
    with Client(base_url=base_url, policy=QUICK) as client:
        try:
            client.get("/v1/identities/42")
        except NotFoundError as err:
            check(err.code == "veid:1020", "NotFoundError: carries the code veid:1020")
            check(
                err.matches(catalog.VEID_IDENTITY_RECORD_NOT_FOUND),
                "NotFoundError: matches catalog.VEID_IDENTITY_RECORD_NOT_FOUND",
            )
            check(err.category == "not_found", "NotFoundError: category not_found")
            check(err.http_status == 404, "NotFoundError: HTTP status 404")
            check(not err.retryable and err.attempts == 1, "NotFoundError: not retried")
            check(err.request_id == "req-install-test", "NotFoundError: the request id")
            check(str(err) == "veid:1020: identity record not found", "NotFoundError: str()")
            return
        except APIError as err:
            raise CheckFailed(f"NotFoundError expected, got {err!r}") from err
    raise CheckFailed("GET /v1/identities/42 should have raised NotFoundError")


def installed_as_a_user_installs_it() -> None:
    meta = metadata.metadata("virtengine-errors")
    check(meta["Version"] == virtengine_errors.__version__, "metadata: the package's version")
    check(meta["License-Expression"] == "Apache-2.0", "metadata: License-Expression Apache-2.0")
    files = metadata.files("virtengine-errors") or []
    licenses = [f for f in files if f.name == "LICENSE"]
    check(
        len(licenses) == 1 and "Apache License" in licenses[0].read_text(),
        "metadata: the Apache License text is installed",
    )
    check(
        catalog.lookup("veid:1020") is catalog.VEID_IDENTITY_RECORD_NOT_FOUND,
        "catalog: lookup by wire form",
    )


def main() -> int:
    base_url = sys.argv[1]
    try:
        installed_as_a_user_installs_it()
        retries_through_the_transport(base_url)
        retries_with_the_retrier(base_url)
        not_found_is_typed(base_url)
    except CheckFailed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    except VirtEngineError as error:
        print(f"FAILED: unexpected {type(error).__name__}: {error!r}", file=sys.stderr)
        return 1
    print("install test app: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
