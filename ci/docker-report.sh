#!/usr/bin/env bash
# Prints, after a failed test run, what the Docker engine was doing: whether
# it answers, the containers and networks that runs left, and the engine's
# last errors. When the engine does not answer, asks dockerd for a dump of
# its goroutines (SIGUSR1) and prints where it went. At most ~60 lines.
# Usage: ci/docker-report.sh
set -uo pipefail

log=${CHANCHO_DOCKERD_LOG:-/var/log/chancho-dockerd.log}
command -v docker >/dev/null 2>&1 || exit 0
echo "---- docker report ----"
if timeout 15 docker info --format 'engine {{.ServerVersion}}: {{.Containers}} containers, {{.ContainersRunning}} running, storage {{.Driver}}' 2>&1; then
  echo "containers labelled by chancho:"
  timeout 15 docker ps -a --filter label=com.chancho.run \
    --format '  {{.Names}}  {{.Status}}' 2>&1 | head -n 25
  echo "networks labelled by chancho:"
  timeout 15 docker network ls --filter label=com.chancho.run \
    --format '  {{.Name}}' 2>&1 | head -n 10
else
  echo "the engine did not answer docker info within 15 s"
  pid=$(pgrep -x dockerd | head -n 1)
  if [ -n "$pid" ]; then
    kill -USR1 "$pid" 2>/dev/null &&
      echo "sent SIGUSR1 to dockerd $pid: its log names the goroutine dump file"
  else
    echo "no dockerd process runs"
  fi
fi
if [ -r "$log" ]; then
  echo "last errors in $log:"
  grep -E 'level=(error|fatal|panic)|goroutine stacks written' "$log" |
    grep -v 'attach failed' | tail -n 15 | cut -c1-300
fi
echo "---- end of docker report ----"
