"""Where the missed tumour lies in the model's probabilities, on unseen patients (issue 9).

Every patient is predicted by the run's model of the fold that held it out (flip TTA optional, as
`cv_ensemble.py`). For each patient: the share of its tumour voxels in bands of tumour probability, and the
Dice of argmax, of lower thresholds, and of growth (`decide(p, grow=g)`) applied to every patient alike. An
after-the-fact look at test patients, to understand the failures: nothing here chooses a rule (the
decision rule chooses on each fold's validation patients only).
Usage: python bench/cv_missed.py --data ../shared/data/lgg --run runs/A [--tta] [--out results.json]
"""
import json
from pathlib import Path
import numpy as np
from cv_ensemble import held_out_probs, run_args

BANDS = (0.5, 0.3, 0.1, 0.02, 0.)

def main():
    a = run_args()
    from tumortrace.model import decide
    from tumortrace.evaluate import overlap_metrics
    from tumortrace.crossval import dice_stats
    rules = {'argmax':dict(), **{f't{t}':dict(threshold=t) for t in (0.3, 0.4)}, **{f'grow{g}':dict(grow=g) for g in (0.2, 0.3, 0.4)}}
    rows = []
    for pid,truth,(p,) in held_out_probs(a.data, [a.run], a.tta):
        p1 = p[:, 1][truth]
        r = dict(patient=pid, tumour_voxels=int(truth.sum()))
        hi = 1.01
        for lo in BANDS: r[f'p[{lo},{min(hi, 1)})'] = float(((p1 >= lo) & (p1 < hi)).mean()); hi = lo
        for k,kw in rules.items():
            m = decide(p, **kw) > 0
            r[k] = overlap_metrics(truth, m)['dice']
            if k == 'argmax': r['precision'] = float((m & truth).sum() / max(m.sum(), 1))
        rows.append(r); print(json.dumps(r), flush=True)
    below = [r for r in rows if r['argmax'] < .5]
    res = dict(run=a.run, tta=a.tta, n_patients=len(rows),
               rules={k:dice_stats([r[k] for r in rows]) for k in rules},
               bands_all={b:float(np.mean([r[b] for r in rows])) for b in rows[0] if b.startswith('p[')},
               bands_below_05={b:float(np.mean([r[b] for r in below])) for b in rows[0] if b.startswith('p[')} if below else None,
               per_patient=rows)
    print(json.dumps({k:v for k,v in res.items() if k != 'per_patient'}, indent=1))
    if a.out: Path(a.out).write_text(json.dumps(res, indent=1))

if __name__ == '__main__': main()
