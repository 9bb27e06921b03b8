import json
import threading
import unittest
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer

import app


class ServerTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), app.Handler)
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def request(self, method, path, body=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def test_health_and_models(self):
        self.assertEqual(self.request("GET", "/health")[0], 200)
        status, models = self.request("GET", "/v1/models")
        self.assertEqual(status, 200)
        self.assertEqual(models["data"][0]["id"], "offline-planner")

    def test_chat_completion_returns_tool_calls_in_openai_format_with_usage(self):
        status, body = self.request("POST", "/v1/chat/completions", {
            "model": "offline-planner",
            "messages": [{"role": "user", "content": "What is the latest block number?"}],
            "tools": [{"type": "function", "function": {"name": "get_chain_info", "parameters": {"type": "object"}}}],
        })
        self.assertEqual(status, 200)
        choice = body["choices"][0]
        self.assertEqual(choice["finish_reason"], "tool_calls")
        self.assertEqual(choice["message"]["tool_calls"][0]["function"]["name"], "get_chain_info")
        self.assertGreater(body["usage"]["prompt_tokens"], 0)
        self.assertEqual(body["usage"]["total_tokens"], body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"])

    def test_requests_without_a_system_message_get_the_bridges_prompt_from_its_file(self):
        with open(app.os.path.join(app.planner.PROMPTS, "system.txt"), encoding="utf-8") as f:
            prompt = f.read().strip()
        plain = [{"role": "user", "content": "hi"}]
        self.assertEqual(app.with_system_prompt(plain)[0], {"role": "system", "content": prompt})
        own = [{"role": "system", "content": "mine"}] + plain
        self.assertEqual(app.with_system_prompt(own), own)
        # It is counted: the prompt tokens include it.
        status, body = self.request("POST", "/v1/chat/completions", {"messages": plain})
        self.assertGreater(body["usage"]["prompt_tokens"], app.count_tokens(prompt))

    def test_malformed_json_is_a_400_with_a_code(self):
        status, body = self.request("POST", "/v1/chat/completions", raw=b"{not json")
        self.assertEqual(status, 400)
        self.assertEqual(body["error"]["code"], "invalid_json")

    def test_missing_messages_is_a_400(self):
        status, body = self.request("POST", "/v1/chat/completions", {"model": "x"})
        self.assertEqual(status, 400)
        self.assertIn("messages", body["error"]["message"])


if __name__ == "__main__":
    unittest.main()
