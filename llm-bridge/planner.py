"""The offline planner: a deterministic stand-in for a language model.

It reads the conversation in the OpenAI chat format and either asks for tool calls (when the newest
user turn has not been answered by tools yet) or writes the final answer from the tool results, as
JSON {"thought": ..., "reply": ...}. Only tools the caller offered are ever called.
"""
import json
import os
import re
from collections import defaultdict

PROMPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prompts")


def _load(name):
    with open(os.path.join(PROMPTS, name), encoding="utf-8") as f:
        return json.load(f)


# Reply templates live in files (prompts/replies.<lang>.json); answers follow the language of the instruction.
REPLIES = {"en": _load("replies.en.json"), "zh": _load("replies.zh.json")}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _say(lang, key, **values):
    """A reply template filled in; a value the tool did not return reads as '?'."""
    return REPLIES[lang][key].format_map(defaultdict(lambda: "?", {k: v for k, v in values.items() if v is not None}))


def language(text):
    return "zh" if CJK.search(text or "") else "en"

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


HASH = re.compile(r"0x[0-9a-fA-F]{64}(?![0-9a-fA-F])")
TO_ADDRESS = re.compile(r"(?:\bto\b|给|向|至|到)\s*(0x[0-9a-fA-F]{40})(?![0-9a-fA-F])", re.IGNORECASE)
TOKEN_ADDRESS = re.compile(r"(?:\btoken\b|代币|erc-?20)\s*(?:contract\s*)?(?:at\s*)?(0x[0-9a-fA-F]{40})(?![0-9a-fA-F])",
                           re.IGNORECASE)
CONTRACT_ADDRESS = re.compile(r"(?:\bon\b|\bat\b|合约)\s*(0x[0-9a-fA-F]{40})(?![0-9a-fA-F])", re.IGNORECASE)
SIGNATURE = re.compile(r"([A-Za-z_]\w*\([^()]*\)(?:\s*returns\s*\([^()]*\))?)")
NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w.])")
ETHER_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:eth\b|ether\b|以太)", re.IGNORECASE)

TRANSFER_WORDS = ("send", "transfer", "pay ", "转账", "发送", "转给", "支付")
TOKEN_WORDS = ("token", "erc20", "erc-20", "代币")
RECEIPT_WORDS = ("receipt", "回执", "收据")
TX_WORDS = ("transaction", " tx", "tx ", "交易")
CALL_WORDS = ("call ", "read ", "调用", "读取")
WRITE_TOOLS = ("transfer_native", "transfer_erc20", "write_contract")


def intents(text):
    """The tool calls an instruction asks for, in order (reads first, then writes), without duplicates."""
    lower = text.lower()
    reads, writes = [], []
    network = NETWORK_LINE.search(text)
    extra = {"network": network.group(1)} if network else {}
    hashes = HASH.findall(text)
    plain = HASH.sub(" ", text)
    addresses = list(dict.fromkeys(ADDRESS.findall(plain)))
    recipient = TO_ADDRESS.search(plain)
    token = TOKEN_ADDRESS.search(plain)
    numbers = NUMBER.findall(ADDRESS.sub(" ", plain))

    if any(w in lower for w in TRANSFER_WORDS) and recipient:
        ether = ETHER_AMOUNT.search(plain)
        if token and numbers:
            writes.append(("transfer_erc20", {"token": token.group(1), "to": recipient.group(1), "amount": numbers[0], **extra}))
        elif ether:
            writes.append(("transfer_native", {"to": recipient.group(1), "amount": ether.group(1), **extra}))

    signature = SIGNATURE.search(plain)
    contract = CONTRACT_ADDRESS.search(plain)
    if signature and contract and any(w in lower for w in CALL_WORDS) and not writes:
        after = plain[signature.end():]
        args = [a for a in ADDRESS.findall(after) if a != contract.group(1)]
        reads.append(("call_contract", {"address": contract.group(1), "signature": signature.group(1).strip(), "args": args, **extra}))

    busy = {m.group(1) for m in (recipient, token) if m} | ({contract.group(1)} if reads else set())
    if any(w in lower for w in BALANCE_WORDS) and not reads:  # 'balanceOf(...)' in a contract read is not a balance question
        for address in (a for a in addresses if a not in busy):
            if token and any(w in lower for w in TOKEN_WORDS) and not writes:
                reads.append(("get_erc20_balance", {"token": token.group(1), "owner": address, **extra}))
            else:
                reads.append(("get_balance", {"address": address, **extra}))
    for tx_hash in dict.fromkeys(hashes):
        if any(w in lower for w in RECEIPT_WORDS):
            reads.append(("get_receipt", {"hash": tx_hash, **extra}))
        elif any(w in lower for w in TX_WORDS) or not reads:
            reads.append(("get_transaction", {"hash": tx_hash, **extra}))
    if any(w in lower for w in BLOCK_WORDS) or any(w in lower for w in CHAIN_WORDS) \
            or re.search(r"\bblock\b", lower) and not reads and not writes:
        reads.append(("get_chain_info", dict(extra)))
    return reads + writes


