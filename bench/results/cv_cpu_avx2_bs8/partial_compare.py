"""Paired per-patient Dice of the stopped `--bs 8` run (folds 0-2) against the preset's AVX2 run on the same patients.

    python bench/results/cv_cpu_avx2_bs8/partial_compare.py
"""
import csv, json
from pathlib import Path
import numpy as np

here = Path(__file__).parent
base = {r['patient']: float(r['dice']) for r in csv.DictReader(open(here.parent/'cv_cpu_avx2'/'cv_per_patient.csv'))}
a,b = [],[]
for f in sorted(here.glob('fold_*/scores.json')):
    rows = json.loads(f.read_text())['rows']
    fa,fb = np.array([base[r['patient']] for r in rows]), np.array([r['dice'] for r in rows])
    print(f"{f.parent.name}: {len(rows)} patients, bs 16 {fa.mean():.3f}, bs 8 {fb.mean():.3f}, paired {np.mean(fb-fa):+.3f}")
    a += list(fa); b += list(fb)
a,b = np.array(a),np.array(b); d = b - a
rng = np.random.default_rng(0)
boot = [d[rng.integers(0, len(d), len(d))].mean() for _ in range(5000)]
lo,hi = np.percentile(boot, [2.5, 97.5])
print(f"{len(d)} patients: bs 16 {a.mean():.3f}, bs 8 {b.mean():.3f}, paired {d.mean():+.3f} ({lo:+.3f} to {hi:+.3f}), "
      f"{(d > 0).sum()} better / {(d < 0).sum()} worse, below 0.5: {(a < 0.5).sum()} -> {(b < 0.5).sum()}")
