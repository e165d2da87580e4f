#!/usr/bin/env bash
# Run on the GPU machine (the device tool's `run`, from the repo root) with what bench/gpu_prepare.sh made here in .gpu/.
# What earlier calls copied stays while the machine is warm (it goes back after 30 s idle: make the calls back to back).
#   bash bench/gpu_session.sh data          install the carried wheels (once) and merge the carried patients
#   bash bench/gpu_session.sh cv [MIN] ...  the `gpu` preset's 5-fold CV of all 71 patients, five folds side by side,
#                                           MIN minutes of training a fold (default 8); more arguments go to gpu_cv.py
#   bash bench/gpu_session.sh bench ...     evaluation with the network taken out (bench_eval_pipeline.py, ~1 minute), then
#                                           the throughput benchmark (bench_gpu.py, bs 64, compiled too)
# ROOT (default /root) is where it installs and copies; OUT (set by the device tool) where results go.
set -euo pipefail
ROOT=${ROOT:-/root}; OUT=${OUT:?OUT: the folder results go to}
export PYTHONPATH=$ROOT/site:$PWD PYTHONUNBUFFERED=1
rest=$ROOT/data/rest
case "${1:-}" in
  data)
    if [ -d .gpu/whl ] && [ ! -d $ROOT/site/fastai ]; then python3 -m pip install -q --no-index --no-deps --target $ROOT/site .gpu/whl/*.whl; fi
    if [ -d .gpu/ic ] && [ ! -d $ROOT/site/imagecodecs ]; then python3 -m pip install -q --no-index --no-deps --target $ROOT/site .gpu/ic/*.whl; fi
    mkdir -p $rest; for d in .gpu/ch/c*/data/rest; do [ -d "$d" ] && cp -r "$d"/. $rest/; done
    python3 -c "import fastai, tumortrace.crossval; print('fastai', fastai.__version__, 'and tumortrace import')"
    python3 -c "import imagecodecs as i; print('imagecodecs', i.__version__)" 2>/dev/null || echo "no imagecodecs: TIFFs decoded with Python's zlib (slower)"
    echo "$(ls $rest | wc -l) of the 65 patients not bundled are in $rest" ;;
  cv)
    n=$( (ls $rest 2>/dev/null || true) | wc -l); [ "$n" -ge 65 ] || { echo "only $n of 65 patients in $rest: carry the other chunks first" >&2; exit 1; }
    mkdir -p $ROOT/LGG71; ln -sfn $rest/TCGA_* $PWD/data/lgg/TCGA_* $ROOT/LGG71/
    python3 bench/gpu_cv.py --data $ROOT/LGG71 --out $ROOT/cv --results $OUT/cv --jobs 5 --max-minutes ${2:-8} --tta "${@:3}" ;;
  bench)
    for dev in cuda cpu; do for th in '' --score-thread; do        # a failure here must not cost bench_gpu.py's numbers
      python3 bench/bench_eval_pipeline.py --data data/lgg $rest --device $dev $th --out $OUT/eval_pipeline.jsonl || echo "bench_eval_pipeline.py --device $dev $th failed"
    done; done
    python3 bench/bench_gpu.py --data data/lgg $rest --out $OUT/bench_gpu.jsonl --bs 64 --compile "${@:2}" ;;
  *) echo "usage: bash bench/gpu_session.sh data | cv [minutes a fold] [gpu_cv.py options] | bench [bench_gpu.py options]" >&2; exit 2 ;;
esac
