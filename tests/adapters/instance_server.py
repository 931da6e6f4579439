"""A CommandServer in a process of its own, for tests that need its file limit or uid.

    python -m tests.adapters.instance_server NAME [NAME...] [--spare-fds N] [--slow-ms MS]

Listens on the first NAME it can use (an abstract name starts with "@") and prints
``ready NAME`` once listening. Every request is answered ``{"ok": true, "cmd": CMD}``
(after --slow-ms). --spare-fds N sets the soft file limit to the descriptors open once
listening plus N, so accept() meets EMFILE after N connections. SIGTERM quits; the
server's counts are printed as JSON on the last line of stdout. Log lines go to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import signal
import sys
import time
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer

from deskguard.adapters.instance import CommandServer


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="+")
    parser.add_argument("--spare-fds", type=int, default=0)
    parser.add_argument("--slow-ms", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(message)s")

    app = QCoreApplication(sys.argv[:1])

    def handler(cmd: str, _args: dict[str, Any]) -> dict[str, Any]:
        time.sleep(args.slow_ms / 1000)
        return {"ok": True, "cmd": cmd}

    names = ["\0" + n[1:] if n.startswith("@") else n for n in args.names]
    server = CommandServer(names, handler)
    server.listen()
    if args.spare_fds:
        open_now = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 32
        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (open_now + args.spare_fds, hard))
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    ticker = QTimer()  # lets Python run its signal handlers while Qt waits
    ticker.start(100)
    ticker.timeout.connect(lambda: None)
    shown = "@" + server.name[1:] if server.name.startswith("\0") else server.name
    print(f"ready {shown}", flush=True)
    app.exec()
    server.close()
    print(json.dumps(server.counts), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
