"""A slow OpenAI-compatible provider for tests: a real server process that behaves like a paid model API.

It answers with llm-bridge's offline planner (so tasks still reach their goal), but each answer takes --delay seconds,
the first --rate-limited requests get a 429 with `Retry-After: --retry-after`, and every request is recorded (model,
stream, the messages, the status it got). GET /requests returns the record.

With --vary it is not deterministic, as a real model is not: it plans the same goal differently on every call — the n-th
call words its answer its own way, names its tool calls anew, reads in reverse order on odd calls and adds a read of the
chain on even ones — while still reaching the goal (what is left to do is what the goal asks for and no call did yet).

    python3 slow_provider.py --port 9000 --delay 15 --rate-limited 1 --retry-after 2 [--vary]
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import app as bridge  # noqa: E402  (the planner and its OpenAI shapes, not the bridge's server)
import planner  # noqa: E402

lock = threading.Lock()
received = []
KEYS = ("idempotency_key", "idempotencyKey")
WORDINGS = ("", "Done. ", "Here is what happened: ", "To sum up: ")


def _same(asked, wanted):
    """A call the model made is the one the goal wants, whatever key the agent added to it."""
    return {k: v for k, v in asked.items() if k not in KEYS} == wanted


def varied(n):
    """A planner that plans the goal in its own way on call n (see the module's notes)."""
    def plan(messages, tools):
        index, text = planner._user_turn(messages)
        done = planner._results(messages[index + 1:])
        offered = planner._offered(tools)
        wanted = [(name, args) for name, args in planner.intents(text) if name in offered]
        left = [(name, args) for name, args in wanted if not any(d[0] == name and _same(d[1], args) for d in done)]
        if not wanted and not done or any(out is None or "error" in out for _, _, out in done) or not left:
            answer = planner.plan(messages, tools) if not done else planner._final(text, done)
            parts = json.loads(answer["content"])
            parts["reply"] = WORDINGS[n % len(WORDINGS)] + parts["reply"]
            parts["thought"] = f"{parts['thought']} (answer {n})"
            return {"role": "assistant", "content": json.dumps(parts, ensure_ascii=False)}
        reads = [c for c in left if c[0] not in planner.WRITE_TOOLS]
        batch = (reads[::-1] if n % 2 else reads) if reads else [left[0]]
        if reads and n % 2 == 0 and "get_chain_info" in offered and all(d[0] != "get_chain_info" for d in done) \
                and all(c[0] != "get_chain_info" for c in batch):
            batch = batch + [("get_chain_info", {})]
        return {"role": "assistant", "content": None, "tool_calls": [
            {"id": f"call_{n}_{i}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
            for i, (name, args) in enumerate(batch)]}
    return plan


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0)
    parser.add_argument("--rate-limited", type=int, default=0)
    parser.add_argument("--retry-after", type=int, default=1)
    parser.add_argument("--vary", action="store_true")
    args = parser.parse_args()

    class Provider(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *values):
            pass

        def _json(self, status, payload, headers=()):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/requests":
                with lock:
                    self._json(200, list(received))
            elif self.path == "/health":
                self._json(200, {"status": "ok"})
            else:
                self._json(404, {"error": {"code": "not_found", "message": self.path}})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            with lock:
                limited = len(received) < args.rate_limited
                received.append({"model": body.get("model"), "stream": body.get("stream") is True,
                                 "messages": body.get("messages") or [], "tools": len(body.get("tools") or []),
                                 "tool_choice": body.get("tool_choice"), "stream_options": body.get("stream_options"),
                                 "status": 429 if limited else 200, "at": time.time()})
                served = sum(1 for r in received if r["status"] == 200)
            if limited:
                self._json(429, {"error": {"code": "rate_limit_exceeded", "message": "slow down"}},
                           [("Retry-After", str(args.retry_after))])
                return
            time.sleep(args.delay)
            completion = bridge.complete(body, varied(served)) if args.vary else bridge.complete(body)
            if body.get("stream") is True:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                include_usage = (body.get("stream_options") or {}).get("include_usage") is True
                for event in bridge.stream_chunks(completion, include_usage):
                    self.wfile.write(b"data: " + json.dumps(event).encode() + b"\n\n")
                self.wfile.write(b"data: [DONE]\n\n")
            else:
                self._json(200, completion)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Provider)
    print(f"slow provider on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
