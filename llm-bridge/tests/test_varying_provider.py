import json
import unittest

from tests import slow_provider

TOOLS = [{"type": "function", "function": {"name": n}} for n in ("get_chain_info", "get_balance", "transfer_native")]
A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
GOAL = [{"role": "system", "content": "sys"}, {"role": "user", "content": f"Check the balance of {A}, then send 6 ETH to {B}"}]


def run(first_call):
    """The whole conversation as the varying stand-in plans it from its call number `first_call` on."""
    messages, n = list(GOAL), first_call
    while True:
        message = slow_provider.varied(n)(messages, TOOLS)
        messages.append(message)
        if not message.get("tool_calls"):
            return messages
        for call in message["tool_calls"]:
            messages.append({"role": "tool", "tool_call_id": call["id"],
                             "content": json.dumps({"structuredContent": {"balance_ether": "1", "tx_hash": "0xab", "block_number": n}})})
        n += 1


def plan(messages):
    return [[c["function"]["name"] for c in m.get("tool_calls") or []] for m in messages if m.get("role") == "assistant"]


class VaryingProviderTests(unittest.TestCase):
    def test_the_same_goal_is_planned_differently_on_other_calls_and_still_reaches_it(self):
        odd, even = run(1), run(2)
        self.assertEqual([["get_balance"], ["transfer_native"], []], plan(odd))
        self.assertEqual([["get_balance", "get_chain_info"], ["transfer_native"], []], plan(even))  # an extra read
        self.assertNotEqual(json.loads(odd[-1]["content"])["reply"], json.loads(even[-1]["content"])["reply"])
        for messages in (odd, even):  # each call names its tool calls anew
            ids = [c["id"] for m in messages for c in m.get("tool_calls") or []]
            self.assertEqual(len(ids), len(set(ids)))


if __name__ == "__main__":
    unittest.main()
