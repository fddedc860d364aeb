#!/usr/bin/env bash
# Coverage-guided fuzzing of Mcu's parsers with AFL++ and SharpFuzz.
#   scripts/fuzz.sh TARGET SECONDS    fuzz one target (see --list) from its seed corpus
#   scripts/fuzz.sh --all SECONDS     every target in turn, SECONDS each (CI: a few seconds)
#   scripts/fuzz.sh --list            the targets
# Builds tests/Mcu.Fuzz, copies it to $FUZZ_DIR/bin (default tests/Mcu.Fuzz/bin/afl) and instruments the Mcu assemblies there
# (the dtls target's OpenSSL is native: AFL sees our side of it); the normal build stays as it is.
# Each run starts afresh in $FUZZ_DIR/findings/TARGET (AFL's queue, crashes, hangs).
# Prints one line per target: executions, executions per second, corpus size, edges, crashes, hangs.
# A crash, or a hang that replays as a hang, is printed with its stack trace and fails the run.
# Needs afl-fuzz (Debian's afl++: scripts/install-deps.sh test) and the SharpFuzz tool
# (.config/dotnet-tools.json, restored here). One afl-fuzz at a time, at nice 10.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
project=tests/Mcu.Fuzz
plain="$root/$project/bin/Release/net10.0"
work="${FUZZ_DIR:-$root/$project/bin/afl}"

targets=(stun ice-lite rtp rtcp srtp sdp vp8 h264 picture-size jitter red dtls layout room-token)

usage() {
  echo "usage: scripts/fuzz.sh TARGET SECONDS | --all SECONDS | --list" >&2
  echo "targets: ${targets[*]}" >&2
  exit 2
}

[ $# -ge 1 ] || usage
if [ "$1" = --list ]; then
  printf '%s\n' "${targets[@]}"
  exit 0
fi
[ $# -eq 2 ] || usage
seconds=$2
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || usage
if [ "$1" = --all ]; then
  run=("${targets[@]}")
else
  printf '%s\n' "${targets[@]}" | grep -qx -- "$1" || usage
  run=("$1")
fi

command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: scripts/install-deps.sh test (Debian package afl++)" >&2; exit 1; }

# Build, then instrument a copy. Instrumenting twice fails, so the copy is made afresh
# whenever the build changed (the stamp is older than a built file).
dotnet tool restore >/dev/null
dotnet build -c Release "$project" -nologo -v q >/dev/null
stamp="$work/bin/.instrumented"
if [ ! -f "$stamp" ] || [ -n "$(find "$plain" -newer "$stamp" -type f -print -quit)" ]; then
  rm -rf "$work/bin"
  mkdir -p "$work"
  cp -r "$plain" "$work/bin"
  for dll in Mcu.Rtc Mcu.Media Mcu.Conference Mcu.Server; do
    dotnet sharpfuzz "$work/bin/$dll.dll" >/dev/null
  done
  touch "$stamp"
fi

# Containers rarely allow tuning the CPU governor or core_pattern; neither matters for .NET.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_FORKSRV_INIT_TMOUT=60000 AFL_QUIET=1

stat() { awk -v k="$1" -F' *: *' '$1 == k { print $2 }' "$2"; }

failed=0
for target in "${run[@]}"; do
  out="$work/findings/$target"
  rm -rf "$out"
  dict=()
  [ -f "$project/dict/$target.dict" ] && dict=(-x "$project/dict/$target.dict")
  log="$work/findings/$target.log"
  mkdir -p "$work/findings"
  # -t: a .NET child that has not answered in 2 s (5 s for a DTLS handshake) is a hang.
  timeout=2000
  [ "$target" = dtls ] && timeout=5000
  if ! nice -n 10 afl-fuzz -i "$project/corpus/$target" -o "$out" -m none -t "$timeout" -V "$seconds" \
      "${dict[@]}" -- dotnet "$work/bin/Mcu.Fuzz.dll" "$target" --afl >"$log" 2>&1; then
    echo "$target: afl-fuzz failed, see $log"
    tail -n 20 "$log"
    failed=1
    continue
  fi
  stats="$out/default/fuzzer_stats"
  crashes=$(stat saved_crashes "$stats")
  hangs=$(stat saved_hangs "$stats")
  printf '%s: %s executions, %s/s, %s paths, %s edges, %s crashes, %s hangs, %s s\n' "$target" \
    "$(stat execs_done "$stats")" "$(stat execs_per_sec "$stats")" "$(stat corpus_count "$stats")" \
    "$(stat edges_found "$stats")" "$crashes" "$hangs" "$(stat run_time "$stats")"
  if [ "$crashes" != 0 ]; then
    echo "$target: crashes in $out/default/crashes; replayed without instrumentation:"
    dotnet "$plain/Mcu.Fuzz.dll" "$target" --replay "$out/default/crashes" || true
    failed=1
  fi
  if [ "$hangs" != 0 ]; then
    # A loaded machine makes a slow input look hung: it is a hang only if it is still one alone.
    if timeout 30 dotnet "$plain/Mcu.Fuzz.dll" "$target" --replay "$out/default/hangs"; then
      echo "$target: the hangs in $out/default/hangs finish when replayed alone (a slow run, not a hang)"
    else
      echo "$target: hangs in $out/default/hangs replay as hangs or crashes"
      failed=1
    fi
  fi
done
exit $failed
