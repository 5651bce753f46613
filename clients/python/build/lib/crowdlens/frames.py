"""Answers as pandas DataFrames, and their places as GeoPandas frames."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence

import pandas as pd

from ._http import CrowdlensError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas

    from .client import Client

#: The measures of a row, after its key's fields: the released value and its interval, and
#: the post-processed value when it was asked for (``adjust=True``).
MEASURES = ("value", "ci_low", "ci_high", "adjusted")


class Price(dict):
    """A dry run's reply: what the question would cost (``epsilon``, ``delta``, ``epochs``,
    ``mechanism``), the interval it would have (``ci_half_width``), and how many more such
    questions the budget allows (``questions_left``). Nothing was charged."""


class Answer(pd.DataFrame):
    """A released answer: one row per key, its key's fields first, then ``value``, ``ci_low``
    and ``ci_high`` (and ``adjusted`` when asked for).

    Key columns are typed from the question's descriptor: times are timezone-aware (UTC)
    timestamps, cells and zones H3 strings (or a named zone's name), labels and categories
    strings. ``attrs["question"]`` holds the whole question as asked, defaults filled in, and
    ``attrs["answer"]`` everything else the server said about it (ε and δ charged, epochs,
    mechanism, case, purpose, the kept answer's id, derived results)."""

    _metadata = ["_client"]

    @property
    def _constructor(self):  # type: ignore[override]
        return Answer

    @property
    def question(self) -> Dict[str, Any]:
        """The whole question as asked (its kind and every parameter)."""
        return self.attrs.get("question", {})

    @property
    def answer_id(self) -> Optional[int]:
        """The kept answer's id (``client.answer(id)`` reads it again, free)."""
        about = self.attrs.get("answer", {})
        reused = about.get("reused")
        if isinstance(reused, dict) and reused.get("answer") is not None:
            return int(reused["answer"])
        return about.get("audit_id")

    def to_geodataframe(self) -> "geopandas.GeoDataFrame":
        """This answer with a ``geometry`` column (WGS 84 longitude and latitude): each cell's
        or zone's polygon, a flow's line between its cells' centres, and no geometry for rows
        without a place (dwell's bins, co-visit's lags). The geometry is the server's GeoJSON
        export of the kept answer, so it is exactly what GIS tools are given.

        Needs the ``geo`` extra: ``pip install 'crowdlens[geo]'``."""
        try:
            import geopandas
            from shapely.geometry import shape
        except ImportError as e:  # pragma: no cover - exercised only without the extra
            raise CrowdlensError(
                "missing_extra", f"to_geodataframe needs GeoPandas ({e}): pip install 'crowdlens[geo]'"
            ) from None
        client = getattr(self, "_client", None)
        if client is None or self.answer_id is None:
            raise CrowdlensError(
                "no_answer", "this frame is not a kept answer of a server: ask it (or read it) through a Client"
            )
        adjust = "adjusted" in self.columns
        collection = client.export(self.answer_id, "geojson", adjust=adjust)
        features = collection["features"]
        if len(features) != len(self):
            raise CrowdlensError(
                "mismatch", f"the export of answer #{self.answer_id} has {len(features)} rows, this frame {len(self)}"
            )
        geometries = [shape(f["geometry"]) if f.get("geometry") else None for f in features]
        frame = geopandas.GeoDataFrame(pd.DataFrame(self), geometry=geometries, crs="EPSG:4326")
        frame.attrs = dict(self.attrs)
        return frame


def key_types(descriptor: Optional[Mapping[str, Any]]) -> Dict[str, str]:
    """A question's key fields by name, with their types (``timestamp``, ``cell``, ...)."""
    if not descriptor:
        return {}
    return {k["name"]: k["type"] for k in descriptor.get("keys", [])}


def answer_frame(reply: Mapping[str, Any], descriptor: Optional[Mapping[str, Any]], client: "Client") -> Answer:
    """The frame of a released or kept answer's JSON."""
    rows: List[Mapping[str, Any]] = reply.get("rows") or []
    keys = key_types(descriptor)
    seen: List[str] = []
    for row in rows:
        for name in row:
            if name not in seen:
                seen.append(name)
    # The descriptor's keys in its order, then any other key field the rows carry, then the
    # measures: the same order for every answer to a question, whatever its rows hold.
    columns = [k for k in keys if k in seen]
    columns += [c for c in seen if c not in columns and c not in MEASURES]
    columns += [m for m in MEASURES if m in seen]
    frame = Answer(pd.DataFrame.from_records(list(rows), columns=columns) if rows else pd.DataFrame(columns=columns))
    for name in columns:
        kind = keys.get(name)
        if name in MEASURES:
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
        elif kind == "timestamp":
            frame[name] = pd.to_datetime(frame[name], utc=True)
        elif kind in ("cell", "zone", "label", "category"):
            frame[name] = frame[name].astype("string")
    frame.attrs["question"] = dict(reply.get("asked") or {})
    frame.attrs["answer"] = {k: v for k, v in reply.items() if k != "rows"}
    frame._client = client
    return frame


def reply_value(reply: Mapping[str, Any], descriptor: Optional[Mapping[str, Any]], client: "Client"):
    """An answer as an `Answer`, a dry run's price as a `Price`."""
    if "rows" in reply:
        return answer_frame(reply, descriptor, client)
    return Price(reply)


def records_frame(records: Sequence[Mapping[str, Any]], times: Sequence[str] = ()) -> pd.DataFrame:
    """A list of JSON objects as a frame, the named columns as UTC timestamps."""
    frame = pd.DataFrame.from_records(list(records))
    for name in times:
        if name in frame.columns:
            frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame
