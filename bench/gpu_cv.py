"""5-fold cross-validation of the `gpu` preset on one GPU, folds trained side by side (`cross_validate(jobs=...)`), results copied to --results.

Usage: python bench/gpu_cv.py --data DIR --out CV --results DIR [--epochs 40] [--jobs 5] [--max-minutes 6] [--context 1] [--loss tversky_ce] [--ema 0.995] [--balance patient] [--deep-supervision 2] [--last-cross 0] [--train-seed 7]
"""
import argparse, json, shutil, time, traceback
from pathlib import Path

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True); ap.add_argument('--out', required=True); ap.add_argument('--results', required=True)
    ap.add_argument('--epochs', type=int, default=None); ap.add_argument('--jobs', type=int, default=5)
    ap.add_argument('--max-minutes', type=float, default=None); ap.add_argument('--context', type=int, default=None)
    ap.add_argument('--loss', default=None); ap.add_argument('--folds', type=int, default=5); ap.add_argument('--preset', default='gpu')
    ap.add_argument('--tta', action='store_true')
    ap.add_argument('--ema', type=float, default=None, help='weight averaging decay (train --ema)')
    ap.add_argument('--balance', default=None, choices=['slice', 'patient', 'area'], help='how tumour slices are drawn (train --balance)')
    ap.add_argument('--deep-supervision', type=int, default=None, help='decoder blocks also trained on the downsampled mask (train --deep-supervision)')
    ap.add_argument('--last-cross', type=int, choices=[0, 1], default=None, help="the decoder's full-resolution ResBlock (cv last_cross; the gpu preset's: 1, 39 %% of its forward FLOPs)")
    ap.add_argument('--train-seed', type=int, default=None, help="the folds' training seed alone (cv --train-seed): a replication on the same folds")
    a = ap.parse_args()
    import pandas as pd
    from tumortrace.crossval import cross_validate
    res = Path(a.results); res.mkdir(parents=True, exist_ok=True)
    t = time.time(); err = None
    try:
        s = cross_validate(a.data, a.out, folds=a.folds, preset=a.preset, epochs=a.epochs, context=a.context, loss=a.loss, ema=a.ema, balance=a.balance, deep_supervision=a.deep_supervision, last_cross=None if a.last_cross is None else bool(a.last_cross), train_seed=a.train_seed, tta=a.tta,
                           max_minutes=a.max_minutes, jobs=a.jobs, progress=True)
        s['wall_minutes'] = round((time.time() - t) / 60, 2)
        (res/'cv_summary.json').write_text(json.dumps(s, indent=1))
        shutil.copy(Path(a.out)/'cv_per_patient.csv', res/'cv_per_patient.csv')
        print(json.dumps({k:s[k] for k in ('dice', 'raw', 'wall_minutes', 'train_minutes') if k in s}), flush=True)
    except Exception: err = traceback.format_exc(); print(err, flush=True)
    hs = []
    for h in sorted(Path(a.out).glob('fold_*/history.csv')):
        d = pd.read_csv(h); d.insert(0, 'fold', h.parent.name); hs.append(d)
    if hs: pd.concat(hs).to_csv(res/'histories.csv', index=False)
    ms = {p.parent.name: json.loads(p.read_text()) for p in sorted(Path(a.out).glob('fold_*/metrics.json'))}
    (res/'fold_metrics.json').write_text(json.dumps(dict(metrics=ms, error=err, wall_minutes=round((time.time() - t) / 60, 2)), indent=1))

if __name__ == '__main__': main()
