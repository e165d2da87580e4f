"""The scored folds of a cross-validation (finished or stopped part way) against the `cpu` preset runs kept in results/, on the
patients it scored: mean, interval, per fold, below 0.5, and each kept run minus it (paired), with the deep-supervision
rule (b) of bench/README.md. Usage: python bench/cv_partial.py runs/CV"""
import json, sys
from pathlib import Path
import numpy as np, pandas as pd
sys.path.insert(0, str(Path(__file__).parents[1])); sys.path.insert(0, str(Path(__file__).parent))
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
from cv_compare import per_patient, paired   # the kept runs read, and paired, as cv_compare does
this = a.dice
def line(label, b):
    p = paired(this, b)
    print(f"{label:22s} on these: {b.mean():.4f} below {int((b < .5).sum())}; it - this run {p['mean']:+.4f} ({p['lo']:+.3f} to {p['hi']:+.3f}) better {p['better']} worse {p['worse']}")
for name in ('cv_rel30/flairfill', 'cv_cpu_bf16_now', 'cv_cpu_patient', 'cv_cpu_ema_now', 'cv_cpu_ds2', 'cv_cpu_ds2_s7'):
    line(name, per_patient(B/name).reindex(this.index))
two = (per_patient(B/'cv_rel30/flairfill').reindex(this.index) + this) / 2
ds = per_patient(f"{B/'cv_cpu_ds2'}+{B/'cv_cpu_ds2_s7'}").reindex(this.index)
p = paired(two, ds)
print(f"rule (b): ds2+ds2_s7 minus flairfill+this run: {p['mean']:+.4f} ({p['lo']:+.3f} to {p['hi']:+.3f})")
