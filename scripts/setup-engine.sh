#!/usr/bin/env bash
# Make sure a Docker engine runs on this machine: install Debian's docker.io, debootstrap and
# runsc (gVisor) if missing, register runsc as a Docker runtime, start dockerd in the background
# if it is not answering. Needs root. Idempotent: a second run changes nothing.
#
# The runtime is added to /etc/docker/daemon.json without touching its other keys. A running
# dockerd is never restarted: runtimes are reloadable, so it gets SIGHUP (other containers keep
# running).
set -euo pipefail

log() { printf '[setup-engine] %s\n' "$*" >&2; }

DAEMON_JSON=${SANDBOX_DAEMON_JSON:-/etc/docker/daemon.json}

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (it installs packages and starts dockerd)"; exit 2
fi
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v runsc >/dev/null 2>&1 || need+=(runsc)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
fi

# Adds (or updates) runtimes.runsc in daemon.json; prints "changed" when it wrote the file.
# --platform=ptrace works without KVM (nested VMs, CI); --network=none: sandboxes have no network.
# Not --oci-seccomp: gVisor (20221219) ignores a rule's errnoRet, so glibc's clone3 would get
# EPERM instead of ENOSYS and no thread could start; gVisor's own kernel is the syscall filter.
register_runsc() {
  mkdir -p "$(dirname "$DAEMON_JSON")"
  python3 - "$DAEMON_JSON" "$(command -v runsc)" <<'EOF'
import json, os, sys
path, runsc = sys.argv[1], sys.argv[2]
config = {}
if os.path.exists(path) and os.path.getsize(path) > 0:
    with open(path) as handle:
        config = json.load(handle)
wanted = {
    "path": runsc,
    "runtimeArgs": ["--platform=ptrace", "--network=none"],
}
if config.get("runtimes", {}).get("runsc") == wanted:
    sys.exit(0)
config.setdefault("runtimes", {})["runsc"] = wanted
with open(path + ".tmp", "w") as handle:
    json.dump(config, handle, indent=2)
    handle.write("\n")
os.replace(path + ".tmp", path)
print("changed")
EOF
}

changed=$(register_runsc)
[ -n "$changed" ] && log "registered the runsc runtime in $DAEMON_JSON"

has_runsc() { docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"runsc"'; }

if docker info >/dev/null 2>&1; then
  if [ -n "$changed" ] || ! has_runsc; then
    if [ -s /var/run/docker.pid ]; then
      log "reloading dockerd's configuration (SIGHUP, no restart)"
      kill -HUP "$(cat /var/run/docker.pid)"
      for _ in $(seq 1 20); do
        has_runsc && break
        sleep 0.5
      done
    fi
    has_runsc || log "warning: dockerd does not list runsc; --runtime runsc fails until it reloads"
  fi
  log "docker engine is running (runtimes: $(docker info --format '{{range $k, $v := .Runtimes}}{{$k}} {{end}}'))"
  exit 0
fi
log "starting dockerd (log: /var/log/sandbox-dockerd.log)"
rm -f /var/run/docker.pid
nohup dockerd >/var/log/sandbox-dockerd.log 2>&1 </dev/null &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then log "docker engine is up"; exit 0; fi
  sleep 1
done
log "dockerd did not come up; last lines of its log:"
tail -n 20 /var/log/sandbox-dockerd.log >&2
exit 1
