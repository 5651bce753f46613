"""The HTTP layer: one request to a crowdlens server, its errors as `CrowdlensError`."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings
from typing import Any, Mapping, Optional, Union


class CrowdlensError(Exception):
    """An error the server returned, or one the client found before asking.

    Attributes:
        code: the server's stable error code (``forbidden``, ``bad_parameter``,
            ``budget_exhausted``, ...); a refused question's is the code its audit entry
            records.
        message: what was wrong and how to fix it, as the server says it.
        status: the HTTP status (0 when the server was not reached).
        field: the question parameter the error is about, when it names one.
    """

    def __init__(self, code: str, message: str, status: int = 0, field: Optional[str] = None):
        super().__init__(f"{code}: {message}" + (f" (field {field})" if field else ""))
        self.code = code
        self.message = message
        self.status = status
        self.field = field


class UnsupportedServer(CrowdlensError):
    """The server speaks an API version this client does not know."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuses redirects: urllib would send the token on to wherever one points."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - urllib's hook
        raise CrowdlensError(
            "redirected",
            f"the server redirected {req.full_url} to {newurl}; give the server's own address (the token is "
            "not sent on)",
            code,
        )


_OPENER = urllib.request.build_opener(_NoRedirects)


class Transport:
    """Requests to one server with one token."""

    def __init__(self, url: str, token: Optional[str], timeout: float):
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise CrowdlensError(
                "bad_url", f"{url!r} is not a server's address: give one like http://127.0.0.1:8787"
            )
        if parsed.scheme == "http" and parsed.hostname not in ("127.0.0.1", "localhost", "::1") and token:
            warnings.warn(
                f"{url}: the token crosses the network in the clear over http; use https beyond loopback",
                stacklevel=3,
            )
        self.base = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Optional[Mapping[str, Any]] = None,
        query: Optional[Mapping[str, Any]] = None,
        raw: bool = False,
        timeout: Optional[float] = None,
    ) -> Union[Any, bytes]:
        """The reply's JSON (or its bytes when `raw`); an error reply raises `CrowdlensError`."""
        url = self.base + path
        if query:
            pairs = {k: _query_value(v) for k, v in query.items() if v is not None}
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with _OPENER.open(request, timeout=timeout or self.timeout) as reply:
                content = reply.read()
        except urllib.error.HTTPError as e:
            raise _error_of(e.code, e.read()) from None
        except urllib.error.URLError as e:
            raise CrowdlensError(
                "unreachable", f"cannot reach {self.base}: {e.reason}; is `crowdlens serve` running there?"
            ) from None
        except TimeoutError:
            raise CrowdlensError(
                "timeout",
                f"{method} {path} had no reply within {timeout or self.timeout} s; a long question can be "
                "submitted as a job instead (job=True)",
            ) from None
        if raw:
            return content
        try:
            return json.loads(content)
        except ValueError:
            raise CrowdlensError("bad_reply", f"{method} {path}: the server's reply is not JSON") from None


def _query_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _error_of(status: int, content: bytes) -> CrowdlensError:
    try:
        body = json.loads(content)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        return CrowdlensError(body["code"], str(body.get("message", "")), status, body.get("field"))
    text = content.decode("utf-8", "replace")[:200]
    return CrowdlensError("http_error", f"HTTP {status}: {text}", status)
