"""The client: one method per question, the budget, kept answers, exports, reports and jobs."""

from __future__ import annotations

import datetime as _dt
import json
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Union

import pandas as pd

from ._http import CrowdlensError, Transport, UnsupportedServer
from .frames import Answer, Price, answer_frame, records_frame, reply_value

#: The server API versions (``api_version`` of ``GET /v1/health``) this client speaks.
SUPPORTED_API_VERSIONS = (1,)

#: A time as the server takes it: RFC 3339 text or a date (``2026-11-02``), a timezone-aware
#: datetime, or a date.
Instant = Union[str, _dt.datetime, _dt.date]
#: A span: text such as ``1h`` or ``30m``, or a timedelta.
Span = Union[str, _dt.timedelta]

EXPORT_FORMATS = ("csv", "json", "geojson", "geoparquet")


def _instant(name: str, value: Instant) -> str:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise CrowdlensError(
                "bad_parameter",
                f"{name}: {value!r} has no time zone; give an aware datetime (tzinfo=datetime.timezone.utc)",
                field=name,
            )
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def _span(name: str, value: Span) -> str:
    if isinstance(value, _dt.timedelta):
        seconds = value.total_seconds()
        if seconds != int(seconds):
            raise CrowdlensError("bad_parameter", f"{name}: give whole seconds, not {value}", field=name)
        return f"{int(seconds)}s"
    return str(value)


#: How each parameter type of the descriptors is written in a body.
_ENCODERS: Dict[str, Callable[[str, Any], Any]] = {"instant": _instant, "span": _span}


class Job:
    """A question running on the server as a job (``POST /v1/jobs``).

    ``status()`` says its stage and progress, ``wait()`` follows it to its end, ``result()``
    gives what asking would have, and ``cancel()`` drops it: a question already charged keeps
    its charge, and the audit log says it was abandoned after it."""

    def __init__(self, client: "Client", status: Mapping[str, Any]):
        self._client = client
        self.id: str = status["id"]
        self.question: str = status["question"]
        self.last: Dict[str, Any] = dict(status)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.question} {self.last.get('status')} {self.last.get('progress', 0):.0%}>"

    def status(self, wait: Optional[float] = None) -> Dict[str, Any]:
        """The job's status: ``status`` (running, done, failed, cancelled), ``stage``
        (queued, checking, reading, releasing, finished), ``progress`` from 0 to 1, and a
        failed job's ``error``. With ``wait`` (seconds, at most 30), the server answers once
        the job has moved on, or after that long."""
        self.last = self._client._transport.request(
            "GET", f"/v1/jobs/{self.id}", query={"wait": wait}, timeout=(wait or 0) + self._client._transport.timeout
        )
        return self.last

    @property
    def finished(self) -> bool:
        return self.last.get("status") != "running"

    def wait(
        self,
        timeout: Optional[float] = None,
        on_progress: Optional[Callable[[Dict[str, Any]], None]] = None,
    ) -> Dict[str, Any]:
        """Follows the job to its end and returns its last status. ``on_progress`` is called
        with each status seen; ``timeout`` (seconds) raises ``CrowdlensError`` (code
        ``job_timeout``) if the job has not finished by then, leaving it running."""
        started = time.monotonic()
        status = self.last
        while status.get("status") == "running":
            left = None if timeout is None else timeout - (time.monotonic() - started)
            if left is not None and left <= 0:
                raise CrowdlensError(
                    "job_timeout", f"job {self.id} is still running after {timeout} s; wait again, or cancel it"
                )
            try:
                status = self.status(wait=min(5.0, left) if left is not None else 5.0)
            except CrowdlensError as e:
                # Over the rate limit the job goes on: look again shortly.
                if e.status != 429:
                    raise
                time.sleep(5.0)
                continue
            if on_progress:
                on_progress(status)
        return status

    def result(self) -> Union[Answer, Price]:
        """The finished job's answer (or a dry run's price), as asking would have given it. A
        failed job raises its error; a running one ``job_running``; a cancelled one
        ``job_cancelled``."""
        reply = self._client._transport.request("GET", f"/v1/jobs/{self.id}/result")
        return reply_value(reply, self._client._descriptor(self.question), self._client)

    def cancel(self) -> Dict[str, Any]:
        """Cancels the running job and returns its status (``cancelled``); a finished job
        raises ``job_finished``."""
        self.last = self._client._transport.request("POST", f"/v1/jobs/{self.id}/cancel")
        return self.last


