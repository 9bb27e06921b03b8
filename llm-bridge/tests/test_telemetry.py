import io
import json
import logging
import os
import queue
import threading
import unittest
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import app
import telemetry

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


class Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver: keeps each JSON export it is sent."""
    received = queue.Queue()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Collector.received.put((self.path, self.headers.get("Content-Type"), self.headers.get("x-otlp-api-key"), json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class TelemetryTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.collector = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
        cls.bridge = ThreadingHTTPServer(("127.0.0.1", 0), app.Handler)
        for server in (cls.collector, cls.bridge):
            threading.Thread(target=server.serve_forever, daemon=True).start()
        cls.env = mock.patch.dict(os.environ, {
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{cls.collector.server_address[1]}",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json", "OTEL_EXPORTER_OTLP_HEADERS": "x-otlp-api-key=secret",
            "OTEL_SERVICE_NAME": "llm-bridge", "OTEL_BSP_SCHEDULE_DELAY": "50"})
        cls.env.start()

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()
        for server in (cls.collector, cls.bridge):
            server.shutdown()
            server.server_close()

    def complete(self, traceparent):
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.bridge.server_address[1]}/v1/chat/completions", method="POST",
            data=json.dumps({"messages": [{"role": "user", "content": "latest block"}],
                             "tools": [{"type": "function", "function": {"name": "get_chain_info"}}]}).encode(),
            headers={"Content-Type": "application/json", "traceparent": traceparent,
                     "baggage": "openmcpchain.task_id=task-1"})
        with urllib.request.urlopen(req, timeout=5) as response:
            return json.loads(response.read())

    def test_a_request_continues_the_callers_trace_and_exports_spans_with_token_counts(self):
        answer = self.complete(f"00-{TRACE_ID}-{PARENT_ID}-01")
        path, content_type, key, export = Collector.received.get(timeout=5)
        self.assertEqual((path, content_type, key), ("/v1/traces", "application/json", "secret"))
        resource = export["resourceSpans"][0]
        self.assertIn({"key": "service.name", "value": {"stringValue": "llm-bridge"}}, resource["resource"]["attributes"])
        spans = {s["name"]: s for s in resource["scopeSpans"][0]["spans"]}
        while "POST /v1/chat/completions" not in spans:  # the two spans may come in two exports
            spans.update({s["name"]: s for s in Collector.received.get(timeout=5)[3]["resourceSpans"][0]["scopeSpans"][0]["spans"]})
        request, plan = spans["POST /v1/chat/completions"], spans["plan"]
        self.assertEqual({request["traceId"], plan["traceId"]}, {TRACE_ID})
        self.assertEqual(request["parentSpanId"], PARENT_ID)
        self.assertEqual(plan["parentSpanId"], request["spanId"])
        attributes = {a["key"]: a["value"] for a in plan["attributes"]}
        self.assertEqual(attributes["gen_ai.usage.input_tokens"], {"intValue": str(answer["usage"]["prompt_tokens"])})
        self.assertEqual(attributes["gen_ai.usage.output_tokens"], {"intValue": str(answer["usage"]["completion_tokens"])})
        self.assertIn({"key": "openmcpchain.task_id", "value": {"stringValue": "task-1"}}, request["attributes"])

    def test_an_unsampled_caller_gets_no_spans(self):
        self.complete(f"00-{TRACE_ID}-{PARENT_ID}-00")
        with self.assertRaises(queue.Empty):
            Collector.received.get(timeout=0.5)

    def test_info_goes_to_stdout_with_the_trace_id_and_errors_to_stderr(self):
        out, err = io.StringIO(), io.StringIO()
        with mock.patch("sys.stdout", out), mock.patch("sys.stderr", err):
            app.configure_logging()
            with telemetry.start_request("r", f"00-{TRACE_ID}-{PARENT_ID}-00"):
                logging.getLogger("llm-bridge").info("served")
            logging.getLogger("llm-bridge").error("broken")
        self.assertIn(f"trace_id={TRACE_ID}", out.getvalue())
        self.assertIn("served", out.getvalue())
        self.assertNotIn("broken", out.getvalue())
        self.assertIn("broken", err.getvalue())
        self.assertNotIn("served", err.getvalue())


class ParsingTests(unittest.TestCase):
    def test_baggage_values_are_percent_decoded_without_their_properties(self):
        self.assertEqual(telemetry.baggage(" openmcpchain.task_id = task%201;origin=gateway , other=x;p, empty=, =y"),
                         {"openmcpchain.task_id": "task 1", "other": "x"})
        self.assertEqual(telemetry.baggage(None), {})

    def test_a_bad_schedule_delay_falls_back_to_one_second_and_says_so(self):
        with mock.patch.dict(os.environ, {"OTEL_BSP_SCHEDULE_DELAY": "soon"}), self.assertLogs("llm-bridge.telemetry", "WARNING") as logs:
            self.assertEqual(telemetry.Exporter.schedule_delay(), 1.0)
        self.assertIn("OTEL_BSP_SCHEDULE_DELAY", logs.output[0])
        with mock.patch.dict(os.environ, {"OTEL_BSP_SCHEDULE_DELAY": "250"}):
            self.assertEqual(telemetry.Exporter.schedule_delay(), 0.25)
