#!/usr/bin/env bash
# Installs what the tests need (Debian packages, native shim), builds everything and runs every
# test in the solution; then builds the shim and runs the tests again on Debian 13 in a chroot
# (scripts/check-debian13.sh; MCU_SKIP_DEBIAN13=1 leaves that out), and every fuzz target for
# 5 s under AFL++ (scripts/fuzz.sh). Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
# The Firefox tests' driver (puppeteer-core), pinned by its lock file.
npm ci --prefix tests/Mcu.EndToEnd.Tests/Firefox --no-audit --no-fund --loglevel=error
dotnet build -c Release Mcu.sln -nologo -v q
log=$(mktemp)
status=0
dotnet test Mcu.sln -c Release --no-build -nologo -m:1 2>&1 | tee "$log" || status=$?
if [ "${MCU_SKIP_DEBIAN13:-0}" != 1 ]; then
  echo "== Debian 13 (FFmpeg 7.1) =="
  scripts/check-debian13.sh 2>&1 | tee -a "$log" || status=$?
fi
# Every fuzz target under AFL++ for a few seconds, so the harness cannot rot: fails on a crash.
fuzz_status=0
scripts/fuzz.sh --all 5 || fuzz_status=$?
# One closing line for every assembly together.
# A test host that crashed ("Test Run Aborted") fails the run even if the tests it ran passed.
aborted=$(grep -c "Test Run Aborted" "$log" || true)
awk -v aborted="$aborted" '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { gsub(",", "", f); printf "%d passed, %d failed, %d skipped\n", p, f + aborted, s }' "$log"
# The failed tests' names and first lines of their messages, last, where a CI log's tail shows them.
grep -A4 -E "^[[:space:]]+Failed [A-Za-z_.]+" "$log" | head -60 || true
rm -f "$log"
if [ "$aborted" != 0 ] && [ "$status" = 0 ]; then
  status=1
fi
if [ "$fuzz_status" != 0 ] && [ "$status" = 0 ]; then
  echo "fuzzing found a crash or could not run (see above)"
  status=1
fi
exit $status
