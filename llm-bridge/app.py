"""llm-bridge: an OpenAI-compatible chat-completions server (stdlib only).

Offline (default) it answers with the deterministic planner; with LLM_UPSTREAM_URL set it forwards
requests to that OpenAI-compatible provider, adding LLM_API_KEY, which is never logged. A request that names no model,
or the offline planner's, asks the provider for LLM_UPSTREAM_MODEL. The provider's answer (plain or streamed, tool calls,
usage) is passed on as it came; a 429 or 503 keeps its Retry-After, so the caller's retry waits as long as the provider
asked. The bridge itself never retries: a model call may be billed, and only the caller knows whether to ask again.
"""
import json
import logging
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import planner
import telemetry

MODEL = "offline-planner"
log = logging.getLogger("llm-bridge")


def count_tokens(value):
    """A stable approximation (about four characters a token), enough for accounting offline."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return max(1, (len(text) + 3) // 4) if text else 0


with open(os.path.join(planner.PROMPTS, "system.txt"), encoding="utf-8") as _f:
    SYSTEM_PROMPT = _f.read().strip()


def with_system_prompt(messages):
    """The bridge's system prompt (prompts/system.txt) when the caller sent none."""
    if any(isinstance(m, dict) and m.get("role") == "system" for m in messages):
        return messages
    return [{"role": "system", "content": SYSTEM_PROMPT}] + messages


