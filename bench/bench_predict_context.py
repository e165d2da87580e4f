"""Peak memory and time of predicting one whole 2.5D volume with flip TTA: a BraTS case (155 slices, FLAIR + T1c)
with a `gpu`-preset-sized input (256 px, `context=1`: 6 input channels), an untrained small U-Net, on the CPU.

    python bench/bench_predict_context.py --data ../shared/data/brats2015 --out bench/results/predict_context.jsonl

Prints and appends one JSON line: resident memory after loading (MB), the peak during `predict_case(tta=True)`,
the difference, seconds, and a SHA-1 of the mask (two versions of the code must agree). Run it in a fresh process.
"""
import argparse, hashlib, json, resource, time, tempfile
from pathlib import Path

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', default='../shared/data/brats2015'); ap.add_argument('--size', type=int, default=256)
    ap.add_argument('--out', default=None)
    a = ap.parse_args()
    import torch
    from tumortrace.io import read_cases
    from tumortrace.model import unet_config, create_model, save_model, load_model
    torch.manual_seed(0)
    c = read_cases(a.data)[0]
    vol,brain = c.volume(), c.brain_volume()
    cfg = unet_config('xresnet18_w16', n_in=3 * len(c.channel_names), n_out=2, size=a.size)
    cfg.update(norm='percentile', crop=True, context=1, channel_names=list(c.channel_names))
    d = Path(tempfile.mkdtemp())
    save_model(create_model(cfg), cfg, d/'model')
    m = load_model(d/'model', device='cpu')
    m.predict_volume(vol[:4], brain[:4], tta=True)                   # warm-up: the fused network made
    kb = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    base = int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1]) / 1024
    before = kb()
    t = time.perf_counter()
    mask = m.predict_volume(vol, brain, tta=True)
    r = dict(case=c.case_id, slices=c.n_slices, size=a.size, n_in=cfg['n_in'], rss_before_mb=round(base),
             peak_before_mb=round(before), peak_mb=round(kb()), extra_mb=round(kb() - base), seconds=round(time.perf_counter() - t, 1),
             sha1_mask=hashlib.sha1(mask.tobytes()).hexdigest()[:12])
    print(json.dumps(r))
    if a.out:
        with open(a.out, 'a') as f: f.write(json.dumps(r) + '\n')

if __name__ == '__main__': main()
