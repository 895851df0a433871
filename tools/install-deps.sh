#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those that are missing.
#   tools/install-deps.sh          build + test dependencies
#   tools/install-deps.sh bench    + the peers for benchmarks (python3-torch, torchaudio, numpy)
#   tools/install-deps.sh fuzz     + clang, its libFuzzer/sanitizer runtimes and OpenMP (make fuzz)
set -eu
pkgs=(gcc make libopenblas-dev libdnnl-dev libfftw3-dev libsndfile1-dev libsamplerate0-dev libsvm-dev zlib1g-dev espeak-ng)
if [ "${1:-}" = bench ]; then pkgs+=(python3 python3-numpy python3-torch python3-torchaudio); fi
if [ "${1:-}" = fuzz ]; then pkgs+=(clang libclang-rt-dev libomp-dev); fi
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all ${#pkgs[@]} packages present"
    exit 0
fi
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else
        echo "deps: missing packages (${missing[*]}) and not root: run as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