class Client:
    """A crowdlens server, reached with one token.

    >>> client = Client("http://127.0.0.1:8787", token)        # doctest: +SKIP
    >>> df = client.presence("bbox:-93.285,44.968,-93.245,44.988", "2026-11-02", "2026-11-03",
    ...                      bucket="3h", accuracy=12, case="C-1", purpose="research")  # doctest: +SKIP

    Every question takes ``case`` and ``purpose`` (recorded in the audit log), ``dry_run``
    (price it, charge nothing: returns a `Price`) and ``job`` (run it as a job: returns a
    `Job`). Answers are `Answer` frames. Errors raise `CrowdlensError` with the server's
    ``code``, ``message``, ``status`` and ``field``.

    The client checks the server's API version (``GET /v1/health``) when it is made, and
    refuses one it does not speak (`UnsupportedServer`)."""

    def __init__(self, url: str, token: Optional[str], *, timeout: float = 300.0):
        self._transport = Transport(url, token, timeout)
        health = self._transport.request("GET", "/v1/health")
        version = health.get("api_version") if isinstance(health, dict) else None
        if version not in SUPPORTED_API_VERSIONS:
            supported = ", ".join(str(v) for v in SUPPORTED_API_VERSIONS)
            raise UnsupportedServer(
                "unsupported_api_version",
                f"the server at {self._transport.base} speaks API version {version!r} "
                f"(crowdlens {health.get('crowdlens', '?') if isinstance(health, dict) else '?'}); this client "
                f"(crowdlens {_client_version()}) speaks {supported}: install the client that matches the server",
            )
        self.api_version: int = version
        self.server_version: str = health.get("crowdlens", "")
        self._descriptors: Optional[Dict[str, Dict[str, Any]]] = None

    def __repr__(self) -> str:
        return f"<crowdlens.Client {self._transport.base} (crowdlens {self.server_version}, API v{self.api_version})>"

    # -- what the server offers ----------------------------------------------------------------

    def token_info(self) -> Dict[str, Any]:
        """The calling token's name and role."""
        return self._transport.request("GET", "/v1/token")

    def questions(self) -> List[Dict[str, Any]]:
        """Every question's descriptor: its parameters (types, defaults, help), its answer's
        key fields and units (``GET /v1/questions``)."""
        return list(self._descriptor_map().values())

    def _descriptor_map(self) -> Dict[str, Dict[str, Any]]:
        if self._descriptors is None:
            document = self._transport.request("GET", "/v1/questions")
            self._descriptors = {d["kind"]: d for d in document["questions"]}
        return self._descriptors

    def _descriptor(self, kind: str) -> Optional[Dict[str, Any]]:
        return self._descriptor_map().get(kind)

    def store(self) -> Dict[str, Any]:
        """The store's public settings and rules, its first and last day, and where its map opens."""
        return self._transport.request("GET", "/v1/store")

    # -- asking --------------------------------------------------------------------------------

    def _body(self, kind: str, case: str, purpose: str, dry_run: bool, params: Mapping[str, Any]) -> Dict[str, Any]:
        descriptor = self._descriptor(kind)
        if descriptor is None:
            known = ", ".join(self._descriptor_map())
            raise CrowdlensError("unknown_question", f"the server has no question {kind!r}; it has {known}")
        types = {p["name"]: p["type"] for p in descriptor["params"]}
        body: Dict[str, Any] = {"case": case, "purpose": purpose}
        if dry_run:
            body["dry_run"] = True
        for name, value in params.items():
            name = name[:-1] if name.endswith("_") else name
            if value is None:
                continue
            encode = _ENCODERS.get(types.get(name, ""))
            body[name] = encode(name, value) if encode else value
        return body

    def ask(
        self,
        question: str,
        *,
        case: str,
        purpose: str,
        dry_run: bool = False,
        job: bool = False,
        **params: Any,
    ) -> Union[Answer, Price, Job]:
        """Asks `question` (its kind, such as ``presence``) with the parameters its descriptor
        lists; a parameter left as None takes the server's default. The typed methods
        (`presence`, `flows`, ...) call this."""
        body = self._body(question, case, purpose, dry_run, params)
        if job:
            status = self._transport.request("POST", "/v1/jobs", body={"question": question, **body})
            return Job(self, status)
        reply = self._transport.request("POST", f"/v1/ask/{question}", body=body)
        return reply_value(reply, self._descriptor(question), self)

    def _ask_with(self, question: str, arguments: Dict[str, Any]) -> Union[Answer, Price, Job]:
        """Asks `question` with a typed method's arguments (its ``locals()``): every parameter
        its signature has, which the tests check against the question's descriptor."""
        arguments = {k: v for k, v in arguments.items() if k != "self"}
        return self.ask(question, **arguments)

    def submit(self, question: str, *, case: str, purpose: str, dry_run: bool = False, **params: Any) -> Job:
        """Submits `question` as a job and returns at once; see `Job`."""
        result = self.ask(question, case=case, purpose=purpose, dry_run=dry_run, job=True, **params)
        assert isinstance(result, Job)
        return result

    def jobs(self) -> List[Job]:
        """This token's jobs, newest first (finished ones are kept for an hour)."""
        return [Job(self, s) for s in self._transport.request("GET", "/v1/jobs")["jobs"]]

    def presence(
        self,
        area: str,
        from_: Instant,
        to: Instant,
        *,
        case: str,
        purpose: str,
        bucket: Optional[Span] = None,
        res: Optional[int] = None,
        accuracy: Optional[float] = None,
        epsilon: Optional[float] = None,
        mechanism: Optional[str] = None,
        max_partitions: Optional[int] = None,
        dry_run: bool = False,
        job: bool = False,
    ) -> Union[Answer, Price, Job]:
        """Distinct devices per H3 cell and time bucket, over an area and a window.

        Keys: ``bucket_start`` (UTC timestamp) and ``cell`` (H3). ``area`` is ``bbox:W,S,E,N``,
        ``cells:...`` or a GeoJSON polygon as text; ``bucket`` defaults to 1h on the server.
        Give ``accuracy`` (the interval's half-width wanted) or ``epsilon``."""
        return self._ask_with("presence", locals())

    def flows(
        self,
        from_: Instant,
        to: Instant,
        *,
        case: str,
        purpose: str,
        area: Optional[str] = None,
        zones_res: Optional[int] = None,
        top_from: Optional[str] = None,
        accuracy: Optional[float] = None,
        epsilon: Optional[float] = None,
        mechanism: Optional[str] = None,
        max_partitions: Optional[int] = None,
        dry_run: bool = False,
        job: bool = False,
    ) -> Union[Answer, Price, Job]:
        """Devices moving from one zone to another within the window.

        Keys: ``origin`` and ``destination`` (H3 cells at ``zones_res`` over ``area``), or the
        destinations found in the data of one origin cell (``top_from``)."""
        return self._ask_with("flows", locals())

    def dwell(
        self,
        area: str,
        from_: Instant,
        to: Instant,
        *,
        case: str,
        purpose: str,
        res: Optional[int] = None,
        max_gap: Optional[Span] = None,
        accuracy: Optional[float] = None,
        epsilon: Optional[float] = None,
        mechanism: Optional[str] = None,
        max_partitions: Optional[int] = None,
        dry_run: bool = False,
        job: bool = False,
    ) -> Union[Answer, Price, Job]:
        """How long visits to an area last, as a histogram of visit lengths.

        Key: ``dwell``, the visit-length bin. A gap of ``max_gap`` (30m on the server by
        default) ends a visit."""
        return self._ask_with("dwell", locals())

    def co_visit(
        self,
        area: str,
        area_b: str,
        from_: Instant,
        to: Instant,
        *,
        case: str,
        purpose: str,
        res: Optional[int] = None,
        accuracy: Optional[float] = None,
        epsilon: Optional[float] = None,
        mechanism: Optional[str] = None,
        dry_run: bool = False,
        job: bool = False,
    ) -> Union[Answer, Price, Job]:
        """Devices seen in both area A and area B, and how long after A they reached B.

        Keys: ``measure`` (``devices_in_both`` or ``lag``) and ``lag`` (the lag bin)."""
        return self._ask_with("co-visit", locals())

    def series(
        self,
        area: str,
        baseline_from: Instant,
        baseline_to: Instant,
        from_: Instant,
        to: Instant,
        *,
        case: str,
        purpose: str,
        res: Optional[int] = None,
        bucket: Optional[Span] = None,
        accuracy: Optional[float] = None,
        epsilon: Optional[float] = None,
        mechanism: Optional[str] = None,
        max_partitions: Optional[int] = None,
        dry_run: bool = False,
        job: bool = False,
    ) -> Union[Answer, Price, Job]:
        """Devices in an area per time bucket, with the change against a baseline window.

        Keys: ``bucket_start`` (UTC timestamp) and ``period`` (``window`` or ``baseline``);
        the change against the baseline is in ``attrs["answer"]["derived"]``."""
        return self._ask_with("series", locals())

    def reach(
        self,
        area: str,
        from_: Instant,
        to: Instant,
        *,
        case: str,
        purpose: str,
        zones_res: Optional[int] = None,
        categories: Optional[str] = None,
        accuracy: Optional[float] = None,
        epsilon: Optional[float] = None,
        mechanism: Optional[str] = None,
        max_partitions: Optional[int] = None,
        dry_run: bool = False,
        job: bool = False,
    ) -> Union[Answer, Price, Job]:
        """Devices shown ads of each content category, per zone (bid-request stores).

        Keys: ``category``, ``category_name`` and ``zone`` (H3). ``categories`` is ``tier1``
        (the IAB taxonomies' public top tiers, the server's default) or ``found``."""
        return self._ask_with("reach", locals())

    # -- the budget, kept answers and exports ---------------------------------------------------

    def budget(self) -> pd.DataFrame:
        """ε and δ spent and remaining per epoch (week), one row each; the rules and the spend
        by case are in ``attrs``."""
        reply = self._transport.request("GET", "/v1/budget")
        frame = records_frame(reply.get("epochs", []))
        frame.attrs = {k: v for k, v in reply.items() if k != "epochs"}
        return frame

    def answers(self, case: Optional[str] = None) -> pd.DataFrame:
        """Kept answers, newest first: one row each (its id, question, case, purpose, ε, rows,
        when it was released). Reading one again is free: `answer`."""
        reply = self._transport.request("GET", "/v1/answers", query={"case": case})
        records = reply.get("answers", reply) if isinstance(reply, dict) else reply
        return records_frame(records, times=("at",))

    def answer(self, answer_id: int, *, adjust: bool = False) -> Answer:
        """Kept answer `answer_id`, read again without a charge (its digest checked against
        the audit log). ``adjust`` adds the post-processed values (non-negative, totals
        consistent with their parts) as ``adjusted``."""
        reply = self._transport.request("GET", f"/v1/answers/{int(answer_id)}", query={"adjust": adjust or None})
        return answer_frame(reply, self._descriptor(reply.get("question", "")), self)

    def receipt(self, answer_id: int) -> Dict[str, Any]:
        """The store's signed receipt for kept answer `answer_id` (a ``crowdlens-signed/1``
        envelope): check it offline with the store's public key (`public_key`), as the README
        shows, or with ``crowdlens verify``."""
        return self._transport.request("GET", f"/v1/answers/{int(answer_id)}/receipt")

    def public_key(self) -> str:
        """The store's Ed25519 public key as PEM, which its receipts and signed reports are
        checked with. Get it once and keep it: a receipt is only as good as the key you trust."""
        return self._transport.request("GET", "/v1/key")["pem"]

    def approvals(self, pending: bool = False) -> List[Dict[str, Any]]:
        """Approval requests: an analyst's own, or a supervisor's view of everyone's."""
        reply = self._transport.request("GET", "/v1/approvals", query={"pending": pending or None})
        return reply["approvals"]

    def approve(self, request: int, reason: str, *, decline: bool = False) -> Dict[str, Any]:
        """Approve (or decline) pending request `request` (supervisor; never one's own)."""
        verb = "decline" if decline else "approve"
        return self._transport.request("POST", f"/v1/approvals/{int(request)}/{verb}", body={"reason": reason})

    def export(
        self,
        answer_id: int,
        format: str = "csv",
        path: Optional[Union[str, Path]] = None,
        *,
        adjust: bool = False,
    ) -> Any:
        """Kept answer `answer_id` as a file that carries its question: ``csv``, ``json``,
        ``geojson`` or ``geoparquet`` (GeoParquet 1.1). With `path`, it is written there and
        the path returned; without, JSON formats come back parsed, CSV as text and GeoParquet
        as bytes."""
        if format not in EXPORT_FORMATS:
            raise CrowdlensError(
                "bad_parameter", f"format: give one of {', '.join(EXPORT_FORMATS)}, not {format!r}", field="format"
            )
        content = self._transport.request(
            "GET", f"/v1/answers/{int(answer_id)}/export", query={"format": format, "adjust": adjust or None}, raw=True
        )
        if path is not None:
            path = Path(path)
            path.write_bytes(content)
            return path
        if format in ("json", "geojson"):
            return json.loads(content)
        if format == "csv":
            return content.decode("utf-8")
        return content

    # -- oversight -------------------------------------------------------------------------------

    def audit(self) -> Dict[str, Any]:
        """The audit log and whether its chain verifies (auditor)."""
        return self._transport.request("GET", "/v1/audit")

    def report(self, format: str = "json", *, from_: Optional[Instant] = None, to: Optional[Instant] = None) -> Any:
        """The transparency report (auditor): its JSON, or with ``format="html"`` the
        self-contained page as text; ``from_`` and ``to`` (dates) limit its period."""
        if format not in ("json", "html", "signed"):
            raise CrowdlensError("bad_parameter", f"format: give json, signed or html, not {format!r}", field="format")
        query = {
            "format": format if format != "json" else None,
            "from": _instant("from", from_) if from_ is not None else None,
            "to": _instant("to", to) if to is not None else None,
        }
        content = self._transport.request("GET", "/v1/report", query=query, raw=True)
        return content.decode("utf-8") if format == "html" else json.loads(content)


def _client_version() -> str:
    from . import __version__

    return __version__
