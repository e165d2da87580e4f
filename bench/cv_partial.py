"""The scored folds of a cross-validation (finished or stopped part way) against the `cpu` preset runs kept in results/, on the
patients it scored: mean, interval, per fold, below 0.5, and each kept run minus it (paired), with the deep-supervision
rule (b) of bench/README.md. Usage: python bench/cv_partial.py runs/CV"""
import json, sys
from pathlib import Path
import numpy as np, pandas as pd
sys.path.insert(0, str(Path(__file__).parents[1]))
from tumortrace.crossval import bootstrap_ci
R = Path(sys.argv[1])   # a cross-validation folder, finished or stopped part way
rows = [dict(r, fold=int(s.parent.name.split('_')[1])) for s in sorted(R.glob('fold_*/scores.json')) for r in json.loads(s.read_text())['rows']]
a = pd.DataFrame(rows).set_index('patient')
print('folds', sorted(a.fold.unique()), 'patients', len(a), 'mean %.4f' % a.dice.mean(), 'median %.3f' % a.dice.median(), 'below', int((a.dice < .5).sum()), 'CI', np.round(bootstrap_ci(a.dice.to_numpy()), 3))
print('per fold', a.groupby('fold').dice.mean().round(3).to_dict())
for k in ('sensitivity', 'precision', 'hd95_px'):
    if k in a: print(k, round(a[k].mean(), 3))
print('below 0.5:', a[a.dice < .5].dice.round(2).to_dict())
for f in sorted(R.glob('fold_*/history.csv')): print(f.parent.name, 'epochs', len(pd.read_csv(f)))
for f in sorted(R.glob('fold_*/decision.json')): d = json.loads(f.read_text()); print(f.parent.name, 'rule', d['threshold'], d['postprocess'])
B = Path(__file__).parent/'results'
for name in ('cv_rel30/flairfill', 'cv_cpu_bf16_now', 'cv_cpu_patient', 'cv_cpu_ema_now', 'cv_cpu_ds2', 'cv_cpu_ds2_s7'):
    b = pd.read_csv(B/name/'cv_per_patient.csv').set_index('patient').dice.reindex(a.index)
    d = (b - a.dice).to_numpy(); lo,hi = bootstrap_ci(d)
    print(f'{name:22s} on these: {b.mean():.4f} below {int((b < .5).sum())}; it - this run {d.mean():+.4f} ({lo:+.3f} to {hi:+.3f}) better {int((d > 0).sum())} worse {int((d < 0).sum())}')
ff = pd.read_csv(B/'cv_rel30/flairfill'/'cv_per_patient.csv').set_index('patient').dice.reindex(a.index)
two = (ff + a.dice) / 2
ds = (pd.read_csv(B/'cv_cpu_ds2'/'cv_per_patient.csv').set_index('patient').dice + pd.read_csv(B/'cv_cpu_ds2_s7'/'cv_per_patient.csv').set_index('patient').dice).reindex(a.index) / 2
d = (ds - two).to_numpy(); lo,hi = bootstrap_ci(d)
print(f'rule (b): ds2+ds2_s7 minus flairfill+this run: {d.mean():+.4f} ({lo:+.3f} to {hi:+.3f})')
