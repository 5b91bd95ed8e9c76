#!/usr/bin/env bash
# The tp0 demo (make demo-tp0): tp0 on ProcessRuntime with 5 clients, the echo server validated,
# everything stopped gracefully, and a one-screen verdict.
set -uo pipefail
cd "$(dirname "$0")/.."
chancho=${CHANCHO:-build/bin/chancho}
export CHANCHO=$chancho
clients=5
names=$(seq -f 'client%g' 1 "$clients" | tr '\n' ' ')

up=$("$chancho" up tp0 --clients "$clients" --detach) || { echo "$up"; exit 1; }
echo "$up"
run=$(sed -n 's/.*| run: \(.*\)$/\1/p' <<<"$up" | tail -n 1)
export CHANCHO_RUN_DIR=$run
# Whatever happens below, the system goes down.
trap '"$chancho" down --grace 2000 >/dev/null 2>&1 || true' EXIT

echo_line=$(system/tp0/validar-echo-server.sh)
wait_out=$("$chancho" wait $names --timeout 60)
clients_ok=$?
ps_out=$("$chancho" ps)
shutdown_line=$("$chancho" probe shutdown server --timeout 1)
"$chancho" down --grace 2000 >/dev/null
trap - EXIT

amount=$(sed -n 's/^[[:space:]]*amount:[[:space:]]*\([0-9]*\).*/\1/p' system/tp0/client/config.yaml)
verdict=PASS
echo
echo "==================== chancho demo: tp0, $clients clients ===================="
echo "$ps_out"
echo "---------------------------------------------------------------------------"
for c in $names; do
  echoes=$(grep -c 'action: receive_message | result: success' "$run/logs/$c.log")
  fails=$(grep -c 'result: fail' "$run/logs/$c.log")
  finished=$(grep -c 'action: loop_finished | result: success' "$run/logs/$c.log")
  state=ok
  if [ "$echoes" -ne "$amount" ] || [ "$fails" -ne 0 ] || [ "$finished" -ne 1 ]; then
    state=FAIL; verdict=FAIL
  fi
  printf '%-8s echoes %s/%s  failures %s  loop_finished %s  %s\n' \
    "$c" "$echoes" "$amount" "$fails" "$finished" "$state"
done
[ "$clients_ok" -eq 0 ] || verdict=FAIL
printf 'echo probe:        %s\n' "$echo_line"
printf 'graceful shutdown: %s\n' "$shutdown_line"
grep -q 'result: success' <<<"$echo_line" || verdict=FAIL
grep -q 'result: success' <<<"$shutdown_line" || verdict=FAIL
echo "run directory:     $run"
echo "VERDICT: $verdict"
[ "$verdict" = PASS ]
