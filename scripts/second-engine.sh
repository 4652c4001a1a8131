#!/usr/bin/env bash
# A second Docker engine on this machine: the stand-in for a second machine's engine in the Ray
# tests and benchmark (tests/sandbox/test_ray_*.py, benchmarks/bench_ray.py).
#
#   scripts/second-engine.sh start    # idempotent; prints the DOCKER_HOST to use
#   scripts/second-engine.sh stop     # stops it (by its pid file); its images stay on disk
#   scripts/second-engine.sh status   # exit 0 when it answers
#
# It has its own socket, data root, exec root and pid file, so it never touches the main engine
# (/var/run/docker.sock). Two daemons cannot share docker0: this one has a bridge of its own
# (sbxeng2br0, made here) and writes no iptables rules; the sandbox's containers have no
# network anyway, and image builds use the host's network (sandbox/images.py). Never
# --bridge=none: dockerd then deletes docker0, the main engine's bridge.
# Its data root is kept between runs so that images loaded into it once stay there.
# Needs root and dockerd (scripts/setup-engine.sh installs it).
set -euo pipefail

DATA_ROOT=${SANDBOX_ENGINE2_DATA:-/var/lib/sandbox-engine2}
RUN_DIR=${SANDBOX_ENGINE2_RUN:-/run/sandbox-engine2}
SOCKET="$RUN_DIR/docker.sock"
PIDFILE="$RUN_DIR/dockerd.pid"
LOG=${SANDBOX_ENGINE2_LOG:-/var/log/sandbox-engine2.log}
HOST="unix://$SOCKET"
BRIDGE=${SANDBOX_ENGINE2_BRIDGE:-sbxeng2br0}
BRIDGE_ADDRESS=${SANDBOX_ENGINE2_BRIDGE_ADDRESS:-10.213.78.1/24}

log() { printf '[second-engine] %s\n' "$*" >&2; }
answers() { DOCKER_HOST="$HOST" timeout 10 docker info >/dev/null 2>&1; }

ensure_bridge() {
  ip link show "$BRIDGE" >/dev/null 2>&1 && return 0
  log "making bridge $BRIDGE ($BRIDGE_ADDRESS)"
  ip link add name "$BRIDGE" type bridge
  ip addr add "$BRIDGE_ADDRESS" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

start() {
  if answers; then log "running at $HOST"; echo "$HOST"; return 0; fi
  if [ "$(id -u)" -ne 0 ]; then log "must run as root (it starts dockerd)"; exit 2; fi
  command -v dockerd >/dev/null 2>&1 || bash "$(dirname "$0")/setup-engine.sh"
  ensure_bridge
  mkdir -p "$DATA_ROOT" "$RUN_DIR/exec"
  echo '{}' >"$RUN_DIR/daemon.json"  # not /etc/docker/daemon.json: that one is the main engine's
  rm -f "$PIDFILE" "$SOCKET"
  log "starting dockerd at $HOST (data root $DATA_ROOT, log $LOG)"
  setsid nohup dockerd \
    --host "$HOST" --data-root "$DATA_ROOT" --exec-root "$RUN_DIR/exec" --pidfile "$PIDFILE" \
    --config-file "$RUN_DIR/daemon.json" --bridge="$BRIDGE" --iptables=false --ip-masq=false \
    >>"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 90); do
    if answers; then log "up"; echo "$HOST"; return 0; fi
    sleep 1
  done
  log "dockerd did not come up; last lines of $LOG:"; tail -n 20 "$LOG" >&2; exit 1
}

stop() {
  [ -f "$PIDFILE" ] || { log "not running (no $PIDFILE)"; return 0; }
  pid=$(cat "$PIDFILE")
  if ! kill -0 "$pid" 2>/dev/null; then rm -f "$PIDFILE"; log "not running"; return 0; fi
  log "stopping dockerd $pid"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { log "stopped"; return 0; }
    sleep 0.5
  done
  log "dockerd $pid ignored SIGTERM for 30 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if answers; then echo "$HOST"; else exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
