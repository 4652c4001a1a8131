# sandbox launcher: runs as PID 1 inside a fresh container, after the payload was untarred.
# POSIX sh + coreutils + setpriv (util-linux, essential in Debian), so that it works in every
# language image.
#
# The launcher is root with only CHOWN, SETUID, SETGID, SETPCAP and KILL; the compiler and the
# program run as PROGRAM_UID (nobody) with no capabilities and an empty bounding set. The
# launcher's state lives in /sbx, a root-owned tmpfs: the program can read its scripts but can
# neither rewrite the report (meta, captured output), nor signal the launcher or its output
# collectors, nor reach the launcher's stdout. It hands /work to PROGRAM_UID.
#
# Inputs (in /sbx): params (numbers, PROGRAM_UID), env (export lines), compile (optional script),
# run (script), stdin (optional). Program files are in /work.
# Output on stdout, parsed by sandbox/engine.py: a line "SBX1", then sections
# "<name> <size>\n<size bytes>" for: meta, compile, stdout, stderr.
S=/sbx
. "$S/params"
. "$S/env"
cd /work || exit 97
command -v setpriv >/dev/null || exit 95
chown -R "$PROGRAM_UID:$PROGRAM_UID" /work || exit 94
AS_PROGRAM="setpriv --reuid=$PROGRAM_UID --regid=$PROGRAM_UID --clear-groups"
AS_PROGRAM="$AS_PROGRAM --inh-caps=-all --bounding-set=-all --"

now() { date +%s%N; }

# Kill every process of the run except this launcher and the output collectors: the program,
# its children, and anything it detached. kill is a builtin, so this works with no pids left.
reap() {
  for d in /proc/[0-9]*; do
    p=${d#/proc/}
    case " 1 $1 $2 " in
      *" $p "*) ;;
      *) kill -9 "$p" 2>/dev/null ;;
    esac
  done
}

# run_phase NAME LIMIT CAP_OUT CAP_ERR SCRIPT STDIN MERGE
# Output goes through fifos into `head -c` so that at most CAP+1 bytes are ever stored.
# The fifos are writable by the program's user (mode 622): a program that reopens its output
# by path (/dev/stdout, /dev/stderr, /proc/self/fd/N) must still reach it; it cannot read them.
run_phase() {
  rm -f "$S/$1.o" "$S/$1.e"
  mkfifo -m 622 "$S/$1.o" "$S/$1.e"
  head -c "$3" < "$S/$1.o" > "$S/$1.out" &
  ho=$!
  head -c "$4" < "$S/$1.e" > "$S/$1.err" &
  he=$!
  t0=$(now)
  if [ "$7" = merge ]; then
    timeout -s KILL "$2" $AS_PROGRAM /bin/sh "$5" < "$6" > "$S/$1.o" 2>&1 3> "$S/$1.e"
  else
    timeout -s KILL "$2" $AS_PROGRAM /bin/sh "$5" < "$6" > "$S/$1.o" 2> "$S/$1.e"
  fi
  rc=$?
  reap "$ho" "$he"
  wait "$ho" "$he" 2>/dev/null
  t1=$(now)
  echo "${1}_rc=$rc" >> "$S/meta"
  echo "${1}_ns=$((t1 - t0))" >> "$S/meta"
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
for f in memory/memory.oom_control memory.events; do
  if [ -r "/sys/fs/cgroup/$f" ]; then
    while read -r k v; do [ "$k" = oom_kill ] && echo "oom_kill=$v" >> "$S/meta"; done < "/sys/fs/cgroup/$f"
    break
  fi
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
