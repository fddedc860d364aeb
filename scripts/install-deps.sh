#!/usr/bin/env bash
# Installs the Debian packages Mcu needs, only those missing; safe to re-run.
#   scripts/install-deps.sh server   build + run the server (FFmpeg dev headers, CMake)
#   scripts/install-deps.sh test     the above, plus what the tests drive (Chromium, ffprobe, PostgreSQL, AFL++)
set -euo pipefail
want=(cmake make gcc pkg-config libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev)
# ffmpeg/ffprobe (the tools) post-process recordings: faststart copy, thumbnail, duration.
want+=(ffmpeg fonts-dejavu-core)  # fonts: participants' names on placeholders
if [ "${1:-server}" = test ]; then
  want+=(chromium ffmpeg fonts-dejavu-core postgresql afl++)  # afl++: scripts/fuzz.sh
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