def complete(body, plan=planner.plan):
    """A chat completion for `body`, its message from `plan` (the offline planner; a test stand-in may plan otherwise)."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages must be a non-empty array")
    messages = with_system_prompt(messages)
    with telemetry.start_span("plan", {"gen_ai.system": "openmcp-chain", "gen_ai.request.model": body.get("model") or MODEL}) as span:
        message = plan(messages, body.get("tools") or [])
        prompt_tokens = count_tokens(messages) + count_tokens(body.get("tools") or [])
        completion_tokens = count_tokens(message.get("content") or message.get("tool_calls") or "")
        span.set("gen_ai.usage.input_tokens", prompt_tokens)
        span.set("gen_ai.usage.output_tokens", completion_tokens)
        span.set("llm_bridge.tool_calls", len(message.get("tool_calls") or []))
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model") or MODEL,
        "choices": [{"index": 0, "message": message,
                     "finish_reason": "tool_calls" if message.get("tool_calls") else "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


# Provider answers mapped to stable codes (the provider's own body is not passed on: it may echo request data).
UPSTREAM_CODES = {400: "upstream_bad_request", 401: "upstream_unauthorized", 403: "upstream_forbidden",
                  404: "upstream_model_not_found", 429: "upstream_rate_limited"}


def stream_chunks(completion, include_usage):
    """A completion as OpenAI `chat.completion.chunk` events: role, content (or tool calls), finish, usage."""
    base = {"id": completion["id"], "object": "chat.completion.chunk", "created": completion["created"],
            "model": completion["model"]}
    choice = completion["choices"][0]
    message = choice["message"]

    def chunk(delta, finish=None):
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    yield chunk({"role": "assistant", "content": ""})
    for i, call in enumerate(message.get("tool_calls") or []):
        yield chunk({"tool_calls": [{"index": i, "id": call["id"], "type": "function",
                                     "function": {"name": call["function"]["name"], "arguments": call["function"]["arguments"]}}]})
    content = message.get("content") or ""
    for start in range(0, len(content), 24):
        yield chunk({"content": content[start:start + 24]})
    yield chunk({}, choice["finish_reason"])
    if include_usage:
        yield {**base, "choices": [], "usage": completion["usage"]}


class Handler(BaseHTTPRequestHandler):
    server_version = "llm-bridge/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        log.info("%s %s", self.address_string(), fmt % args)

    def send_response(self, code, message=None):
        span = telemetry.current()
        if span is not None:
            span.set("http.response.status_code", code)
            if code >= 500:
                span.error = f"HTTP {code}"
        super().send_response(code, message)

    def _send(self, status, payload, headers=None):
        self._send_bytes(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json", headers)

    def _send_bytes(self, status, data, content_type, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status, code, message, headers=None):
        self._send(status, {"error": {"message": message, "type": "invalid_request_error", "code": code}}, headers)

    def do_GET(self):
        if self.path == "/health":
            self._send(200, {"status": "ok", "mode": "upstream" if upstream_url() else "offline"})
        elif self.path in ("/v1/models", "/models"):
            model = upstream_model() if upstream_url() and upstream_model() else MODEL
            self._send(200, {"object": "list", "data": [{"id": model, "object": "model", "owned_by": "openmcp-chain"}]})
        else:
            self._error(404, "not_found", f"no route GET {self.path}")

    def do_POST(self):
        """Each request is a server span continuing the caller's trace (its traceparent), tagged with the task it serves."""
        with telemetry.start_request(f"POST {self.path}", self.headers.get("traceparent"), {
                "http.request.method": "POST", "url.path": self.path,
                "openmcpchain.task_id": telemetry.baggage(self.headers.get("baggage")).get("openmcpchain.task_id") or None}):
            self._post()

    def _post(self):
        if self.path not in ("/v1/chat/completions", "/chat/completions"):
            self._error(404, "not_found", f"no route POST {self.path}")
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"null")
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
        except ValueError as e:
            self._error(400, "invalid_json", f"invalid request body: {e}")
            return
        if upstream_url():
            if isinstance(body.get("messages"), list):
                body["messages"] = with_system_prompt(body["messages"])
            body["model"] = model_for_upstream(body.get("model"))
            self._forward(json.dumps(body, ensure_ascii=False).encode(), stream=body.get("stream") is True)
            return
        try:
            completion = complete(body)
        except ValueError as e:
            self._error(400, "invalid_request", str(e))
            return
        if body.get("stream") is True:
            include_usage = isinstance(body.get("stream_options"), dict) and body["stream_options"].get("include_usage") is True
            self._stream(stream_chunks(completion, include_usage))
        else:
            self._send(200, completion)

    def _stream(self, events):
        """Server-sent events, one `data:` line per chunk, then `data: [DONE]`; the connection closes at the end."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for event in events:
            self.wfile.write(b"data: " + json.dumps(event, ensure_ascii=False).encode() + b"\n\n")
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _forward(self, raw, stream=False):
        request = urllib.request.Request(
            upstream_url().rstrip("/") + "/chat/completions", data=raw, method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {os.environ.get('LLM_API_KEY', '')}"})
        try:
            with telemetry.start_span("upstream chat", {"gen_ai.system": "openai", "server.address": urllib.parse.urlsplit(upstream_url()).hostname},
                                      kind=3) as span, urllib.request.urlopen(request, timeout=upstream_timeout()) as response:
                if not stream:  # as the provider sent it: its tool calls, usage and fields the bridge does not know
                    body = response.read()
                    usage = usage_of(body)
                    span.set("gen_ai.usage.input_tokens", usage.get("prompt_tokens"))
                    span.set("gen_ai.usage.output_tokens", usage.get("completion_tokens"))
                    self._send_bytes(response.status, body, response.headers.get("Content-Type") or "application/json")
                    return
                self.send_response(response.status)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                for line in response:  # relayed as the provider sends it
                    self.wfile.write(line)
                    self.wfile.flush()
        except urllib.error.HTTPError as e:
            code = UPSTREAM_CODES.get(e.code, "upstream_error")
            # 429 and 503 go back as they are, with the provider's Retry-After: the caller retries them after that wait.
            if e.code in (429, 503):
                retry_after = e.headers.get("Retry-After")
                self._error(e.code, "upstream_unavailable" if e.code == 503 else code, f"the upstream provider answered {e.code}",
                            {"Retry-After": retry_after} if retry_after else None)
                return
            self._error(502 if e.code >= 500 else e.code, code, f"the upstream provider answered {e.code}")
        except (urllib.error.URLError, TimeoutError) as e:
            self._error(502, "upstream_unavailable", f"the upstream provider is unreachable: {getattr(e, 'reason', e)}")


def upstream_url():
    return os.environ.get("LLM_UPSTREAM_URL", "").strip()


def configure_logging():
    """INFO and WARNING to stdout, errors only to stderr (the dashboard shows stderr as failures); each line names its trace."""
    form = logging.Formatter("%(asctime)s %(levelname)s %(name)s [trace_id=%(trace_id)s span_id=%(span_id)s]: %(message)s")
    out = logging.StreamHandler(sys.stdout)
    out.addFilter(lambda record: record.levelno < logging.ERROR)
    err = logging.StreamHandler(sys.stderr)
    err.setLevel(logging.ERROR)
    for handler in (out, err):
        handler.setFormatter(form)
        handler.addFilter(telemetry.TraceIdFilter())
    logging.basicConfig(level=logging.INFO, handlers=[out, err], force=True)


def upstream_model():
    return os.environ.get("LLM_UPSTREAM_MODEL", "").strip()


def upstream_timeout():
    """Seconds to wait for the provider's answer (LLM_UPSTREAM_TIMEOUT); longer than the caller's attempt timeout."""
    return float(os.environ.get("LLM_UPSTREAM_TIMEOUT") or 600)


def model_for_upstream(requested):
    """The caller's model, unless it named none or the offline planner: then the configured LLM_UPSTREAM_MODEL."""
    requested = requested.strip() if isinstance(requested, str) else ""
    return requested if requested and requested != MODEL else (upstream_model() or requested or MODEL)


def usage_of(body):
    """The token counts of a provider's answer, for the span; an answer that is not the JSON we expect has none."""
    try:
        usage = json.loads(body).get("usage")
    except (ValueError, AttributeError):
        return {}
    return usage if isinstance(usage, dict) else {}


def main():
    configure_logging()
    port = int(os.environ.get("PORT", "8000"))
    host = os.environ.get("HOST", "127.0.0.1")
    server = ThreadingHTTPServer((host, port), Handler)
    log.info("llm-bridge listening on http://%s:%d (%s)", host, port, "upstream" if upstream_url() else "offline planner")
    server.serve_forever()


if __name__ == "__main__":
    main()
