"""A cross-validation's decision rules chosen again with today's candidates, its fold models kept (issue 9).

For each fold: the threshold, growth and post-processing are chosen again on the fold's *validation* patients
(`choose_decision` with the library's `THRESHOLDS` and `CANDIDATES` as they are now, flip TTA optional), then the
fold's test patients are predicted and scored with that rule, as `tumortrace cv` does. The run itself is not
touched; the paired difference against its `cv_per_patient.csv` is what the new candidates change on unseen patients.
Usage: python bench/cv_redecide.py --run runs/A [--tta] [--out results/prefix]   (writes prefix_per_patient.csv, prefix_summary.json)
"""
import json
from pathlib import Path
import numpy as np
import pandas as pd
from cv_ensemble import run_args

def main():
    a = run_args()
    from tumortrace.io import read_cases
    from tumortrace.model import load_model, decide
    from tumortrace.postprocess import choose_decision, postprocess, CANDIDATES
    from tumortrace.evaluate import patient_metrics, overlap_metrics, volume_spacing
    from tumortrace.crossval import summarize_cv, bootstrap_ci, institution
    run = Path(a.run)
    folds = json.loads((run/'folds.json').read_text())['folds']
    byid = {c.case_id:c for c in read_cases(a.data)}
    rows, rules = [], {}
    for f in folds:
        m = load_model(run/f"fold_{f['fold']}"/'model')
        d = choose_decision(m, [byid[i] for i in f['valid']], tta=a.tta)
        rules[f['fold']] = {k:d[k] for k in ('threshold', 'grow', 'postprocess')}
        print(f"fold {f['fold']}: {rules[f['fold']]}", flush=True)
        for pid in f['test']:
            c = byid[pid]
            _,p = m.predict_case(c, probs=True, tta=a.tta)
            truth = c.mask_volume() > 0
            thr = decide(p, d['threshold'], d['grow']) > 0
            post = postprocess(thr.astype(np.uint8), d['postprocess']) > 0
            rows.append(dict(fold=f['fold'], patient=pid, institution=institution(pid), **patient_metrics(truth, post, volume_spacing(c)),
                             dice_raw=overlap_metrics(truth, decide(p) > 0)['dice'], dice_threshold=overlap_metrics(truth, thr)['dice'],
                             **rules[f['fold']]))
    df = pd.DataFrame(rows)
    s = summarize_cv(rows)
    old = pd.read_csv(run/'cv_per_patient.csv').set_index('patient').dice
    g = df.set_index('patient').dice - old.loc[df.patient].values
    s.update(candidates=list(CANDIDATES), tta=a.tta, rules=rules, before=dict(mean=float(old.mean()), n_below_05=int((old < .5).sum())),
             paired_mean=float(g.mean()), paired_ci95=list(bootstrap_ci(g.values)), better=int((g > 1e-9).sum()), worse=int((g < -1e-9).sum()),
             changed={k:round(float(v), 4) for k,v in g[g.abs() > 1e-9].sort_values().items()})
    print(json.dumps({k:s[k] for k in ('rules', 'before', 'paired_mean', 'paired_ci95', 'better', 'worse')}), json.dumps(s['dice']))
    if a.out:
        df.to_csv(f'{a.out}_per_patient.csv', index=False)
        Path(f'{a.out}_summary.json').write_text(json.dumps(s, indent=1))

if __name__ == '__main__': main()
