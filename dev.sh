#!/usr/bin/env bash
# One entry point for a fresh machine with only python3:
#   bash dev.sh train   set up, then train the seed CNN on the embedded digits
#   bash dev.sh test    set up, then run every package's tests
#   bash dev.sh lint    set up, then ruff and mypy (the engine and mt-tensor)
#   bash dev.sh setup   only create .venv and install the workspace editable
#   bash dev.sh build   build one wheel per distribution into dist/
set -euo pipefail
cd "$(dirname "$0")"

VENV="${MINITORCH_VENV:-.venv}"
PY="$VENV/bin/python"
export NUMBA_CACHE_DIR="${NUMBA_CACHE_DIR:-$PWD/.numba_cache}"
export NUMBA_THREADING_LAYER="${NUMBA_THREADING_LAYER:-omp}"

# Every distribution of the workspace, in dependency order.
PACKAGES=(mt-autodiff mt-tensor mt-backend-numba mt-backend-cuda mt-nn mt-distributed)
EXTRA_DISTS=(examples/third-party-backend)

setup() {
    if [ ! -x "$PY" ]; then
        python3 -m venv "$VENV"
    fi
    local args=() p
    for p in "${PACKAGES[@]}"; do
        [ -d "packages/$p/src/minitorch" ] && args+=(-e "packages/$p")
    done
    for p in "${EXTRA_DISTS[@]}"; do
        [ -f "$p/pyproject.toml" ] && args+=(-e "$p")
    done
    # Reinstall only when a project file changed since the last setup.
    local stamp
    stamp="$( (echo "${args[*]}"; cat requirements-dev.txt packages/*/pyproject.toml examples/*/pyproject.toml 2>/dev/null || true) | sha256sum | cut -c1-16)"
    if [ "$(cat "$VENV/.setup-stamp" 2>/dev/null)" != "$stamp" ]; then
        "$PY" -m pip install -q --disable-pip-version-check --upgrade pip
        "$PY" -m pip install -q --disable-pip-version-check -r requirements-dev.txt "${args[@]}"
        echo "$stamp" > "$VENV/.setup-stamp"
    fi
}

cmd="${1:-test}"
shift || true
case "$cmd" in
    setup) setup ;;
    train)
        setup
        if [ -f examples/mnist_cnn.py ]; then
            exec "$PY" examples/mnist_cnn.py "$@"
        else
            exec "$PY" examples/scalar_classifier.py "$@"
        fi
        ;;
    test)
        setup
        exec "$PY" -m pytest "$@"
        ;;
    lint)
        setup
        "$VENV/bin/ruff" check .
        exec "$VENV/bin/mypy"  # files and settings: [tool.mypy] in pyproject.toml
        ;;
    build)
        setup
        rm -rf dist
        for p in "${PACKAGES[@]}"; do
            [ -d "packages/$p/src/minitorch" ] || continue
            "$PY" -m pip wheel -q --no-deps --no-build-isolation -w dist "packages/$p"
        done
        "$PY" -m pip wheel -q --no-deps --no-build-isolation -w dist .
        ls dist
        ;;
    *) echo "usage: bash dev.sh {train|test|lint|setup|build} [args...]" >&2; exit 2 ;;
esac
