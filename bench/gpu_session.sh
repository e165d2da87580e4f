#!/usr/bin/env bash
# Run on the GPU machine (the device tool's `run`, from the repo root) with what bench/gpu_prepare.sh made here in .gpu/.
# What earlier calls copied stays while the machine is warm (it goes back after 30 s idle: make the calls back to back).
#   bash bench/gpu_session.sh data          install the carried wheels (once) and merge the carried patients
#   bash bench/gpu_session.sh cv [MIN] ...  start the `gpu` preset's 5-fold CV of all 71 patients, five folds side by
#                                           side, MIN minutes of training a fold (default 8; more arguments go to
#                                           gpu_cv.py), in its own process session (setsid), so that it outlives the call
#                                           (a call may run 600 s; the CV takes about 10 minutes); then waits as `wait` does
#   bash bench/gpu_session.sh wait [S]      wait up to S seconds (default 540) for the CV started by `cv`; its log's end,
#                                           and once it has ended its results, go to $OUT/cv (call it again until it says so)
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
    [ -e $ROOT/cv.pid ] && kill -0 "$(cat $ROOT/cv.pid)" 2>/dev/null && { echo "a CV is running already (pid $(cat $ROOT/cv.pid)): bash bench/gpu_session.sh wait" >&2; exit 1; }
    rm -rf $ROOT/cv_results; mkdir -p $ROOT/cv_results
    setsid nohup ${GPU_CV:-python3 bench/gpu_cv.py} --data $ROOT/LGG71 --out $ROOT/cv --results $ROOT/cv_results --jobs 5 \
        --max-minutes ${2:-8} --tta "${@:3}" > $ROOT/cv_results/cv.log 2>&1 < /dev/null &
    echo $! > $ROOT/cv.pid; echo "CV started (pid $!, log $ROOT/cv_results/cv.log): it outlives this call"
    exec bash "$0" wait "${WAIT:-540}" ;;
  wait)
    [ -e $ROOT/cv.pid ] || { echo "no CV was started on this machine: bash bench/gpu_session.sh cv first" >&2; exit 1; }
    pid=$(cat $ROOT/cv.pid); end=$((SECONDS + ${2:-540}))
    while kill -0 $pid 2>/dev/null && [ $SECONDS -lt $end ]; do sleep 5; done
    mkdir -p $OUT/cv; cp $ROOT/cv_results/* $OUT/cv/ 2>/dev/null || true
    tail -c 3000 $ROOT/cv_results/cv.log | tr '\r' '\n' | tail -n 25
    if kill -0 $pid 2>/dev/null; then echo "the CV is still running ($(( $(date +%s) - $(stat -c %Y $ROOT/cv.pid) )) s so far): call 'bash bench/gpu_session.sh wait' again at once (the machine goes back after 30 s idle)"
    elif [ -e $ROOT/cv_results/cv_summary.json ]; then echo "the CV has ended: its results are in \$OUT/cv"
    else echo "the CV has ended without a summary: see the log above and \$OUT/cv/fold_metrics.json" >&2; exit 1; fi ;;
  bench)
    for dev in cuda cpu; do for th in '' --score-thread; do        # a failure here must not cost bench_gpu.py's numbers
      python3 bench/bench_eval_pipeline.py --data data/lgg $rest --device $dev $th --out $OUT/eval_pipeline.jsonl || echo "bench_eval_pipeline.py --device $dev $th failed"
    done; done
    python3 bench/bench_gpu.py --data data/lgg $rest --out $OUT/bench_gpu.jsonl --bs 64 --compile "${@:2}" ;;
  *) echo "usage: bash bench/gpu_session.sh data | cv [minutes a fold] [gpu_cv.py options] | wait [seconds] | bench [bench_gpu.py options]" >&2; exit 2 ;;
esac
