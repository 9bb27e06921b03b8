#!/usr/bin/env python3
"""Stand-in for the original daemon's command-line client.

Source of the interface: NuyoahCh/OpenMCP-Chain, scripts/task_client.py (MIT License, per that project's README).
The original's code is not copied here (the reference library this repository was built with keeps third-party code
out of commits); this file reproduces its command line, its requests and its output, so that
OriginalClientTests exercises the Gateway exactly as that client does:

    task_client.py [--base-url URL] invoke --goal G [--chain-action A] [--address X]
        POST {base}/api/v1/tasks  {"goal", "chain_action", "address"} (chain_action and address default to "")
    task_client.py [--base-url URL] history [--limit N]
        GET  {base}/api/v1/tasks?limit=N (N defaults to 5)

Both send Content-Type and Accept application/json, no credentials, wait at most 10 s, and print the JSON answer
indented by 2 with non-ASCII text as is; an HTTP error prints "HTTP <status>: <body>" to stderr and exits 1.
To run the test against the original itself, replace this file with the original scripts/task_client.py.
"""

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request


def call(method, url, body=None):
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode(response.headers.get_content_charset("utf-8"))
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        sys.stderr.write("HTTP %d: %s\n" % (error.code, error.read().decode("utf-8", errors="ignore")))
        raise SystemExit(1)
    except urllib.error.URLError as error:
        sys.stderr.write("request failed: %s\n" % error)
        raise SystemExit(1)


def show(value):
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def invoke(args):
    show(call("POST", urllib.parse.urljoin(args.base_url, "/api/v1/tasks"),
              {"goal": args.goal, "chain_action": args.chain_action, "address": args.address}))


def history(args):
    show(call("GET", urllib.parse.urljoin(args.base_url, "/api/v1/tasks?" + urllib.parse.urlencode({"limit": args.limit}))))


def main(argv=None):
    parser = argparse.ArgumentParser(description="OpenMCP-Chain REST API command-line client")
    parser.add_argument("--base-url", default="http://127.0.0.1:8080")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("invoke")
    run.add_argument("--goal", required=True)
    run.add_argument("--chain-action", default="")
    run.add_argument("--address", default="")
    run.set_defaults(func=invoke)
    listing = commands.add_parser("history")
    listing.add_argument("--limit", type=int, default=5)
    listing.set_defaults(func=history)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
