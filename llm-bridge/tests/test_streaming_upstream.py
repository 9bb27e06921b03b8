import json
import os
import socket
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUESTION = {"model": "offline-planner", "messages": [{"role": "user", "content": "What is the latest block number?"}],
            "tools": [{"type": "function", "function": {"name": "get_chain_info", "parameters": {"type": "object"}}}]}
ANSWERED = {"model": "offline-planner", "messages": [
    {"role": "user", "content": "What is the latest block number?"},
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_chain_info", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": json.dumps({"structuredContent": {"chain_id": 31337, "block_number": 42}})}],
    "tools": QUESTION["tools"]}
SECRET = "sk-test-never-log-this-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_bridge(**env):
    """A real llm-bridge process; returns (process, base url)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "app.py"], cwd=HERE, env={**os.environ, "PORT": str(port), **env},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return process, wait_healthy(process, port, "llm-bridge")


def wait_healthy(process, port, what):
    """The base URL once /health answers (at most about five seconds)."""
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/health", timeout=1).read()
            return base
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{what} did not start")


def post(base, body, raw=False):
    req = urllib.request.Request(base + "/v1/chat/completions", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            data = response.read()
            return response.status, response.headers.get("Content-Type"), data if raw else json.loads(data)
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), json.loads(e.read())


def events(data):
    lines = [l[len("data: "):] for l in data.decode().split("\n") if l.startswith("data: ")]
    assert lines[-1] == "[DONE]", lines[-1]
    return [json.loads(l) for l in lines[:-1]]


class StreamingAndUpstreamTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.upstream, cls.upstream_base = start_bridge(LLM_UPSTREAM_URL="")
        cls.bridge, cls.bridge_base = start_bridge(LLM_UPSTREAM_URL=cls.upstream_base + "/v1", LLM_API_KEY=SECRET)

    @classmethod
    def tearDownClass(cls):
        for p in (cls.bridge, cls.upstream):
            p.terminate()
            p.wait(5)
            p.stdout.close()

    def test_streamed_answer_reassembles_to_the_plain_answer_with_usage(self):
        _, _, plain = post(self.upstream_base, ANSWERED)
        status, kind, data = post(self.upstream_base, {**ANSWERED, "stream": True, "stream_options": {"include_usage": True}}, raw=True)
        self.assertEqual(status, 200)
        self.assertTrue(kind.startswith("text/event-stream"))
        chunks = events(data)
        self.assertTrue(all(c["object"] == "chat.completion.chunk" for c in chunks))
        text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
        self.assertEqual(json.loads(text)["reply"], json.loads(plain["choices"][0]["message"]["content"])["reply"])
        self.assertIn("42", text)
        self.assertGreater(len([c for c in chunks if c["choices"] and c["choices"][0]["delta"].get("content")]), 1)
        self.assertEqual([c["choices"][0]["finish_reason"] for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]], ["stop"])
        self.assertEqual(chunks[-1]["usage"], plain["usage"])

    def test_streamed_tool_calls_arrive_in_openai_delta_format(self):
        status, _, data = post(self.upstream_base, {**QUESTION, "stream": True}, raw=True)
        self.assertEqual(status, 200)
        chunks = events(data)
        calls = [t for c in chunks for t in c["choices"][0]["delta"].get("tool_calls") or []]
        self.assertEqual([(t["index"], t["function"]["name"]) for t in calls], [(0, "get_chain_info")])
        self.assertEqual(chunks[-1]["choices"][0]["finish_reason"], "tool_calls")
        self.assertFalse(any("usage" in c for c in chunks))

    def test_upstream_mode_forwards_to_the_provider_plain_and_streamed(self):
        _, _, direct = post(self.upstream_base, QUESTION)
        status, _, forwarded = post(self.bridge_base, QUESTION)
        self.assertEqual(status, 200)
        self.assertEqual(forwarded["choices"][0]["message"]["tool_calls"], direct["choices"][0]["message"]["tool_calls"])
        status, kind, data = post(self.bridge_base, {**ANSWERED, "stream": True}, raw=True)
        self.assertEqual(status, 200)
        self.assertIn("42", "".join(c["choices"][0]["delta"].get("content") or "" for c in events(data) if c["choices"]))
        health = json.loads(urllib.request.urlopen(self.bridge_base + "/health", timeout=2).read())
        self.assertEqual(health["mode"], "upstream")

    def test_provider_errors_map_to_codes_and_the_key_is_never_logged(self):
        status, _, body = post(self.bridge_base, {"model": "x"})  # the provider rejects a request without messages
        self.assertEqual(status, 400)
        self.assertEqual(body["error"]["code"], "upstream_bad_request")
        gone, gone_base = start_bridge(LLM_UPSTREAM_URL="http://127.0.0.1:%d/v1" % free_port(), LLM_API_KEY=SECRET)
        try:
            status, _, body = post(gone_base, QUESTION)
            self.assertEqual(status, 502)
            self.assertEqual(body["error"]["code"], "upstream_unavailable")
        finally:
            gone.terminate()
            output = gone.communicate(timeout=5)[0]
        self.assertNotIn(SECRET, output)
        self.assertNotIn(SECRET, json.dumps(body))

    def test_bridge_logs_do_not_contain_the_key(self):
        post(self.bridge_base, QUESTION)
        bridge, base = start_bridge(LLM_UPSTREAM_URL=self.upstream_base + "/v1", LLM_API_KEY=SECRET)
        post(base, QUESTION)
        bridge.terminate()
        output = bridge.communicate(timeout=5)[0]
        self.assertIn("POST /v1/chat/completions", output)
        self.assertNotIn(SECRET, output)


def start_provider(*args):
    """tests/slow_provider.py as a real process; returns (process, base url)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, os.path.join(HERE, "tests", "slow_provider.py"), "--port", str(port), *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, wait_healthy(process, port, "the provider")


