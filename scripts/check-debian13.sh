#!/usr/bin/env bash
# Builds the native shim and runs the native-facing tests on Debian 13 (trixie, FFmpeg 7.1) from a
# Debian 12 host: a trixie root made with debootstrap from the Debian archive this machine's apt
# uses, the build dependencies installed there by scripts/install-deps.sh (as the Dockerfile does),
# and the host's .NET SDK bound into it. The root is cached (MCU_DEBIAN13_ROOT) and refreshed each run.
# It runs every test project but the end-to-end ones (those drive Debian 12's Chromium on the host).
# Needs root (debootstrap, chroot, mounts); installs debootstrap if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
root=${MCU_DEBIAN13_ROOT:-/var/cache/mcu/debian13}
projects=(tests/Mcu.Rtc.Tests tests/Mcu.Media.Tests tests/Mcu.Conference.Tests tests/Mcu.Server.Tests)

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
command -v debootstrap >/dev/null || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq debootstrap >/dev/null; }

# The Debian archive this machine's apt already uses (no host is written here).
mirror=${MCU_DEBIAN_MIRROR:-$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n 1)}
[ -n "$mirror" ] || mirror=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -n 1)
[ -n "$mirror" ] || { echo "No Debian archive found in /etc/apt; set MCU_DEBIAN_MIRROR" >&2; exit 1; }

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
nuget=${NUGET_PACKAGES:-$HOME/.nuget/packages}
mkdir -p "$nuget"

if [ ! -f "$root/.mcu-ready" ]; then
  echo "Making a Debian 13 root in $root (once; cached)"
  $sudo rm -rf "$root"
  $sudo mkdir -p "$root"
  # What the .NET SDK itself needs; the build and media packages come from install-deps.sh below.
  $sudo debootstrap --variant=minbase --include=ca-certificates,libicu76,libssl3t64,zlib1g \
    trixie "$root" "$mirror" >/dev/null
  echo "deb $mirror trixie main" | $sudo tee "$root/etc/apt/sources.list" >/dev/null
  $sudo touch "$root/.mcu-ready"
fi

mounts=()
cleanup() {
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do $sudo umount -l "${mounts[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
bind() { # bind SOURCE TARGET-INSIDE-ROOT
  $sudo mkdir -p "$root$2"
  $sudo mount --bind "$1" "$root$2"
  mounts+=("$root$2")
}
bind /proc /proc
bind /dev /dev
bind /dev/pts /dev/pts
bind "$dotnet_root" /usr/share/dotnet
bind "$nuget" /root/.nuget/packages
$sudo cp /etc/resolv.conf "$root/etc/resolv.conf"
# Trust what the host trusts (a machine behind a TLS-inspecting proxy has its own CA in this bundle).
$sudo cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
$sudo ln -sf /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"

# A clean copy of the sources: the host's build outputs (bin, obj, native/build) stay out.
$sudo rm -rf "$root/src"
$sudo mkdir -p "$root/src"
tar -C "$repo" --exclude=./.git --exclude='*/bin' --exclude='*/obj' --exclude=./native/build \
  --exclude=./recordings --exclude='*/TestResults' --exclude='*/node_modules' -cf - . | $sudo tar -C "$root/src" -xf -

$sudo chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \
  ${NUGET_CERT_REVOCATION_MODE:+NUGET_CERT_REVOCATION_MODE=$NUGET_CERT_REVOCATION_MODE} \
  /bin/bash -euo pipefail -c '
    cd /src
    . /etc/os-release
    echo "Inside: $PRETTY_NAME"
    scripts/install-deps.sh server
    echo "FFmpeg: libavcodec $(pkg-config --modversion libavcodec), libavutil $(pkg-config --modversion libavutil)"
    for p in '"${projects[*]}"'; do
      dotnet build -c Release "$p" -nologo -v q
    done
    status=0
    for p in '"${projects[*]}"'; do
      dotnet test "$p" -c Release --no-build -nologo || status=1
    done
    exit $status'
echo "Debian 13: native shim built, tests passed"
