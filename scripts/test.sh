#!/usr/bin/env bash
# Installs what the tests need (Debian packages, native shim), builds everything
# and runs every test in the solution. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
dotnet build -c Release Mcu.sln -nologo -v q
log=$(mktemp)
status=0
dotnet test Mcu.sln -c Release --no-build -nologo -m:1 2>&1 | tee "$log" || status=$?
# One closing line for every assembly together.
awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { gsub(",", "", f); printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit $status
