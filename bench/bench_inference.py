"""CPU inference of the bundled cpu-preset model: the old path (no_grad, contiguous fp32) against today's
(`SegModel.probs`: inference_mode + channels-last) and bf16 autocast, on the same prepared slices in one run,
with the fp32 matmul peak measured in the same run for scale. Agreement of the argmax labels is reported.

Usage: python bench/bench_inference.py [--n 128] [--repeats 3]   -> prints a table, writes results/inference.json
"""
import argparse, json, time
from pathlib import Path
import numpy as np, torch
import tumortrace
from tumortrace.io import read_cases
from tumortrace.data import prepare

ROOT = Path(__file__).resolve().parents[1]

def best_of(fn, repeats):
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); out = fn(); ts.append(time.perf_counter() - t0)
    return min(ts), out

def model_gflop(model, x):
    "GFLOP of one forward pass of `model` on one slice (torch's FLOP counter: 2 per multiply-add)."
    from torch.utils.flop_counter import FlopCounterMode
    with torch.inference_mode(), FlopCounterMode(display=False) as fc: model(torch.from_numpy(x[:1]))
    return fc.get_total_flops() / 1e9

def matmul_gflops(n=2048, repeats=5):
    a,b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    t,_ = best_of(lambda: a @ b, repeats)
    return 2 * n**3 / t / 1e9

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--n', type=int, default=128); ap.add_argument('--repeats', type=int, default=3)
    a = ap.parse_args()
    sm = tumortrace.load_model(ROOT/'data'/'models'/'lgg_sample', device='cpu')
    x = prepare(read_cases(ROOT/'data'/'lgg'), size=sm.cfg['size'], context=sm.cfg.context).x[:a.n]
    import copy
    plain = copy.deepcopy(sm.model).to(memory_format=torch.contiguous_format)   # the old layout, converted once, outside the timing
    def old():
        with torch.no_grad(): return np.concatenate([plain(torch.from_numpy(x[i:i+32])).softmax(1).numpy() for i in range(0, len(x), 32)])
    def new(): return sm.probs(x)
    bsm = tumortrace.load_model(ROOT/'data'/'models'/'lgg_sample', device='cpu', precision='bf16')
    def bf16(): return bsm.probs(x)
    res = dict(n_slices=len(x), size=sm.cfg['size'], threads=torch.get_num_threads(), matmul_gflops=round(matmul_gflops(), 1),
               model_gflop_per_slice=round(model_gflop(plain, x), 3))
    ref = None
    for name,fn in (('no_grad fp32 (before)', old), ('inference_mode + channels_last (now)', new), ("+ bf16 (opt-in: precision='bf16')", bf16)):
        fn(); t,p = best_of(fn, a.repeats)
        lab = p.argmax(1)
        if ref is None: ref = lab
        res[name] = dict(seconds=round(t, 3), slices_per_s=round(len(x) / t, 1), argmax_agreement=float((lab == ref).mean()),
                         pct_of_fp32_matmul_peak=round(100 * len(x) / t * res['model_gflop_per_slice'] / res['matmul_gflops'], 1))
    print(json.dumps(res, indent=1))
    (ROOT/'bench'/'results'/'inference.json').write_text(json.dumps(res, indent=1) + '\n')