def _results(turn):
    """The calls made since the user's turn, in order, as (name, arguments, output)."""
    calls, outputs = [], {}
    for m in turn:
        for call in m.get("tool_calls") or []:
            fn = call.get("function", {})
            try:
                args = json.loads(fn.get("arguments") or "{}")
            except ValueError:
                args = {}
            calls.append((call.get("id"), fn.get("name", "tool"), args))
        if m.get("role") == "tool":
            outputs[m.get("tool_call_id")] = tool_output(m.get("content"))
    return [(name, args, outputs.get(cid)) for cid, name, args in calls]


def plan(messages, tools):
    """The next assistant message: the next tool calls (reads together, each write alone), or the final answer."""
    index, text = _user_turn(messages)
    turn = messages[index + 1:]
    done = _results(turn)
    offered = _offered(tools)
    calls = [(name, args) for name, args in intents(text) if name in offered]
    if not calls and not done:
        lang = language(text)
        return _answer(_say(lang, "refusal_thought"), _say(lang, "refusal"))
    failed = any(out is None or "error" in out for _, _, out in done)
    remaining = calls[len(done):]
    if failed or not remaining:
        return _final(text, done)
    batch = [remaining[0]]
    if remaining[0][0] not in WRITE_TOOLS:
        batch = [c for c in _leading_reads(remaining)]
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": f"call_{len(done) + i + 1}", "type": "function",
             "function": {"name": name, "arguments": json.dumps(args, separators=(",", ":"))}}
            for i, (name, args) in enumerate(batch)
        ],
    }


def _leading_reads(calls):
    for name, args in calls:
        if name in WRITE_TOOLS:
            return
        yield name, args


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


def _final(question, done):
    lang = language(question)
    asks_chain = any(w in question.lower() for w in CHAIN_WORDS)
    replies, used = [], []
    for name, args, out in done:
        used.append(name)
        out = out if out is not None else {"error": "no result"}
        if "error" in out:
            replies.append(_say(lang, "failed", name=name, error=out["error"]))
        elif name == "get_chain_info":
            replies.append(_say(lang, "chain" if asks_chain else "block", **{"network": "devnet", **out}))
        elif name == "get_erc20_balance":
            replies.append(_say(lang, name, **out, symbol=(out.get("token") or {}).get("symbol", "tokens")))
        elif name in ("transfer_native", "transfer_erc20"):
            replies.append(_say(lang, name, **{**out, **args}))
        elif name == "call_contract":
            replies.append(_say(lang, name, **{**out, "values": json.dumps(out.get("values"), separators=(",", ":"), ensure_ascii=False)}))
        elif name in REPLIES[lang]:
            replies.append(_say(lang, name, **out))
        else:
            replies.append(_say(lang, "other", name=name, result=json.dumps(out, separators=(",", ":"), ensure_ascii=False)))
    return _answer(_say(lang, "thought", tools=", ".join(dict.fromkeys(used))), " ".join(replies))


def _answer(thought, reply):
    return {"role": "assistant",
            "content": json.dumps({"thought": thought, "reply": reply}, ensure_ascii=False)}
