"""The offline planner: a deterministic stand-in for a language model.

It reads the conversation in the OpenAI chat format and either asks for tool calls (when the newest
user turn has not been answered by tools yet) or writes the final answer from the tool results, as
JSON {"thought": ..., "reply": ...}. Only tools the caller offered are ever called.
"""
import json
import re

ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}(?![0-9a-fA-F])")
NETWORK_LINE = re.compile(r"^\s*network\s*[:：]\s*(\S+)\s*$", re.IGNORECASE | re.MULTILINE)

BALANCE_WORDS = ("balance", "余额", "how much eth", "how much ether", "holds")
BLOCK_WORDS = ("block number", "latest block", "current block", "block height", "head block", "newest block",
               "最新区块", "区块高度", "区块号", "当前区块")
CHAIN_WORDS = ("what chain", "which chain", "chain id", "chainid", "chain-id", "what network", "which network",
               "哪条链", "链id", "链 id", "什么链")


def _user_turn(messages):
    """Index and text of the newest user message."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].get("role") == "user":
            return i, _text(messages[i].get("content"))
    return -1, ""


def _text(content):
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def _offered(tools):
    names = set()
    for tool in tools or []:
        fn = tool.get("function", tool) if isinstance(tool, dict) else {}
        if fn.get("name"):
            names.add(fn["name"])
    return names


def intents(text):
    """The tool calls an instruction asks for, in order, without duplicates."""
    lower = text.lower()
    calls = []
    network = NETWORK_LINE.search(text)
    extra = {"network": network.group(1)} if network else {}
    addresses = ADDRESS.findall(text)
    if addresses and any(w in lower for w in BALANCE_WORDS):
        for address in dict.fromkeys(addresses):
            calls.append(("get_balance", {"address": address, **extra}))
    if any(w in lower for w in BLOCK_WORDS) or any(w in lower for w in CHAIN_WORDS) \
            or re.search(r"\bblock\b", lower) and not calls:
        calls.append(("get_chain_info", dict(extra)))
    return calls


def plan(messages, tools):
    """The next assistant message: tool calls, or the final answer."""
    index, text = _user_turn(messages)
    answered = [m for m in messages[index + 1:] if m.get("role") == "tool"]
    if answered:
        return _final(text, messages[index + 1:])
    offered = _offered(tools)
    calls = [(name, args) for name, args in intents(text) if name in offered]
    if not calls:
        return _answer(
            "The instruction does not map to any chain tool I was given.",
            "I can't do that offline. I can report the chain id and latest block, and the balance of an address "
            "(for example: 'What is the balance of 0x…?').")
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": f"call_{i + 1}", "type": "function",
             "function": {"name": name, "arguments": json.dumps(args, separators=(",", ":"))}}
            for i, (name, args) in enumerate(calls)
        ],
    }


def tool_output(content):
    """The tool's result as a dict (MCP structured content or its text), or {'error': ...} when the tool failed."""
    raw = _text(content) if not isinstance(content, str) else content
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return {"text": raw}
    if isinstance(value, dict):
        if value.get("isError"):
            texts = [c.get("text", "") for c in value.get("content", []) if isinstance(c, dict)]
            return {"error": " ".join(t for t in texts if t) or "the tool failed"}
        if isinstance(value.get("structuredContent"), dict):
            return value["structuredContent"]
        for block in value.get("content", []) if isinstance(value.get("content"), list) else []:
            if isinstance(block, dict) and block.get("type") == "text":
                try:
                    inner = json.loads(block["text"])
                    if isinstance(inner, dict):
                        return inner
                except (TypeError, ValueError):
                    return {"text": block["text"]}
        return value
    return {"text": raw}


def _final(question, turn):
    names = {}
    for m in turn:
        for call in m.get("tool_calls") or []:
            names[call.get("id")] = call.get("function", {}).get("name", "")
    lower = question.lower()
    asks_chain = any(w in lower for w in CHAIN_WORDS)
    replies, used = [], []
    for m in turn:
        if m.get("role") != "tool":
            continue
        name = names.get(m.get("tool_call_id"), "tool")
        used.append(name)
        out = tool_output(m.get("content"))
        if "error" in out:
            replies.append(f"{name} failed: {out['error']}")
        elif name == "get_chain_info":
            if asks_chain:
                replies.append(f"This is chain id {out.get('chain_id')} ({out.get('network', 'devnet')}); "
                               f"its latest block is {out.get('block_number')}.")
            else:
                replies.append(f"The latest block number is {out.get('block_number')} "
                               f"on chain {out.get('chain_id')} ({out.get('network', 'devnet')}).")
        elif name == "get_balance":
            replies.append(f"{out.get('address')} holds {out.get('ether')} ETH ({out.get('wei')} wei) "
                           f"at block {out.get('block_number')}.")
        else:
            replies.append(f"{name} returned {json.dumps(out, separators=(',', ':'))}.")
    tools = ", ".join(dict.fromkeys(used))
    return _answer(f"I called {tools} and answered from the chain's own data.", " ".join(replies))


def _answer(thought, reply):
    return {"role": "assistant",
            "content": json.dumps({"thought": thought, "reply": reply}, ensure_ascii=False)}
