#!/usr/bin/env bash
# A Ray cluster of one or two nodes on this machine, for the Ray tests and benchmark:
#
#   scripts/ray-local-cluster.sh start DIR [NODES]   # NODES 1 or 2 (default 2); prints the address
#   scripts/ray-local-cluster.sh add DIR             # node 2 joins a one-node cluster
#   scripts/ray-local-cluster.sh stop DIR
#
# Node 1 (the head) uses the main Docker engine; node 2 uses the second engine
# (scripts/second-engine.sh, started here if needed), standing in for a second machine. Each node
# has its own temporary directory under DIR and its own ports, and runs in its own process group
# recorded in DIR, so that `stop` ends exactly these processes (never `ray stop`, which ends
# every Ray process of the machine). The nodes import `sandbox` from this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
PY=${PYTHON:-python3}

log() { printf '[ray-local-cluster] %s\n' "$*" >&2; }

free_ports() {  # N distinct free TCP ports
  "$PY" - "$1" <<'EOF'
import socket, sys
held = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); held.append(s)
print(" ".join(str(s.getsockname()[1]) for s in held))
EOF
}

start_node() {  # NAME DOCKER_HOST EXTRA_ENV RAY_ARGS...
  local name=$1 docker_host=$2 extra=$3; shift 3
  local ports; read -r -a ports <<<"$(free_ports 7)"
  mkdir -p "$DIR/$name"
  log "starting node $name (DOCKER_HOST=$docker_host)"
  # setsid: the node's daemons stay in one process group, whose id is this shell's pid
  env DOCKER_HOST="$docker_host" PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" \
    RAY_USAGE_STATS_ENABLED=0 $extra \
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$DIR/$name.pgid" \
    "$PY" -m ray.scripts.scripts start "$@" --temp-dir "$DIR/$name" \
    --node-manager-port "${ports[0]}" --object-manager-port "${ports[1]}" \
    --dashboard-agent-listen-port "${ports[2]}" --dashboard-agent-grpc-port "${ports[3]}" \
    --runtime-env-agent-port "${ports[4]}" --metrics-export-port "${ports[5]}" \
    --object-store-memory 400000000 --disable-usage-stats \
    >"$DIR/$name.log" 2>&1 </dev/null || { tail -n 30 "$DIR/$name.log" >&2; exit 1; }
}

start() {
  local nodes=${1:-2}
  mkdir -p "$DIR"
  local ports; read -r -a ports <<<"$(free_ports 2)"
  local address="127.0.0.1:${ports[0]}"
  start_node head "unix:///var/run/docker.sock" "" --head --port "${ports[0]}" \
    --ray-client-server-port "${ports[1]}" --include-dashboard false \
    --min-worker-port 30000 --max-worker-port 30999
  echo "$address" >"$DIR/address"
  if [ "$nodes" -ge 2 ]; then add; fi
  echo "$address"
}

add() {  # node 2, on the second engine, joins the cluster in DIR
  local engine2; engine2=$(bash scripts/second-engine.sh start)
  start_node worker "$engine2" "" --address "$(cat "$DIR/address")" \
    --min-worker-port 31000 --max-worker-port 31999
}

group_pids() {  # every process of the node's group, and the children of its raylet
  local pgid=$1
  ps -eo pid=,pgid=,ppid=,comm= | awk -v g="$pgid" '$2 == g { print $1 }'
  for raylet in $(ps -eo pid=,pgid=,comm= | awk -v g="$pgid" '$2 == g && $3 == "raylet" { print $1 }'); do
    ps -o pid= --ppid "$raylet"  # the workers: each in a process group of its own
  done
}

stop() {
  local pids=()
  for file in "$DIR"/*.pgid; do
    [ -f "$file" ] || continue
    read -r -a found <<<"$(group_pids "$(cat "$file")" | tr '\n' ' ')"
    pids+=("${found[@]}")
    rm -f "$file"
  done
  [ "${#pids[@]}" -gt 0 ] || { log "no node running in $DIR"; return 0; }
  log "stopping ${#pids[@]} processes"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 20); do
    alive=(); for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
    [ "${#alive[@]}" -eq 0 ] && { log "stopped"; return 0; }
    sleep 0.5
  done
  kill -KILL "${alive[@]}" 2>/dev/null || true
  log "stopped (${#alive[@]} needed SIGKILL)"
}

DIR=${2:-}
[ -n "$DIR" ] || { echo "usage: $0 start|add|stop DIR [NODES]" >&2; exit 2; }
case "$1" in
  start) start "${3:-2}" ;;
  add) add ;;
  stop) stop ;;
  *) echo "usage: $0 start|add|stop DIR [NODES]" >&2; exit 2 ;;
esac
