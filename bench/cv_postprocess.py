"""Fixed post-processing specs on the held-out predictions of one cross-validation (issue 9).

Every patient is predicted by the run's model of the fold that held it out (flip TTA optional, as
`cv_ensemble.py`), decided by that fold's own rule (threshold, growth: `cv_per_patient.csv`), and every spec is
applied to all patients alike, so each spec's paired difference against 'none' is its own effect (`rel[P]` was
measured here, with this script's own copy of the step, before it joined `tumortrace.postprocess`).
Usage: python bench/cv_postprocess.py --run runs/A [--tta] --specs none rel10 min50 [--out results.json]
"""
import json
from pathlib import Path
import numpy as np
import pandas as pd
from cv_ensemble import held_out_probs, run_args

def apply(mask, spec):
    from tumortrace.postprocess import postprocess
    return postprocess(mask.astype(np.uint8), spec) > 0

def main():
    a = run_args(lambda ap: ap.add_argument('--specs', nargs='+', default=['none', 'rel10']))
    ap_specs = a.specs
    from tumortrace.model import decide
    from tumortrace.evaluate import overlap_metrics, hd95
    from tumortrace.crossval import dice_stats, bootstrap_ci
    cv = pd.read_csv(Path(a.run)/'cv_per_patient.csv').set_index('patient')
    rows = []
    for pid,truth,(p,) in held_out_probs(a.data, [a.run], a.tta):
        r = cv.loc[pid]
        kw = dict(threshold=None if float(r.threshold) == 0.5 else float(r.threshold),
                  grow=None if pd.isna(r.grow) else float(r.grow))
        m = decide(p, **kw) > 0
        for s in ap_specs:
            q = apply(m, s)
            o = overlap_metrics(truth, q)
            rows.append(dict(patient=pid, fold=int(r.fold), spec=s, dice=o['dice'], sensitivity=o['sensitivity'],
                             precision=o['precision'], hd95_px=hd95(truth, q), cv_dice=float(r.dice),
                             volume_true=int(truth.sum()), volume_pred=int(q.sum())))
    d = pd.DataFrame(rows)
    base = d[d.spec == 'none'].set_index('patient').dice if 'none' in ap_specs else None
    res = dict(run=a.run, tta=a.tta, n_patients=int(d.patient.nunique()), results=[])
    if base is not None:
        res['none_reproduces_cv'] = float((base - d[d.spec == 'none'].set_index('patient').cv_dice).abs().max())
    for s in ap_specs:
        x = d[d.spec == s].set_index('patient')
        r = dict(spec=s, **dice_stats(x.dice.values), hd95_mean=float(x.hd95_px.mean()), hd95_median=float(x.hd95_px.median()),
                 sensitivity=float(x.sensitivity.mean()), precision=float(x.precision.mean()))
        if base is not None and s != 'none':
            g = x.dice - base.loc[x.index]
            r.update(paired_mean=float(g.mean()), paired_ci95=list(bootstrap_ci(g.values)), better=int((g > 1e-9).sum()),
                     worse=int((g < -1e-9).sum()), worst_loss=float(g.min()), worst_patient=str(g.idxmin()),
                     changed={k:round(float(v), 4) for k,v in g[g.abs() > 1e-9].sort_values().items()})
        res['results'].append(r)
        print(json.dumps({k:v for k,v in r.items() if k != 'changed'}), flush=True)
    if a.out:
        Path(a.out).write_text(json.dumps(res, indent=1))
        d.to_csv(Path(a.out).with_suffix('.csv'), index=False)

if __name__ == '__main__': main()
