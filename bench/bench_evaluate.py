"""Evaluation cost against the model's own forward passes, on this machine (issue 13).

`evaluate_cases` end to end (read the TIFFs, preprocess, predict, per-patient and per-slice metrics) vs `SegModel.probs`
on the same prepared slices, and `choose_postprocess` (8 candidates) on the same patients; best of --repeat runs each.
`--before` measures the set-up before in-place ReLUs and `imagecodecs` (fastai's out-of-place ReLUs, TIFFs decoded
with Python's zlib), so that the two can be run back to back on the same machine; `--unfused` predicts with the model
itself instead of `inference_net(model)` (the set-up before the fused inference network).
Usage: python bench/bench_evaluate.py [--data ../shared/data/lgg] [--patients 10] [--model data/models/lgg_sample] [--before] [--unfused] [--out results.jsonl]
"""
import argparse, json, os, sys, time
from pathlib import Path
import torch

def best(f, n):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); r = f(); ts.append(time.perf_counter() - t)
    return min(ts), r

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='../shared/data/lgg'); ap.add_argument('--patients', type=int, default=10)
    ap.add_argument('--model', default='data/models/lgg_sample'); ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--out', default=None)
    ap.add_argument('--unfused', action='store_true', help="predict with the model itself, not `inference_net(model)`")
    ap.add_argument('--before', action='store_true', help="fastai's out-of-place ReLUs and no imagecodecs (the earlier set-up)")
    a = ap.parse_args()
    if a.before: sys.modules['imagecodecs'] = None                          # tifffile falls back to Python's zlib
    from tumortrace.io import read_cases
    from tumortrace.model import load_model, inplace_relu
    from tumortrace.data import prepare
    from tumortrace.evaluate import evaluate_cases
    from tumortrace.decision import choose_postprocess
    if 'OMP_NUM_THREADS' not in os.environ: torch.set_num_threads(os.cpu_count())
    m = load_model(a.model)
    if a.before: inplace_relu(m.model, inplace=False)
    if a.before or a.unfused: m.fused = False
    srcs = [c.source for c in read_cases(a.data)][:a.patients]
    fresh = lambda: [read_cases(s)[0] for s in srcs]   # new Case objects (nothing cached between runs), from the chosen patients' folders only
    evaluate_cases(m, fresh()[:1])                                           # warm-up
    t_eval,_ = best(lambda: evaluate_cases(m, fresh()), a.repeat)
    ss = prepare(fresh(), m.cfg['size'], m.cfg.get('norm', 'percentile'), m.cfg.get('crop', True), context=m.cfg.get('context', 0))
    m.probs(ss.x[:32])
    t_fwd,_ = best(lambda: m.probs(ss.x), a.repeat)
    t_pp,_ = best(lambda: choose_postprocess(m, fresh()), a.repeat)
    import tumortrace.evaluate as ev
    ahead = ev.read_ahead
    ev.read_ahead = lambda cases, prepare=None, **kw: ahead(cases, **kw)       # read ahead, prepared in the main thread
    t_read,_ = best(lambda: evaluate_cases(m, fresh()), a.repeat)
    ev.read_ahead = lambda cases, prepare=None, **kw: ahead(cases, ahead=0)   # each patient read only when needed
    t_seq,_ = best(lambda: evaluate_cases(m, fresh()), a.repeat)
    ev.read_ahead = ahead
    r = dict(setup='before' if a.before else 'unfused' if a.unfused else 'now', device=str(m.device), threads=torch.get_num_threads(), patients=len(srcs), slices=len(ss), evaluate_s=round(t_eval, 3),
             forward_s=round(t_fwd, 3), ratio=round(t_eval / t_fwd, 2), end_to_end_slices_per_s=round(len(ss) / t_eval, 1),
             forward_slices_per_s=round(len(ss) / t_fwd, 1), choose_postprocess_s=round(t_pp, 3),
             evaluate_reading_ahead_only_s=round(t_read, 3), evaluate_without_read_ahead_s=round(t_seq, 3),
             ratio_without_read_ahead=round(t_seq / t_fwd, 2))
    print(json.dumps(r))
    if a.out:
        with open(a.out, 'a') as f: f.write(json.dumps(r) + '\n')

if __name__ == '__main__': main()
