#!/usr/bin/env bash
# Installs what is missing, builds, and starts the Mcu server on embedded defaults
# (in-memory state, ./recordings, 127.0.0.1). Extra arguments go to the server,
# e.g. --urls http://0.0.0.0:8080 or --Mcu:PublicIp=203.0.113.7
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh server
dotnet build -c Release src/Mcu.Server -nologo -v q
exec dotnet run -c Release --no-build --project src/Mcu.Server -- "$@"
