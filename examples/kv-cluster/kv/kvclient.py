#!/usr/bin/env python3
"""The workload: writes KV_KEYS keys to the leader, then reads every key
back from each follower and writes what it read to
$CHANCHO_RUN_DIR/results/$CLIENT_NAME/<follower>.txt ("KEY VALUE" lines).

A write is retried, on any connection error, until the leader answers OK: a
PUT of the same value twice is harmless. A read is retried until the
follower has the key. The whole run is bounded by KV_DEADLINE seconds.

    KV_LEADER=kv-leader:7070  KV_FOLLOWERS=kv-follower-1:7070,...
"""
import os
import socket
import sys
import time

DEADLINE = time.monotonic() + float(os.environ.get("KV_DEADLINE", "120"))


def log(action, result, **fields):
    extra = "".join(f" | {k}: {v}" for k, v in fields.items())
    print(f"action: {action} | result: {result}{extra}", flush=True)


def request(address, line):
    host, _, port = address.partition(":")
    with socket.create_connection((host, int(port or 7070)), timeout=2) as conn:
        conn.sendall((line + "\n").encode())
        answer = conn.makefile("r", encoding="utf-8").readline()
    if not answer:
        raise ConnectionError("no answer")
    return answer.split()


def retry(address, line, done):
    failures = 0
    while time.monotonic() < DEADLINE:
        try:
            answer = request(address, line)
            if done(answer):
                return answer
        except (OSError, ValueError) as e:
            failures += 1
            if failures == 1:
                log("retry", "fail", to=address, request=line, error=e)
        time.sleep(0.05)
    log("request", "fail", to=address, request=line, error="deadline passed")
    sys.exit(1)


def main():
    leader = os.environ.get("KV_LEADER", "kv-leader:7070")
    followers = [f for f in os.environ.get("KV_FOLLOWERS", "").split(",") if f]
    keys = int(os.environ.get("KV_KEYS", "200"))
    period = float(os.environ.get("KV_PERIOD", "0.02"))
    name = os.environ.get("CLIENT_NAME", "client")
    out_dir = os.path.join(os.environ.get("CHANCHO_RUN_DIR", "."), "results", name)
    os.makedirs(out_dir, exist_ok=True)

    for i in range(1, keys + 1):
        retry(leader, f"PUT key-{i:04d} value-{i:04d}", lambda a: a[0] == "OK")
        if i % 10 == 0:
            log("progress", "success", written=i, of=keys)
        time.sleep(period)
    log("write", "success", keys=keys)

    for follower in followers:
        with open(os.path.join(out_dir, follower.partition(":")[0] + ".txt"),
                  "w", encoding="utf-8") as out:
            for i in range(1, keys + 1):
                answer = retry(follower, f"GET key-{i:04d}", lambda a: a[0] == "VAL")
                out.write(f"key-{i:04d} {answer[1]}\n")
        log("read", "success", follower=follower, keys=keys)
    return 0


if __name__ == "__main__":
    sys.exit(main())
