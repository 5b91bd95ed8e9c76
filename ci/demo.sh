#!/usr/bin/env bash
# The demo: the movies pipeline of system/movies/compose-spec.json on
# ProcessRuntime (a private RabbitMQ broker, 3 replicas per replicable
# stage), three concurrent clients each uploading its own `small` dataset,
# then a per-client, per-query comparison with known-good-results/ and a
# verdict.
set -uo pipefail
cd "$(dirname "$0")/.."
chancho=${CHANCHO:-build/bin/chancho}
bin=$(dirname "$chancho")
export CHANCHO=$chancho
data=system/movies/data
known_good=.chancho/demo-known-good
clients=(client-1 client-2 client-3)
seeds=(42 43 44)

mkdir -p "$data" "$known_good"
for i in "${!clients[@]}"; do
  c=${clients[$i]} seed=${seeds[$i]}
  if [ ! -f "$data/$c/ratings.csv" ] || [ "$(cat "$data/$c/.seed" 2>/dev/null)" != "$seed" ]; then
    "$bin/movies-datagen" --preset small --seed "$seed" --out "$data/$c" >/dev/null || exit 1
    echo "$seed" >"$data/$c/.seed"
  fi
  # Each client is compared with the known-good results of its dataset.
  ln -sfn "$PWD/known-good-results/movies/small-$seed" "$known_good/$c"
done

started=$(date +%s%N)
up=$("$chancho" up system/movies/compose-spec.json --detach) || { echo "$up"; exit 1; }
run=$(sed -n 's/.*| run: \(.*\)$/\1/p' <<<"$up" | tail -n 1)
export CHANCHO_RUN_DIR=$run
# Whatever happens below, the system goes down.
trap '"$chancho" down --grace 5000 >/dev/null 2>&1 || true' EXIT
seconds() { local ms=$((($(date +%s%N) - started) / 1000000)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }
echo "movies pipeline up in $(seconds) s: $run"

"$chancho" wait "${clients[@]}" --timeout 600
clients_ok=$?
ps_out=$("$chancho" ps)
"$chancho" down --grace 5000 >/dev/null
trap - EXIT
elapsed=$(seconds)

echo
echo "================ chancho demo: movies pipeline, ${#clients[@]} clients ================"
echo "$ps_out"
echo "--------------------------------------------------------------------------------"
for c in "${clients[@]}"; do
  grep -h 'action: upload | result: success' "$run/logs/$c.log" |
    sed "s/^.*action: upload | result: success | /$c upload: /"
done
echo "--------------------------------------------------------------------------------"
"$chancho" compare "$run/results" "$known_good"
compare_ok=$?
echo "--------------------------------------------------------------------------------"
verdict=PASS
[ "$clients_ok" -eq 0 ] && [ "$compare_ok" -eq 0 ] || verdict=FAIL
echo "elapsed:       ${elapsed} s (bring-up, upload, five queries, shutdown)"
echo "run directory: $run"
echo "VERDICT: $verdict"
[ "$verdict" = PASS ]
