import json
import unittest

import planner

TOOLS = [{"type": "function", "function": {"name": "get_chain_info"}},
         {"type": "function", "function": {"name": "get_balance"}}]
ADDR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def user(text):
    return [{"role": "system", "content": "sys"}, {"role": "user", "content": text}]


def calls(message):
    return [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in message.get("tool_calls") or []]


class PlanningTests(unittest.TestCase):
    def test_latest_block_question_calls_chain_info(self):
        self.assertEqual(calls(planner.plan(user("What is the latest block number?"), TOOLS)), [("get_chain_info", {})])

    def test_what_chain_question_calls_chain_info(self):
        self.assertEqual(calls(planner.plan(user("What chain is this?"), TOOLS)), [("get_chain_info", {})])

    def test_balance_question_calls_get_balance_with_the_address(self):
        self.assertEqual(calls(planner.plan(user(f"What is the balance of {ADDR}?"), TOOLS)),
                         [("get_balance", {"address": ADDR})])

    def test_chinese_instructions_are_understood(self):
        self.assertEqual(calls(planner.plan(user("最新区块是多少？"), TOOLS)), [("get_chain_info", {})])
        self.assertEqual(calls(planner.plan(user(f"{ADDR} 的余额是多少"), TOOLS)), [("get_balance", {"address": ADDR})])

    def test_network_line_is_passed_to_the_tool(self):
        self.assertEqual(calls(planner.plan(user("latest block\nNetwork: sepolia"), TOOLS)),
                         [("get_chain_info", {"network": "sepolia"})])

    def test_tools_not_offered_are_never_called(self):
        message = planner.plan(user("What is the latest block number?"), [{"type": "function", "function": {"name": "get_balance"}}])
        self.assertNotIn("tool_calls", message)
        self.assertIn("can't", json.loads(message["content"])["reply"])

    def test_unmappable_instruction_gets_a_clear_refusal(self):
        message = planner.plan(user("Write me a poem about the sea"), TOOLS)
        answer = json.loads(message["content"])
        self.assertNotIn("tool_calls", message)
        self.assertIn("can't", answer["reply"])
        self.assertTrue(answer["thought"])


class AnsweringTests(unittest.TestCase):
    def conversation(self, question, name, result):
        return user(question) + [
            {"role": "assistant", "content": None,
             "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": name, "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": result},
        ]

    def test_block_answer_quotes_the_block_number_from_the_tool(self):
        result = json.dumps({"content": [{"type": "text", "text": "{}"}],
                             "structuredContent": {"network": "devnet", "chain_id": 31337, "block_number": 42}})
        answer = json.loads(planner.plan(self.conversation("What is the latest block number?", "get_chain_info", result), TOOLS)["content"])
        self.assertIn("42", answer["reply"])
        self.assertIn("31337", answer["reply"])
        self.assertIn("get_chain_info", answer["thought"])

    def test_balance_answer_reads_mcp_text_content(self):
        inner = json.dumps({"address": ADDR, "wei": "10000000000000000000000", "ether": "10000", "block_number": 3})
        result = json.dumps({"content": [{"type": "text", "text": inner}]})
        answer = json.loads(planner.plan(self.conversation(f"balance of {ADDR}", "get_balance", result), TOOLS)["content"])
        self.assertIn("10000 ETH", answer["reply"])
        self.assertIn(ADDR, answer["reply"])

    def test_tool_error_is_reported_not_invented(self):
        result = json.dumps({"isError": True, "content": [{"type": "text", "text": "INVALID_ADDRESS: bad"}]})
        answer = json.loads(planner.plan(self.conversation("balance of 0x12", "get_balance", result), TOOLS)["content"])
        self.assertIn("INVALID_ADDRESS", answer["reply"])


if __name__ == "__main__":
    unittest.main()
