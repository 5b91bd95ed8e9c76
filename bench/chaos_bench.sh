#!/usr/bin/env bash
# The movies pipeline under chaos, in one invocation:
#   1. fault-free: three clients on the `large` preset (the same dataset);
#   2. the same under auto-kill every 2 s of 3 random eligible services
#      (seeded), revived by the health-checkers;
# reports both completion times and their ratio, and from the second run's
# record.json the recovery time of every kill that took effect: kill ->
# running again (revived) and kill -> ready, p50 and p99.
#
#   bench/chaos_bench.sh [BUILD_DIR] [SEED]    (defaults: build-bench, 7)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
seed=${2:-7}
case $build in /*) bin="$build/bin" ;; *) bin="$PWD/$build/bin" ;; esac
[ -x "$bin/chancho" ] || { echo "$bin/chancho: not built" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/chancho-chaos-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

cat >"$work/scenario.json" <<JSON
{
  "name": "chaos-bench",
  "spec": "$PWD/system/movies/compose-spec.json",
  "environment": {"client": {"DATA_DIR": "{cache}/bench-large-42"}},
  "setup": [
    {"command": ["movies-datagen", "--preset", "large", "--seed", "42",
                 "--out", "{cache}/bench-large-42"],
     "creates": "{cache}/bench-large-42/ratings.csv"},
    {"command": ["movies-reference", "--data", "{cache}/bench-large-42",
                 "--out", "{cache}/bench-large-42-known-good"],
     "creates": "{cache}/bench-large-42-known-good/query5.txt"}
  ],
  "known_good": "{cache}/bench-large-42-known-good",
  "faults": {"auto": {"every": 2, "kill": 3, "from": 0.5, "until": 900}},
  "timeouts": {"clients": 900}
}
JSON

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)"
run() {
  "$bin/chancho" run "$work/scenario.json" --runs-root "$work/runs" "$@" |
    sed -n 's/.*| record: \(.*\)$/\1/p' | tail -n 1
}
free_record=$(run --no-faults)
chaos_record=$(run --seed "$seed")
python3 - "$free_record" "$chaos_record" "$seed" <<'PY'
import json, sys
free, chaos = (json.load(open(p)) for p in sys.argv[1:3])
for name, r in (("fault-free", free), ("auto 2 3", chaos)):
    if r["verdict"] != "match" or r["exit_code"] != 0:
        sys.exit(f"{name}: verdict {r['verdict']}, exit {r['exit_code']}")
def done(r):
    return max(c["completed_ms"] for c in r["clients"]) / 1000
t_free, t_chaos = done(free), done(chaos)
print(f"\n{'run (3 clients, large preset)':34} {'seconds':>9} {'faults':>7} {'revivals':>9}")
print(f"{'fault-free':34} {t_free:9.2f} {0:7} {free['revivals']:9}")
print(f"{'auto 2 3, seed ' + sys.argv[3]:34} {t_chaos:9.2f} {len(chaos['faults']):7} {chaos['revivals']:9}")
print(f"completion under chaos / fault-free: {t_chaos / t_free:.2f}x")
# Recovery: for each kill that took effect, the first later change of that
# replica to running with more starts (revived) and then to ready.
changes = chaos["state_changes"]
revived, ready = [], []
for f in chaos["faults"]:
    if not f["took_effect"] or f["kind"] != "kill":
        continue
    before = [c for c in changes if c["replica"] == f["target"] and c["at_ms"] <= f["actual_ms"]]
    starts = before[-1]["starts"] if before else 1
    later = [c for c in changes if c["replica"] == f["target"] and c["at_ms"] > f["actual_ms"]
             and c["starts"] > starts and c["state"] == "running"]
    if later:
        revived.append(later[0]["at_ms"] - f["actual_ms"])
        r = [c for c in later if c["ready"]]
        if r:
            ready.append(r[0]["at_ms"] - f["actual_ms"])
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
for name, v in (("kill -> revived (running)", revived), ("kill -> ready", ready)):
    if v:
        print(f"{name:28} n={len(v):3}  p50 {pct(v, 50):6} ms  p99 {pct(v, 99):6} ms  max {max(v):6} ms")
    else:
        print(f"{name:28} no samples")
PY