class ProviderModelTests(unittest.TestCase):
    """The model the provider is asked for, its 429's Retry-After, and its answer passed on as it came."""

    @classmethod
    def setUpClass(cls):
        cls.provider, cls.provider_base = start_provider("--rate-limited", "1", "--retry-after", "7")
        cls.bridge, cls.bridge_base = start_bridge(LLM_UPSTREAM_URL=cls.provider_base + "/v1", LLM_UPSTREAM_MODEL="gpt-test-1")

    @classmethod
    def tearDownClass(cls):
        for p in (cls.bridge, cls.provider):
            p.terminate()
            p.wait(5)
        cls.bridge.stdout.close()

    def received(self):
        return json.loads(urllib.request.urlopen(self.provider_base + "/requests", timeout=2).read())

    def test_configured_model_reaches_the_provider_and_429_keeps_retry_after(self):
        req = urllib.request.Request(self.bridge_base + "/v1/chat/completions", data=json.dumps(QUESTION).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with self.assertRaises(urllib.error.HTTPError) as limited:
            urllib.request.urlopen(req, timeout=10)
        self.assertEqual(limited.exception.code, 429)
        self.assertEqual(limited.exception.headers.get("Retry-After"), "7")
        self.assertEqual(json.loads(limited.exception.read())["error"]["code"], "upstream_rate_limited")

        status, _, answer = post(self.bridge_base, QUESTION)  # names the offline planner: the configured model is asked
        self.assertEqual(status, 200)
        self.assertEqual(answer["model"], "gpt-test-1")
        self.assertEqual(answer["choices"][0]["message"]["tool_calls"][0]["function"]["name"], "get_chain_info")
        self.assertIn("usage", answer)
        status, _, _ = post(self.bridge_base, {**QUESTION, "model": "gpt-other", "tool_choice": "required"})  # a profile's own model is kept
        self.assertEqual(status, 200)
        status, _, data = post(self.bridge_base, {**ANSWERED, "model": "", "stream": True, "stream_options": {"include_usage": True}}, raw=True)
        self.assertEqual(status, 200)
        self.assertEqual(events(data)[-1]["usage"]["total_tokens"] > 0, True)  # the provider's usage chunk, relayed

        seen = self.received()
        self.assertEqual([(r["model"], r["status"], r["stream"]) for r in seen],
                         [("gpt-test-1", 429, False), ("gpt-test-1", 200, False), ("gpt-other", 200, False), ("gpt-test-1", 200, True)])
        self.assertEqual([r["tools"] for r in seen], [1, 1, 1, 1])
        self.assertEqual([r["tool_choice"] for r in seen], [None, None, "required", None])
        self.assertEqual(seen[3]["stream_options"], {"include_usage": True})
        models = json.loads(urllib.request.urlopen(self.bridge_base + "/v1/models", timeout=2).read())
        self.assertEqual([m["id"] for m in models["data"]], ["gpt-test-1"])


if __name__ == "__main__":
    unittest.main()
