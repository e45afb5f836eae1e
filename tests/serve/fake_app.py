"""A stand-in for the wizard under textual-serve: says it is a Textual app, records what it
was given, then waits. `stubborn` ignores the quit message and SIGTERM's polite meaning is
left to the default (it dies), so the server's escalation is what ends it."""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    mode, record = sys.argv[1], sys.argv[2]
    with open(record, "a", encoding="utf-8") as out:
        out.write(json.dumps({"pid": os.getpid(), "env": dict(os.environ)}) + "\n")
    sys.stdout.write("__GANGLION__\n")
    sys.stdout.flush()
    payload = b"hello from the app"
    sys.stdout.buffer.write(b"D" + len(payload).to_bytes(4, "big") + payload)
    sys.stdout.flush()
    if mode == "stubborn":
        while True:
            time.sleep(1)
    # Polite: read packets until the quit meta, as Textual's web driver does.
    stdin = sys.stdin.buffer
    while True:
        head = stdin.read(5)
        if len(head) < 5:
            return
        body = stdin.read(int.from_bytes(head[1:], "big"))
        if head[:1] == b"M" and json.loads(body).get("type") == "quit":
            return


if __name__ == "__main__":
    main()
