#!/usr/bin/env bash
# Installs the system packages Mcu needs, only those missing; safe to re-run.
# Tested on Debian 12 (FFmpeg 5.1), Debian 13 (FFmpeg 7.1) and Ubuntu 24.04 (FFmpeg 6.1, the
# .NET 10 container images), whose package names agree for everything but the browser.
#   scripts/install-deps.sh server    build + run the server (FFmpeg and OpenSSL dev headers, CMake, the tools)
#   scripts/install-deps.sh runtime   run a published server only (FFmpeg's libraries and tools, OpenSSL, fonts, curl)
#   scripts/install-deps.sh test      server, plus what the tests drive (Chromium, Firefox, Node, PostgreSQL, AFL++)
set -euo pipefail
mode=${1:-server}
. /etc/os-release
# ffmpeg/ffprobe (the tools) post-process recordings: faststart copy, thumbnail, duration;
# the package also brings the shared libraries the media shim links. Fonts: names on placeholders.
# OpenSSL 3 runs DTLS in the tls shim: libssl3, named libssl3t64 since Debian 13 and Ubuntu 24.04
# (which provides the old name). .NET needs it too, so it is usually there already.
libssl=libssl3
dpkg-query -W -f='${Status}' libssl3t64 2>/dev/null | grep -q "install ok installed" && libssl=libssl3t64
# The shim calls libopus itself (in-band FEC) and WebRTC's audio processing (noise suppression, gain):
# its 0.3 on Debian 12, 1.3 (another package name, another API) on Debian 13 and Ubuntu 24.04.
apm=libwebrtc-audio-processing-1-3
[ "$ID" = debian ] && [ "${VERSION_ID:-}" = 12 ] && apm=libwebrtc-audio-processing1
runtime=(ffmpeg fonts-dejavu-core "$libssl" libopus0 "$apm")
build=(cmake make gcc g++ pkg-config libavcodec-dev libavformat-dev libavutil-dev libswresample-dev libssl-dev libopus-dev libwebrtc-audio-processing-dev)
recommends=yes
case "$mode" in
  runtime) want=("${runtime[@]}" curl); recommends=no ;;  # curl: the container's HEALTHCHECK
  server) want=("${build[@]}" "${runtime[@]}") ;;
  test)
    want=("${build[@]}" "${runtime[@]}" postgresql afl++)  # afl++: scripts/fuzz.sh
    if [ "$ID" = ubuntu ]; then
      # Ubuntu ships Chromium as a snap only, which Playwright cannot drive here.
      echo "install-deps: the browser tests need Debian's chromium package (Debian 12 or 13); on $PRETTY_NAME only 'server' and 'runtime' are supported" >&2
      exit 1
    fi
    # Firefox is driven by puppeteer-core (npm) under Node; Node's own npm when it has one.
    want+=(chromium firefox-esr nodejs)
    command -v npm >/dev/null || want+=(npm)
    ;;
  *) echo "usage: $0 server|runtime|test" >&2; exit 2 ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing packages on $PRETTY_NAME: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
# The tests' Chromium was validated with its recommends; a runtime image stays small without them.
extra=()
[ "$recommends" = no ] && extra=(--no-install-recommends)
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${extra[@]}" "${missing[@]}" >/dev/null
