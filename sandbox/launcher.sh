# sandbox launcher: runs as PID 1 inside a fresh container, after the payload was untarred.
# POSIX sh + coreutils + setpriv (util-linux, essential in Debian), so that it works in every
# language image.
#
# The launcher is root with only CHOWN, SETUID, SETGID, SETPCAP and KILL; the compiler and the
# program run as PROGRAM_UID (a uid of this container alone) with no capabilities, an empty
# bounding set, nice 19 and at most PROGRAM_NPROC processes, so that the launcher always keeps
# a few pids and most of the CPU to clean up and report. Its state lives in /sbx, a root-owned
# tmpfs: the program can read its scripts but can neither rewrite the report (meta, captured
# output), nor signal the launcher or its helpers, nor reach the launcher's stdout.
#
# Verdict inputs are only what the launcher itself saw: the exit status of the phase, its run
# time (until the last process of the program was gone), whether the phase's timer fired while
# the program was still alive, and the OOM kills the cgroup counted during the phase.
#
# Inputs (in /sbx): params (numbers written by the engine, sourced here), compile (optional
# script), run (script), stdin (optional). The request's environment is only in the scripts,
# which the program's own shell runs: it never reaches the launcher. Program files are in /work.
# Output on stdout, parsed by sandbox/verdict.py: a line "SBX1", then sections
# "<name> <size>\n<size bytes>" for: meta, compile, stdout, stderr.
S=/sbx
. "$S/params"
cd /work || exit 97
command -v setpriv >/dev/null || exit 95
chown -R "$PROGRAM_UID:$PROGRAM_UID" /work || exit 94
AS_PROGRAM="setpriv --reuid=$PROGRAM_UID --regid=$PROGRAM_UID --clear-groups"
AS_PROGRAM="$AS_PROGRAM --inh-caps=-all --bounding-set=-all --"

now() { date +%s%N; }

# scan find|kill: look at every live process of the program's uid in /proc (builtins only: no
# fork, so it works when the program has used up its processes); "find" stops at the first one,
# "kill" kills each. Returns 1 when it saw none.
scan() {
  seen=1
  for d in /proc/[0-9]*; do
    uid=
    while read -r key value _; do
      case $key in
        State:) [ "$value" = Z ] && break ;;
        Uid:) uid=$value; break ;;
      esac
    done 2>/dev/null < "$d/status"
    if [ "$uid" = "$PROGRAM_UID" ]; then
      seen=0
      [ "$1" = find ] && return 0
      kill -9 "${d#/proc/}" 2>/dev/null
    fi
  done
  return $seen
}

# Kill until nothing of the program is left: kill(-1) as the program's uid reaches every one of
# its processes at once (a fork in progress included); from the second pass on, a killing scan
# also covers the case where that helper cannot start. Bounded; returns 1 if processes
# survived every pass. Costs one scan when the program left nothing behind.
reap() {
  n=0
  while scan find; do
    n=$((n + 1))
    [ "$n" -gt "$REAP_PASSES" ] && return 1
    $AS_PROGRAM /bin/sh -c 'kill -9 -1' 2>/dev/null
    [ "$n" -gt 1 ] && scan kill
  done
  return 0
}

# OOM_KILLS: how many processes the container's memory cgroup has OOM-killed so far.
count_oom_kills() {
  OOM_KILLS=0
  for f in memory/memory.oom_control memory.events; do
    if [ -r "/sys/fs/cgroup/$f" ]; then
      while read -r k v; do [ "$k" = oom_kill ] && OOM_KILLS=$v; done < "/sys/fs/cgroup/$f"
      return
    fi
  done
}

# The phase's timer: root, so the program cannot stop it. On expiry it records that it fired,
# then kills the program. Stopped (TERM) by the launcher once the program is gone.
watchdog() {
  s=
  trap 'kill $s 2>/dev/null; exit 0' TERM
  sleep "$1" &
  s=$!
  wait "$s" || exit 0
  : > "$S/$2.expired"
  reap
}

# Become the program (in a subshell): its own process limit (dash: ulimit -p; bash: -u), nice 19,
# its uid, no capabilities; then its shell runs SCRIPT.
as_program() {
  ulimit -p "$PROGRAM_NPROC" 2>/dev/null || ulimit -u "$PROGRAM_NPROC"
  exec nice -n 19 $AS_PROGRAM /bin/sh "$1"
}

# run_phase NAME LIMIT CAP_OUT CAP_ERR SCRIPT STDIN MERGE
# Output goes through fifos into `head -c` so that at most CAP+1 bytes are ever stored.
# The fifos are writable by the program's user (mode 622): a program that reopens its output
# by path (/dev/stdout, /dev/stderr, /proc/self/fd/N) must still reach it; it cannot read them.
run_phase() {
  rm -f "$S/$1.o" "$S/$1.e" "$S/$1.expired"
  mkfifo -m 622 "$S/$1.o" "$S/$1.e"
  head -c "$3" < "$S/$1.o" > "$S/$1.out" &
  ho=$!
  head -c "$4" < "$S/$1.e" > "$S/$1.err" &
  he=$!
  count_oom_kills
  oom0=$OOM_KILLS
  t0=$(now)
  if [ "$7" = merge ]; then
    (as_program "$5") < "$6" > "$S/$1.o" 2>&1 3> "$S/$1.e" &
  else
    (as_program "$5") < "$6" > "$S/$1.o" 2> "$S/$1.e" &
  fi
  pp=$!
  watchdog "$2" "$1" &
  wd=$!
  wait "$pp"
  rc=$?
  if reap; then unreaped=0; else unreaped=1; fi
  kill "$wd" 2>/dev/null
  t1=$(now)
  count_oom_kills
  # No writer is left: unblock a collector still waiting for one, then collect. If processes
  # survived the clean-up, the collectors are stopped instead of waiting for them.
  [ "$unreaped" = 1 ] && kill -9 "$ho" "$he" 2>/dev/null
  : <> "$S/$1.o"
  : <> "$S/$1.e"
  wait "$ho" "$he" 2>/dev/null
  expired=0
  [ -e "$S/$1.expired" ] && expired=1
  {
    echo "${1}_rc=$rc"
    echo "${1}_ns=$((t1 - t0))"
    echo "${1}_expired=$expired"
    echo "${1}_oom_kills=$((OOM_KILLS - oom0))"
    echo "${1}_unreaped=$unreaped"
  } >> "$S/meta"
}

: > "$S/meta"
[ -f "$S/stdin" ] && IN="$S/stdin" || IN=/dev/null
if [ -f "$S/compile" ]; then
  run_phase compile "$COMPILE_TIMEOUT" "$CAP_ERR" 1 "$S/compile" /dev/null merge
fi
if [ ! -f "$S/compile" ] || grep -q '^compile_rc=0$' "$S/meta"; then
  run_phase run "$TIMEOUT" "$CAP_OUT" "$CAP_ERR" "$S/run" "$IN" split
fi

for f in memory/memory.max_usage_in_bytes memory.peak; do
  if [ -r "/sys/fs/cgroup/$f" ]; then read -r v < "/sys/fs/cgroup/$f"; echo "peak_bytes=$v" >> "$S/meta"; break; fi
done

emit() {
  if [ -f "$2" ]; then n=$(wc -c < "$2"); else n=0; fi
  printf '%s %s\n' "$1" "$n"
  [ "$n" -gt 0 ] && cat "$2"
}
printf 'SBX1\n'
emit meta "$S/meta"
emit compile "$S/compile.out"
emit stdout "$S/run.out"
emit stderr "$S/run.err"
exit 0
