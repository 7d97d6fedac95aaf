# Shared by Scripts/setup and Scripts/test: install what is missing, pick build flags.
# shellcheck shell=bash

# Debian packages llmlab builds and runs with.
LLMLAB_PACKAGES=(pkg-config libopenblas-dev libedit-dev fortunes-zh)
# Only the tests need these: tmux drives the REPL in a real terminal.
LLMLAB_TEST_PACKAGES=(tmux)

# Installs the named packages (default: LLMLAB_PACKAGES) that are not installed yet, with
# sudo when not root.
install_missing_packages() {
  local wanted=("$@")
  [ ${#wanted[@]} -eq 0 ] && wanted=("${LLMLAB_PACKAGES[@]}")
  local missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  echo "llmlab: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

# Compiler flags for this machine's vector level. Swift targets the x86-64 baseline (SSE2)
# unless told otherwise; on a CPU with AVX2 and FMA the element-wise kernels run about
# three times faster when compiled for it (docs/architecture.md, "Vector width").
# LLMLAB_PORTABLE=1 keeps the baseline, for a binary that runs on any x86-64.
llmlab_build_flags() {
  if [ "${LLMLAB_PORTABLE:-0}" != "1" ] && [ "$(uname -m)" = "x86_64" ] \
    && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
    echo "-Xswiftc -target-cpu -Xswiftc haswell -Xcc -march=haswell"
  fi
}
