#!/usr/bin/env bash
# The demo: the movies pipeline of system/movies/compose-spec.json on
# ProcessRuntime (a private RabbitMQ broker, 3 replicas per replicable
# stage, 3 health-checkers), three concurrent clients each uploading its own
# `small` dataset (paced at 20,000 rows/s, so the upload lasts about 5 s),
# under a seeded chaos schedule: from client-1's first progress line until
# a client has sent all its ratings, every 1.5 s, 3 random services are
# killed with SIGKILL and the health-checkers revive them.
# Then the per-client, per-query comparison with known-good-results/, the
# verdict, and the path of the run record. The scenario is
# integration_tests/scenarios/movies-auto-kill.json; SEED picks the plan.
set -uo pipefail
cd "$(dirname "$0")/.."
chancho=${CHANCHO:-build/bin/chancho}
seed=${SEED:-7}

out=$("$chancho" run integration_tests/scenarios/movies-auto-kill.json --seed "$seed" 2>&1)
status=$?
record=$(sed -n 's/.*| record: \(.*\)$/\1/p' <<<"$out" | tail -n 1)

echo "=========== chancho demo: movies pipeline, 3 clients, chaos seed $seed ==========="
grep -E 'action: (plan|up) ' <<<"$out"
echo "--- faults (planned ms -> applied ms; took effect?; what triggered them) -------"
grep 'action: fault ' <<<"$out" |
  sed 's/^action: fault | result: \([a-z]*\) | kind: \([a-z]*\) | target: \([^ ]*\) | event: \([^ ]*\) | trigger: \(.*\) | triggered_ms: \([0-9]*\) | planned_ms: \([0-9]*\) | actual_ms: \([0-9]*\).*/\2 \3  \7 -> \8 ms  \1  (\4 on: \5 at \6 ms)/'
echo "--- clients ---------------------------------------------------------------------"
grep 'action: client_done ' <<<"$out"
echo "--- comparison with known-good ---------------------------------------------------"
grep -E '^client-[0-9]+ query|^verdict:' <<<"$out"
grep -E 'result: fail|error' <<<"$out" | grep -v 'action: fault ' | head -n 5
echo "----------------------------------------------------------------------------------"
grep 'action: run ' <<<"$out"
if [ -n "$record" ]; then
  echo "record: $record"
fi
if [ "$status" -eq 0 ]; then echo "VERDICT: PASS"; else echo "VERDICT: FAIL"; fi
exit "$status"
