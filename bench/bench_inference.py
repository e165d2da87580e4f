"""CPU inference of the bundled cpu-preset model: the old path (no_grad, contiguous fp32) against today's
(`SegModel.probs`: inference_mode + channels-last through `inference_net`: BatchNorm folded, ReLUs and residual adds
fused into oneDNN's convolutions, channel-run pixel shuffles, the 1x1 head before the last upsampling; on an AVX-512 CPU each decoder block's inner channels
padded to a multiple of 16: the bundled model's last block, 24 to 32), the same network as it was before the padding and oneDNN's head (both through one plain loop), the model
itself without that rewrite (ReLUs in place, and with fastai's out-of-place ReLUs), and bf16 autocast (both), on the same prepared slices in one run, the paths timed in turn (round-robin) so that the machine's
drift falls on all alike, with the fp32 matmul peak measured in the same run for scale. Agreement of the argmax labels
is reported.

Usage: python bench/bench_inference.py [--n 128] [--repeats 3] [--no-bf16] [--out results/inference.json]
"""
import argparse, json, time, types
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

def _chunked_head(self, x):
    "`PixelMLP.forward` as it was: two `addmm`s over chunks of 4096 pixels, then `cat`."
    n,c,h,w = x.shape; xf = x.permute(0, 2, 3, 1).reshape(-1, c)
    y = torch.cat([torch.addmm(self.b2, torch.addmm(self.b1, xf[j:j + 4096], self.w1.t()).relu_(), self.w2.t()) for j in range(0, len(xf), 4096)])
    return y.view(n, h, w, -1).permute(0, 3, 1, 2)

def run_net(net, x, bs=16):
    "Probabilities of `net` on `x` as `SegModel.probs` computes them on a CPU (batches of 16, channels-last, inference mode)."
    from tumortrace.model import drop_skip_maps
    try:
        with torch.inference_mode():
            return np.concatenate([net(torch.from_numpy(x[i:i+bs]).contiguous(memory_format=torch.channels_last)).softmax(1).numpy()
                                   for i in range(0, len(x), bs)])
    finally: drop_skip_maps(net)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--n', type=int, default=128); ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--no-bf16', action='store_true', help='leave bf16 out (emulated, ~7x slower, on CPUs without bf16 instructions)')
    ap.add_argument('--out', default=str(ROOT/'bench'/'results'/'inference.json'))
    a = ap.parse_args()
    sm = tumortrace.load_model(ROOT/'data'/'models'/'lgg_sample', device='cpu')
    x = prepare(read_cases(ROOT/'data'/'lgg'), size=sm.cfg['size'], context=sm.cfg.context).x[:a.n]
    import copy
    from tumortrace.model import SegModel, inplace_relu
    plain = inplace_relu(copy.deepcopy(sm.model).to(memory_format=torch.contiguous_format), inplace=False)  # the old path: old layout
    def old():
        with torch.no_grad(): return np.concatenate([plain(torch.from_numpy(x[i:i+32])).softmax(1).numpy() for i in range(0, len(x), 32)])
    def new(): return sm.probs(x)
    osm = SegModel(inplace_relu(copy.deepcopy(sm.model), inplace=False), sm.cfg, fused=False)   # fastai's own ReLUs: a new tensor each
    def out_relu(): return osm.probs(x)
    usm = SegModel(sm.model, sm.cfg, fused=False)                             # the model itself, ReLUs in place
    def unfused(): return usm.probs(x)
    from tumortrace.model import inference_net, PixelMLP
    prev = inference_net(sm.model, pad=0)          # inference_net before 2026-12-07's sixth session: no channels padded and
    for m in prev.modules():                       # the head's matrix products by MKL in chunks of 4096 pixels
        if isinstance(m, PixelMLP): m.forward = types.MethodType(_chunked_head, m)
    def before_pad(): return run_net(prev, x)
    def now_same_loop(): return run_net(sm.net, x)
    def bf16(): return bsm.probs(x)
    def bf16_unfused(): return bsu.probs(x)
    if not a.no_bf16:
        bsm = tumortrace.load_model(ROOT/'data'/'models'/'lgg_sample', device='cpu', precision='bf16')
        bsu = SegModel(bsm.model, bsm.cfg, precision='bf16', fused=False)
    res = dict(n_slices=len(x), size=sm.cfg['size'], threads=torch.get_num_threads(), matmul_gflops=round(matmul_gflops(), 1),
               model_gflop_per_slice=round(model_gflop(plain, x), 3))
    paths = [('no_grad fp32 (before)', old), ('inference_mode + channels_last, ReLUs out of place', out_relu),
             ('inference_mode + channels_last, ReLUs in place', unfused), ('inference_net (now)', new),
             ('inference_net before 2026-12-07 (no padded channels, chunked addmm head), same loop', before_pad),
             ('inference_net (now), same loop', now_same_loop)]
    if not a.no_bf16: paths += [("bf16, the model itself", bf16_unfused), ("bf16 (opt-in: precision='bf16'), inference_net", bf16)]
    times,outs = {n:[] for n,_ in paths},{}
    for _,fn in paths: fn()                                                   # warm-up
    for _ in range(a.repeats):
        for n,fn in paths:
            t,outs[n] = best_of(fn, 1); times[n].append(t)
    ref = None
    for name,_ in paths:
        t,p = min(times[name]),outs[name]
        lab = p.argmax(1)
        if ref is None: ref = lab
        res[name] = dict(seconds=round(t, 3), slices_per_s=round(len(x) / t, 1), argmax_agreement=float((lab == ref).mean()),
                         pct_of_fp32_matmul_peak=round(100 * len(x) / t * res['model_gflop_per_slice'] / res['matmul_gflops'], 1))
    print(json.dumps(res, indent=1))
    Path(a.out).write_text(json.dumps(res, indent=1) + '\n')
