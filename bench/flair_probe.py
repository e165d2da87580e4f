"""How a cross-validation's fold models fare when a sequence is missing and filled with FLAIR, as the LGG data do.

Each fold model predicts its own test patients (no TTA, its recorded threshold) three times: as they are, with FLAIR
in the pre-contrast channel, and with FLAIR in all three; per-patient Dice of each, and whether the patient's own
images already carry a substituted sequence (a channel identical to FLAIR).
Usage: python bench/flair_probe.py runs/cv_cpu_aligned --folds 0,1 --data ../shared/data/lgg --out bench/results/flair_probe/x.csv
"""
import argparse, json
import numpy as np, pandas as pd

def probe(cv, folds, data)->pd.DataFrame:
    from tumortrace.model import load_model
    from tumortrace.io import read_cases
    from tumortrace.metrics import dice
    plan = json.load(open(f'{cv}/folds.json'))
    byid = {c.case_id:c for c in read_cases(data)}
    rows = []
    for k in folds:
        m = load_model(f'{cv}/fold_{k}/model')
        for pid in plan['folds'][k]['test']:
            c = byid[pid]; v,t,b = c.volume(), c.mask_volume() > 0, c.brain_volume()
            r = dict(fold=k, patient=pid, has_substitute=bool((v[..., 0] == v[..., 1]).all() or (v[..., 2] == v[..., 1]).all()))
            for name,sub in (('as_is', v), ('pre_flair', np.stack([v[..., 1], v[..., 1], v[..., 2]], -1)),
                             ('flair_only', np.repeat(v[..., 1:2], 3, -1))):
                r[name] = dice(t, m.predict_volume(sub, b) > 0)
            rows.append(r); print(r, flush=True)
    return pd.DataFrame(rows)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('cv'); ap.add_argument('--folds', default='0,1,2,3,4'); ap.add_argument('--data', default='../shared/data/lgg')
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    df = probe(a.cv, [int(k) for k in a.folds.split(',')], a.data)
    df.to_csv(a.out, index=False)
    print(df.groupby('has_substitute')[['as_is', 'pre_flair', 'flair_only']].mean().round(3))
    print(df[['as_is', 'pre_flair', 'flair_only']].mean().round(3).to_dict())
