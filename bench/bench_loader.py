"""Training loaders alone (no model) at a preset's own settings: size, 2.5D context, the FLAIR fill, tumour weighting.

    python bench/bench_loader.py --data ../shared/data/lgg --preset cpu --out bench/results/loader_cpu_preset.jsonl

Prints and appends one JSON line per loader: wall ms and CPU ms (both cores) per training batch, images/s.
The `cpu` preset trains with fastai's `seg_dataloaders` on a CPU (`train(loader='auto')`); `TensorLoader` is the GPU's.
"""
import argparse, json, sys, time
from pathlib import Path

def rate(dl, n:int)->dict:
    "Wall and CPU time per batch over `n` batches after one warm-up batch (epochs restarted as needed)."
    def batches():
        while True: yield from dl
    it = batches(); next(it)
    t0,c0 = time.perf_counter(), time.process_time()
    for _ in range(n): b = next(it)
    w,c = (time.perf_counter() - t0) / n, (time.process_time() - c0) / n
    return dict(ms_per_batch=round(w * 1e3, 1), cpu_ms_per_batch=round(c * 1e3, 1), img_per_s=round(len(b[0]) / w, 1), shape=list(b[0].shape))

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', default='../shared/data/lgg'); ap.add_argument('--preset', default='cpu')
    ap.add_argument('--patients', type=int, default=20, help='the first N patients (enough for 30+ batches)')
    ap.add_argument('--batches', type=int, default=30); ap.add_argument('--out', default=None)
    a = ap.parse_args()
    import torch
    from tumortrace.io import read_cases
    from tumortrace.data import prepare, split_patients, seg_dataloaders, tensor_dataloaders
    from tumortrace.augment import seg_augs, SegAugment
    from tumortrace.train import PRESETS, _fill_for
    p = PRESETS[a.preset]
    cases = read_cases(a.data)[:a.patients]
    ss = prepare(cases, p['size'], context=p.get('context', 0))
    aug = dict(p.get('augment', {})); aug.pop('flair_fill', None)
    aug.update(_fill_for(a.preset, None, cases[0].channel_names))
    if not aug.get('flair_fill'): aug = {k:v for k,v in aug.items() if k not in ('flair_fill', 'n_ch', 'flair')}
    split = split_patients(ss.case_ids, valid_pct=0.15, test_pct=0.0, seed=0)
    cpu = torch.device('cpu')
    common = dict(bs=p['bs'], tumour_weight=p['tumour_weight'], device=cpu, seed=0)
    rows = [dict(kind='fastai seg_dataloaders', **rate(seg_dataloaders(ss, split, batch_tfms=seg_augs(**aug), **common).train, a.batches)),
            dict(kind='TensorLoader', **rate(tensor_dataloaders(ss, split, augment=SegAugment(**aug), **common).train, a.batches))]
    for r in rows:
        r = dict(what='loader', preset=a.preset, size=p['size'], bs=p['bs'], threads=torch.get_num_threads(), augment=aug, **r)
        print(json.dumps(r))
        if a.out:
            with open(a.out, 'a') as f: f.write(json.dumps(r) + '\n')

if __name__ == '__main__':
    sys.path.insert(0, str(Path(__file__).resolve().parents[1])); main()
