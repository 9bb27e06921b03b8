"""Traces for llm-bridge with the standard library only (no OpenTelemetry package is reachable here).

A request that arrives with a W3C `traceparent` continues that trace: its spans (the request, the planner or upstream
call, with token counts) are sent as OTLP/HTTP JSON to OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces) in the background,
with OTEL_EXPORTER_OTLP_HEADERS and OTEL_SERVICE_NAME as Aspire sets them. A request whose caller did not sample its
trace (flag 00) records nothing; with no endpoint configured nothing is sent. The current span lives in a context
variable, so the logging filter can stamp each line with its trace id.
"""
import contextvars
import json
import logging
import os
import queue
import re
import secrets
import threading
import time
import urllib.parse
import urllib.request

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_current = contextvars.ContextVar("span", default=None)
log = logging.getLogger("llm-bridge.telemetry")


def parse_traceparent(value):
    """(trace_id, parent_span_id, sampled) from a W3C traceparent, or None when absent or malformed."""
    match = _TRACEPARENT.match((value or "").strip().lower())
    if not match or match.group(1) == "0" * 32 or match.group(2) == "0" * 16:
        return None
    return match.group(1), match.group(2), int(match.group(3), 16) & 1 == 1


class Span:
    """One span; ends (and is queued for export) when its `with` block ends."""

    def __init__(self, name, trace_id, parent_id, sampled, kind, attributes):
        self.name, self.trace_id, self.parent_id, self.sampled, self.kind = name, trace_id, parent_id, sampled, kind
        self.span_id = secrets.token_hex(8)
        self.attributes = dict(attributes or {})
        self.error = None
        self._token = None

    def set(self, key, value):
        self.attributes[key] = value

    def __enter__(self):
        self.start = time.time_ns()
        self._token = _current.set(self)
        return self

    def __exit__(self, exc_type, exc, tb):
        self.end = time.time_ns()
        _current.reset(self._token)
        if exc is not None and self.error is None:
            self.error = f"{exc_type.__name__}: {exc}"
        if self.sampled:
            EXPORTER.submit(self)
        return False

    def traceparent(self):
        return f"00-{self.trace_id}-{self.span_id}-{'01' if self.sampled else '00'}"


def _pairs(text, properties=False):
    """`key=value,key=value` (percent-encoded values, as W3C baggage and the OTEL_* lists write them) as a dict;
    with `properties`, a value's `;properties` (baggage metadata) are dropped. Empty keys and values are skipped."""
    pairs = {}
    for member in (text or "").split(","):
        key, _, value = member.partition("=")
        if properties:
            value = value.split(";", 1)[0]
        if key.strip() and value.strip():
            pairs[key.strip()] = urllib.parse.unquote(value.strip())
    return pairs


def baggage(header):
    """The members of a W3C `baggage` header as {key: value}."""
    return _pairs(header, properties=True)


def start_request(name, traceparent, attributes=None):
    """The server span of a request: a child of the caller's span when it sent a traceparent, else a new trace."""
    parent = parse_traceparent(traceparent)
    trace_id, parent_id, sampled = parent if parent else (secrets.token_hex(16), None, True)
    return Span(name, trace_id, parent_id, sampled, 2, attributes)  # SPAN_KIND_SERVER


def start_span(name, attributes=None, kind=1):
    """A child of the current span (internal kind by default); a span of its own trace if there is none."""
    parent = _current.get()
    if parent is None:
        return Span(name, secrets.token_hex(16), None, True, kind, attributes)
    return Span(name, parent.trace_id, parent.span_id, parent.sampled, kind, attributes)


def current():
    return _current.get()


def _value(v):
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    return {"stringValue": str(v)}


def _attributes(values):
    return [{"key": k, "value": _value(v)} for k, v in values.items() if v is not None]


def _resource():
    attributes = _pairs(os.environ.get("OTEL_RESOURCE_ATTRIBUTES"))
    attributes["service.name"] = os.environ.get("OTEL_SERVICE_NAME") or attributes.get("service.name") or "llm-bridge"
    return {"attributes": _attributes(attributes)}


def to_otlp(spans):
    """An ExportTraceServiceRequest in OTLP's JSON encoding (ids as hex, times as strings of nanoseconds)."""
    return {"resourceSpans": [{"resource": _resource(), "scopeSpans": [{
        "scope": {"name": "llm-bridge"},
        "spans": [{
            "traceId": s.trace_id, "spanId": s.span_id, **({"parentSpanId": s.parent_id} if s.parent_id else {}),
            "name": s.name, "kind": s.kind, "startTimeUnixNano": str(s.start), "endTimeUnixNano": str(s.end),
            "attributes": _attributes(s.attributes),
            "status": {"code": 2, "message": s.error} if s.error else {"code": 0},
        } for s in spans]}]}]}


def _headers():
    return {"Content-Type": "application/json", **_pairs(os.environ.get("OTEL_EXPORTER_OTLP_HEADERS"))}


class Exporter:
    """Batches finished spans and posts them from one daemon thread, so a slow collector never delays an answer."""

    def __init__(self):
        self._queue = queue.Queue(maxsize=2048)
        self._thread = None
        self._lock = threading.Lock()

    def endpoint(self):
        base = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or ""
        if base:
            return base
        base = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
        protocol = os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
        # JSON needs an OTLP/HTTP endpoint; a gRPC one cannot take it.
        return base.rstrip("/") + "/v1/traces" if base and protocol.startswith("http") else ""

    def submit(self, span):
        if not self.endpoint():
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="otlp-export", daemon=True)
                self._thread.start()
        try:
            self._queue.put_nowait(span)
        except queue.Full:
            pass  # telemetry never holds up the bridge

    @staticmethod
    def schedule_delay():
        """OTEL_BSP_SCHEDULE_DELAY in seconds; one that is not a number of milliseconds is the default 1 s (and said)."""
        value = os.environ.get("OTEL_BSP_SCHEDULE_DELAY", "").strip()
        try:
            return max(0.0, float(value or 1000) / 1000)
        except ValueError:
            log.warning("OTEL_BSP_SCHEDULE_DELAY=%r is not a number of milliseconds; exporting every 1000 ms", value)
            return 1.0

    def _run(self):
        delay = self.schedule_delay()
        while True:
            batch = [self._queue.get()]
            deadline = time.monotonic() + delay
            while len(batch) < 512:
                try:
                    batch.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            self.export(batch)

    def export(self, spans):
        data = json.dumps(to_otlp(spans)).encode()
        request = urllib.request.Request(self.endpoint(), data=data, method="POST", headers=_headers())
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except Exception as e:  # noqa: BLE001 - an unreachable collector is logged, never raised
            log.warning("exporting %d spans failed: %s", len(spans), e)


EXPORTER = Exporter()


class TraceIdFilter(logging.Filter):
    """Stamps each log record with the trace and span id of the span it was written under ('-' outside one)."""

    def filter(self, record):
        span = _current.get()
        record.trace_id = span.trace_id if span else "-"
        record.span_id = span.span_id if span else "-"
        return True
