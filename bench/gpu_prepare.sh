#!/usr/bin/env bash
# Make, here and without device time, what a session lent a GPU machine carries there (bench/README.md, "For the next
# session with a GPU"):
#   .gpu/whl     the wheels that machine lacks, at the versions of this project's .venv (fastprogress 1.0.3: 1.1
#                pulls in python-fasthtml), for its Python 3.12
#   .gpu/ic      the imagecodecs wheel (26 MB: faster TIFF decoding; the device's tifffile falls back to zlib without it)
#   .gpu/ch/cK   the LGG patients that data/lgg does not bundle, in pieces of whole patients small enough to travel
#                beside the working tree (a call carries 64 MiB in all)
# .gpu/ is excluded from git (.git/info/exclude), so it travels only where a call names it in `carry`.
#
#     bash bench/gpu_prepare.sh [LGG folder, default ../shared/data/lgg] [MB a piece, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
LGG=${1:-../shared/data/lgg}; MB=${2:-30}
[ -d "$LGG" ] || { echo "gpu_prepare: $LGG is not a folder" >&2; exit 1; }
PY=.venv/bin/python
[ -x $PY ] || { echo "gpu_prepare: no .venv here (make install first)" >&2; exit 1; }
mkdir -p .git/info; grep -qxF '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
rm -rf .gpu; mkdir -p .gpu/whl .gpu/ic .gpu/rest
v() { $PY -c "import importlib.metadata as m; print(m.version('$1'))"; }
$PY -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --platform manylinux2014_x86_64 -d .gpu/whl \
    fastai==$(v fastai) fastcore==$(v fastcore) fasttransform==$(v fasttransform) fastdownload==$(v fastdownload) \
    beartype==$(v beartype) nibabel==$(v nibabel) plum-dispatch==$(v plum-dispatch) fastprogress==1.0.3
$PY -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --platform manylinux_2_28_x86_64 -d .gpu/ic \
    imagecodecs==$(v imagecodecs)
for c in "$LGG"/TCGA_*; do [ -e "data/lgg/$(basename "$c")" ] || ln -s "$(realpath "$c")" .gpu/rest/; done
python3 ../shared/tools/chunk_cases.py .gpu/ch .gpu/rest --max-mb "$MB" >/dev/null
rm -rf .gpu/rest
tree=$(git ls-files -z | du -cb --files0-from=- | tail -1 | cut -f1)
echo "wheels: $(ls .gpu/whl | wc -l) in .gpu/whl ($(du -sh .gpu/whl | cut -f1)), $(ls .gpu/ic) ($(du -sh .gpu/ic | cut -f1)); working tree $((tree / 1048576)) MiB"
for d in .gpu/ch/c*; do echo "$d: $(ls $d/data/rest | wc -l) patients, $(du -sh $d | cut -f1)"; done
echo "calls: first carry .gpu/whl and .gpu/ic, then .gpu/ch/c1, .gpu/ch/c2, ... each: bash bench/gpu_session.sh data"
echo "       then: bash bench/gpu_session.sh cv, at once: bash bench/gpu_session.sh wait (until it says the CV has ended); bench if device time is left (bench/README.md)"
