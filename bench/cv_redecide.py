"""A cross-validation's decision rules chosen again with today's candidates, its fold models kept (issue 9).

For each fold the model is linked into a work folder with its recorded decisions removed, and `crossval.score_fold`
does what `tumortrace cv` does: threshold, growth and post-processing chosen on the fold's *validation* patients
(with the library's `THRESHOLDS` and `CANDIDATES` as they are now, flip TTA optional), then the fold's test patients
predicted and scored with that rule. The run itself is not touched; the paired difference against its
`cv_per_patient.csv` is what the new candidates change on unseen patients.
Usage: python bench/cv_redecide.py --run runs/A [--tta] [--work runs/A_redecided] [--out results/B]
(writes cv_per_patient.csv and cv_summary.json, as a cross-validation does, into the work folder and --out, so that
`cv_compare.py` reads either like a run)
"""
import json, shutil
from pathlib import Path
import pandas as pd
from cv_ensemble import run_args

def main():
    a = run_args(lambda ap: ap.add_argument('--work', default=None))
    from tumortrace.io import read_cases
    from tumortrace.core import write_json
    from tumortrace.decision import CANDIDATES
    from tumortrace.crossval import score_fold, summarize_cv, bootstrap_ci
    run = Path(a.run)
    work = Path(a.work or f'{run}_redecided')
    folds = json.loads((run/'folds.json').read_text())['folds']
    byid = {c.case_id:c for c in read_cases(a.data)}
    rows = []
    for f in folds:
        src,dst = run/f"fold_{f['fold']}"/'model', work/f"fold_{f['fold']}"/'model'
        if dst.parent.exists(): shutil.rmtree(dst.parent)
        dst.mkdir(parents=True)
        (dst/'model.safetensors').symlink_to((src/'model.safetensors').resolve())
        cfg = json.loads((src/'config.json').read_text())
        write_json({k:v for k,v in cfg.items() if k not in ('decision', 'tta_decision')}, dst/'config.json')   # chosen again
        rows += score_fold(dst.parent, f, byid, tta=a.tta)
        print(f"fold {f['fold']}: {json.loads((dst.parent/'decision.json').read_text())['postprocess']}", flush=True)
    df = pd.DataFrame(rows)
    s = summarize_cv(rows)
    old = pd.read_csv(run/'cv_per_patient.csv').set_index('patient').dice
    g = df.set_index('patient').dice - old.loc[df.patient].values
    s.update(candidates=list(CANDIDATES), tta=a.tta, rules={int(r.fold):dict(threshold=r.threshold, grow=r.grow, postprocess=r.postprocess)
                                                            for r in df.drop_duplicates('fold').itertuples()},
             before=dict(mean=float(old.mean()), n_below_05=int((old < .5).sum())),
             paired_mean=float(g.mean()), paired_ci95=list(bootstrap_ci(g.values)), better=int((g > 1e-9).sum()), worse=int((g < -1e-9).sum()),
             changed={k:round(float(v), 4) for k,v in g[g.abs() > 1e-9].sort_values().items()})
    print(json.dumps({k:s[k] for k in ('rules', 'before', 'paired_mean', 'paired_ci95', 'better', 'worse')}), json.dumps(s['dice']))
    for d in [work] + ([Path(a.out)] if a.out else []):
        d.mkdir(parents=True, exist_ok=True)
        df.to_csv(d/'cv_per_patient.csv', index=False)
        (d/'cv_summary.json').write_text(json.dumps(s, indent=1, default=lambda x: None if pd.isna(x) else x))

if __name__ == '__main__': main()
