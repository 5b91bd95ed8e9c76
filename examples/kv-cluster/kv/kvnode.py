#!/usr/bin/env python3
"""A small replicated key-value store: one leader, any number of followers.

    kvnode.py leader              listens on 0.0.0.0:$KV_PORT (7070)
    kvnode.py follower LEADER     the same, and copies LEADER's log

Line protocol, one request per connection line:
    PUT KEY VALUE   (leader)  -> OK SEQ     the write is on disk first
    GET KEY                   -> VAL VALUE | NONE
    LOG FROM        (leader)  -> E SEQ KEY VALUE ... then END COUNT
    SEQ                       -> SEQ COUNT  entries applied

The leader appends every write to $STORAGE_DIR/kv.log and fsyncs it before
it answers, so a write it acknowledged survives a crash. A follower keeps
its copy in memory and catches up from the leader's log, retrying while the
leader is away. Standard library only.
"""
import os
import socket
import socketserver
import sys
import threading
import time

PORT = int(os.environ.get("KV_PORT", "7070"))


def log(action, result, **fields):
    extra = "".join(f" | {k}: {v}" for k, v in fields.items())
    print(f"action: {action} | result: {result}{extra}", flush=True)


class Store:
    def __init__(self, path=None):
        self.lock = threading.Lock()
        self.entries = []  # (key, value), in order
        self.values = {}
        self.file = None
        if path:
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    for line in f:
                        parts = line.rstrip("\n").split(" ", 1)
                        if len(parts) == 2:
                            self.apply(parts[0], parts[1])
            self.file = open(path, "a", encoding="utf-8")

    def apply(self, key, value):
        self.entries.append((key, value))
        self.values[key] = value

    def put(self, key, value):
        with self.lock:
            if self.file:
                self.file.write(f"{key} {value}\n")
                self.file.flush()
                os.fsync(self.file.fileno())
            self.apply(key, value)
            return len(self.entries)

    def get(self, key):
        with self.lock:
            return self.values.get(key)

    def since(self, start):
        with self.lock:
            return list(enumerate(self.entries[start:], start))

    def count(self):
        with self.lock:
            return len(self.entries)


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        for raw in self.rfile:
            words = raw.decode("utf-8", "replace").split()
            if not words:
                continue
            self.wfile.write(self.server.answer(words).encode())
            self.wfile.flush()


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, store, leader):
        self.store = store
        self.leader = leader
        super().__init__(("0.0.0.0", PORT), Handler)

    def answer(self, words):
        op = words[0].upper()
        if op == "PUT" and self.leader and len(words) == 3:
            return f"OK {self.store.put(words[1], words[2])}\n"
        if op == "GET" and len(words) == 2:
            value = self.store.get(words[1])
            return "NONE\n" if value is None else f"VAL {value}\n"
        if op == "LOG" and self.leader and len(words) == 2 and words[1].isdigit():
            out = [f"E {i} {k} {v}\n" for i, (k, v) in self.store.since(int(words[1]))]
            return "".join(out) + f"END {self.store.count()}\n"
        if op == "SEQ":
            return f"SEQ {self.store.count()}\n"
        return "ERR bad request\n"


def follow(store, leader):
    host, _, port = leader.partition(":")
    while True:
        try:
            with socket.create_connection((host, int(port or PORT)), timeout=2) as conn:
                reader = conn.makefile("r", encoding="utf-8")
                while True:
                    conn.sendall(f"LOG {store.count()}\n".encode())
                    for line in reader:
                        parts = line.split()
                        if parts[0] == "END":
                            break
                        if parts[0] == "E" and int(parts[1]) == store.count():
                            with store.lock:
                                store.apply(parts[2], parts[3])
                    else:
                        raise ConnectionError("the leader closed the connection")
                    time.sleep(0.05)
        except (OSError, ValueError, IndexError) as e:
            log("follow", "fail", leader=leader, error=e)
            time.sleep(0.2)


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("leader", "follower") or (
            sys.argv[1] == "follower" and len(sys.argv) != 3):
        print("usage: kvnode.py leader | kvnode.py follower LEADER[:PORT]",
              file=sys.stderr)
        return 2
    leader = sys.argv[1] == "leader"
    storage = os.environ.get("STORAGE_DIR")
    store = Store(os.path.join(storage, "kv.log") if leader and storage else None)
    server = Server(store, leader)
    if not leader:
        threading.Thread(target=follow, args=(store, sys.argv[2]), daemon=True).start()
    log("listen", "success", port=PORT, role=sys.argv[1], entries=store.count())
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
