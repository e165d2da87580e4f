"""Time-to-Dice: train a configuration on real LGG patients for a fixed budget on this machine, then report
the mean/median of per-patient 3-D Dice on the split's held-out *test* patients (never seen in training).

Usage: python bench/bench_time_to_dice.py --data ../shared/data/lgg --name A --encoder xresnet34_w16 \
           --no-last-cross --epochs 20 --max-minutes 12 [--out runs/bench]
Appends one row to bench/results/time_to_dice.csv.
"""
import argparse, csv, json, time
from pathlib import Path
import numpy as np
from tumortrace.train import train, Run
from tumortrace.model import load_model
from tumortrace.io import read_cases
from tumortrace.metrics import dice


def test_dice(run, data):
    sp = Run(run).split()
    m = load_model(run/'model')
    cases = {c.case_id:c for c in read_cases(data)}
    per = {cid: dice(cases[cid].mask_volume(), m.predict_case(cases[cid])) for cid in sp['test']}
    return per

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True); ap.add_argument('--name', required=True); ap.add_argument('--out', default='runs/bench')
    ap.add_argument('--encoder', default='xresnet18_w16'); ap.add_argument('--size', type=int, default=128)
    ap.add_argument('--epochs', type=int, default=20); ap.add_argument('--max-minutes', type=float, default=12)
    ap.add_argument('--no-last-cross', action='store_true'); ap.add_argument('--bs', type=int, default=16)
    ap.add_argument('--lr', type=float, default=3e-3); ap.add_argument('--tumour-weight', type=float, default=3.)
    ap.add_argument('--no-crop', action='store_true'); ap.add_argument('--seed', type=int, default=42)
    a = ap.parse_args()
    run = Path(a.out)/a.name
    t0 = time.time()
    m = train(a.data, run, preset='cpu', encoder=a.encoder, size=a.size, epochs=a.epochs, bs=a.bs, lr=a.lr,
              tumour_weight=a.tumour_weight, last_cross=not a.no_last_cross, max_minutes=a.max_minutes,
              crop=not a.no_crop, seed=a.seed, patience=1000)
    minutes = (time.time() - t0) / 60
    per = test_dice(run, a.data)
    d = np.array(list(per.values()))
    row = dict(name=a.name, encoder=a.encoder, size=a.size, last_cross=not a.no_last_cross, crop=not a.no_crop, bs=a.bs, lr=a.lr,
               tumour_weight=a.tumour_weight, epochs_planned=a.epochs, epochs_run=len(open(run/'history.csv').readlines()) - 1,
               train_minutes=m.metrics['train_minutes'], total_minutes=round(minutes, 1), valid_dice_patient=round(m.metrics['dice_patient'], 4),
               test_patients=len(d), test_dice_mean=round(d.mean(), 4), test_dice_median=round(float(np.median(d)), 4),
               test_dice_min=round(d.min(), 4))
    print(json.dumps(row), flush=True); print(json.dumps({k: round(v, 4) for k,v in per.items()}))
    out = Path('bench/results/time_to_dice.csv'); out.parent.mkdir(parents=True, exist_ok=True)
    new = not out.exists()
    with open(out, 'a', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(row))
        if new: w.writeheader()
        w.writerow(row)
