import json
import unittest

import planner

ALL = [{"type": "function", "function": {"name": n}} for n in (
    "get_chain_info", "get_balance", "get_erc20_balance", "get_transaction", "get_receipt", "call_contract",
    "transfer_native", "transfer_erc20")]
A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
T = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
H = "0x" + "ab" * 32


def user(text):
    return [{"role": "system", "content": "sys"}, {"role": "user", "content": text}]


def calls(message):
    return [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in message.get("tool_calls") or []]


def answer(messages, message, results):
    """Appends the assistant's tool calls and one tool result per call."""
    out = messages + [message]
    for call, result in zip(message["tool_calls"], results):
        out.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps({"structuredContent": result})})
    return out


def final(message):
    return json.loads(message["content"])


class MultiStepTests(unittest.TestCase):
    def test_balance_then_transfer_runs_one_step_at_a_time_and_answers_from_both_results(self):
        messages = user(f"Check the balance of {A}, then send 0.5 ETH to {B}")
        first = planner.plan(messages, ALL)
        self.assertEqual(calls(first), [("get_balance", {"address": A})])
        messages = answer(messages, first, [{"address": A, "ether": "10000", "wei": "1", "block_number": 7}])
        second = planner.plan(messages, ALL)
        self.assertEqual(calls(second), [("transfer_native", {"to": B, "amount": "0.5"})])
        self.assertNotEqual(first["tool_calls"][0]["id"], second["tool_calls"][0]["id"])
        messages = answer(messages, second, [{"tx_hash": H, "status": "confirmed", "block_number": 8}])
        reply = final(planner.plan(messages, ALL))["reply"]
        self.assertIn("10000 ETH", reply)
        self.assertIn(H, reply)
        self.assertIn("0.5 ETH", reply)

    def test_a_failed_step_ends_the_plan_and_the_answer_carries_the_code(self):
        messages = user(f"Send 50 ETH to {B}")
        first = planner.plan(messages, ALL)
        self.assertEqual(calls(first), [("transfer_native", {"to": B, "amount": "50"})])
        messages = messages + [first, {"role": "tool", "tool_call_id": first["tool_calls"][0]["id"], "content": json.dumps(
            {"isError": True, "content": [{"type": "text", "text": "POLICY_VALUE_CAP: The value 50 ETH is above the cap."}]})}]
        reply = final(planner.plan(messages, ALL))["reply"]
        self.assertIn("POLICY_VALUE_CAP", reply)

    def test_chinese_transfer(self):
        self.assertEqual(calls(planner.plan(user(f"向 {B} 转账 0.1 ETH"), ALL)), [("transfer_native", {"to": B, "amount": "0.1"})])

    def test_token_transfer_and_token_balance(self):
        self.assertEqual(calls(planner.plan(user(f"Send 12.5 of token {T} to {B}"), ALL)),
                         [("transfer_erc20", {"token": T, "to": B, "amount": "12.5"})])
        self.assertEqual(calls(planner.plan(user(f"What is the token balance of {A} for token {T}?"), ALL)),
                         [("get_erc20_balance", {"token": T, "owner": A})])

    def test_transaction_and_receipt_lookup(self):
        self.assertEqual(calls(planner.plan(user(f"Show transaction {H}"), ALL)), [("get_transaction", {"hash": H})])
        self.assertEqual(calls(planner.plan(user(f"Get the receipt of {H}"), ALL)), [("get_receipt", {"hash": H})])
        self.assertEqual(calls(planner.plan(user(f"查询交易 {H} 的回执"), ALL)), [("get_receipt", {"hash": H})])

    def test_contract_read_by_signature(self):
        self.assertEqual(calls(planner.plan(user(f"Call balanceOf(address) returns (uint256) on {T} with {A}"), ALL)),
                         [("call_contract", {"address": T, "signature": "balanceOf(address) returns (uint256)", "args": [A]})])

    def test_writes_are_not_offered_means_not_called(self):
        reads_only = [t for t in ALL if not t["function"]["name"].startswith("transfer")]
        self.assertIn("can't do that", final(planner.plan(user(f"Send 1 ETH to {B}"), reads_only))["reply"])


if __name__ == "__main__":
    unittest.main()


class TemplateTests(unittest.TestCase):
    def test_chinese_questions_are_answered_in_chinese_from_the_template_files(self):
        messages = user("最新区块是多少？")
        first = planner.plan(messages, ALL)
        messages = answer(messages, first, [{"chain_id": 31337, "block_number": 42, "network": "devnet"}])
        reply = final(planner.plan(messages, ALL))["reply"]
        self.assertEqual(reply, planner.REPLIES["zh"]["block"].format(chain_id=31337, network="devnet", block_number=42))
        self.assertIn("最新区块号是 42", reply)

    def test_every_template_names_only_values_the_planner_supplies(self):
        self.assertEqual(set(planner.REPLIES["en"]), set(planner.REPLIES["zh"]))
        self.assertIn("?", planner._say("en", "get_balance", address=A))  # a missing value is marked, never a crash
