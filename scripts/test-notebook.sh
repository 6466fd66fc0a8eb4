#!/usr/bin/env bash
# test-notebook.sh - executes notebooks/whygpu-colab.ipynb end to end on this machine, as
# Colab would run it but from this checkout (no clone, no apt-get), in quick mode: small
# sizes and budgets, so it runs on a CPU-only machine in a few minutes. Jupyter comes from
# PyPI into a virtual environment in the git-ignored .venv-nb/ (made on first use).
#
#   scripts/test-notebook.sh            CPU-only build (CUDA=0), quick mode
#   NOTEBOOK_MAKE_ARGS= scripts/test-notebook.sh   build as the notebook would (nvcc if found)
#
# Passes when every cell ran without an exception and the run was packed as a reference
# folder whose JSON documents validate. It proves the notebook's plumbing, not its GPU
# half: the notebook has not run on a hosted GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-nb/venv
if [ ! -x "$venv/bin/jupyter-nbconvert" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q nbconvert nbclient ipykernel nbformat
fi
work=$(mktemp -d /tmp/whygpu-notebook-XXXXXX)
echo "test-notebook: working in $work (kept if the test fails)"
data=${WHYGPU_DATA:-/usr/share/datasets/fashion-mnist}
export WHYGPU_NOTEBOOK_CHECKOUT=$PWD WHYGPU_NOTEBOOK_QUICK=1 WHYGPU_NOTEBOOK_SKIP_INSTALL=1
export WHYGPU_NOTEBOOK_WORKDIR=$work/run WHYGPU_DATA=$data
export WHYGPU_NOTEBOOK_MAKE_ARGS=${NOTEBOOK_MAKE_ARGS-CUDA=0}
PATH=$PWD/$venv/bin:$PATH
"$venv/bin/jupyter" nbconvert --to notebook --execute notebooks/whygpu-colab.ipynb \
    --ExecutePreprocessor.timeout=1800 --ExecutePreprocessor.kernel_name=python3 \
    --output-dir "$work" --output executed.ipynb
# The packed reference: one archive, with a provenance and the documents that validate.
archive=$(ls "$work"/run/whygpu-reference-*.tar.gz)
listing=$(tar -tzf "$archive" | sort)
echo "$listing"
for file in provenance.json demo.json explain.json sweep.json; do
    grep -q "/$file\$" <<<"$listing" || { echo "test-notebook: $file missing from $archive" >&2; exit 1; }
done
# Every cell ran; none raised.
python3 - "$work/executed.ipynb" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
code = [c for c in nb["cells"] if c["cell_type"] == "code"]
errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
unrun = [c for c in code if c.get("execution_count") is None]
print(f"notebook: {len(code)} code cells, {len(unrun)} not run, {len(errors)} errors")
sys.exit(1 if errors or unrun else 0)
PY
echo "test-notebook: passed"
rm -rf "$work"
