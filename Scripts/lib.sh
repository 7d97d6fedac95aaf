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

# The Python that has the peer frameworks (torch, transformers, safetensors), for the scripts
# that compare llmlab with them: LLMLAB_PEERS_PYTHON, or the virtualenv that
# ../shared/bench/setup-peers.sh makes. Prints its path, or explains and fails. Nothing in
# llmlab's build or tests needs it.
llmlab_peers_python() {
  local py=${LLMLAB_PEERS_PYTHON:-$HOME/.cache/llmlab-peers/bin/python}
  if [ ! -x "$py" ]; then
    echo "no Python with the peer frameworks at $py" >&2
    echo "  install them with ../shared/bench/setup-peers.sh (beside this checkout), or set LLMLAB_PEERS_PYTHON" >&2
    return 1
  fi
  echo "$py"
}

# The peers' benchmark scripts: LLMLAB_BENCH_DIR, or shared/bench beside the checkout.
llmlab_bench_dir() {
  local dir=${LLMLAB_BENCH_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/shared/bench}
  if [ ! -f "$dir/torch_gpt_bench.py" ] || [ ! -f "$dir/workloads.json" ]; then
    echo "no peer benchmark scripts in $dir (torch_gpt_bench.py, workloads.json)" >&2
    echo "  check out shared/ beside this repository, or set LLMLAB_BENCH_DIR" >&2
    return 1
  fi
  echo "$dir"
}

# Builds llmlab in release mode with this machine's flags (quick when nothing changed) and
# prints the binary's path; the build's output goes to standard error. LLMLAB_SCRATCH_PATH
# builds in another directory than .build.
llmlab_release_binary() {
  local flags
  flags=$(llmlab_build_flags)
  [ -n "${LLMLAB_SCRATCH_PATH:-}" ] && flags="$flags --scratch-path $LLMLAB_SCRATCH_PATH"
  # shellcheck disable=SC2086
  swift build -c release $flags >&2 || return 1
  # shellcheck disable=SC2086
  echo "$(swift build -c release $flags --show-bin-path)/llmlab"
}
