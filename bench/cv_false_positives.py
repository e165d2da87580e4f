"""Where a cross-validation's false-positive voxels are (issue 9: the precision lever for small tumours).

Every patient predicted by its fold's model (the one that never saw it), tumour where the probability is >= 0.5;
the false-positive voxels split into those in 3-D components (26-connected) that touch the truth ("attached": the
tumour's border drawn too wide) and those in components wholly outside it ("separate"), with how confident the model
was in each. Per patient and per separate component, in CSV; totals in JSON.
Usage: python bench/cv_false_positives.py --run runs/A [--tta] --out results/B
"""
import json
from pathlib import Path
import numpy as np, pandas as pd
from scipy import ndimage
from cv_ensemble import run_args

def anatomy(p:np.ndarray, truth:np.ndarray, low:float=0.8):
    "Per-patient counts and the separate false-positive components, for tumour probabilities p (N, H, W) and the truth."
    pred = p >= 0.5
    lab,n = ndimage.label(pred, structure=np.ones((3, 3, 3)))
    touch = np.zeros(n + 1, bool); touch[np.unique(lab[truth & pred])] = True; touch[0] = False
    fp,att = pred & ~truth,touch[lab]
    row = dict(truth=int(truth.sum()), pred=int(pred.sum()), fp=int(fp.sum()), fn=int((truth & ~pred).sum()),
               fp_separate=int((fp & ~att).sum()), fp_attached=int((fp & att).sum()),
               fp_attached_below=int((fp & att & (p < low)).sum()), tp_below=int((truth & pred & (p < low)).sum()))
    comps = [dict(size=int((lab == k).sum()), mean_p=float(p[lab == k].mean()), max_p=float(p[lab == k].max()))
             for k in range(1, n + 1) if not touch[k]]
    return row,comps

def main():
    a = run_args()
    import tumortrace
    from tumortrace.io import read_cases
    from tumortrace.evaluate import read_ahead
    run,out = Path(a.run),Path(a.out); out.mkdir(parents=True, exist_ok=True)
    folds = json.loads((run/'folds.json').read_text())['folds']
    byid = {c.case_id:c for c in read_cases(a.data)}
    rows,comps = [],[]
    for f in folds:
        model = tumortrace.load_model(run/f"fold_{f['fold']}"/'model')
        for c,vol,brain,m,x in read_ahead([byid[i] for i in f['test']], prepare=model.prepare_volume):
            _,p = model.predict_case(c, vol=vol, brain=brain, prepared=x, probs=True, tta=a.tta)
            r,cs = anatomy(p[:, 1], m > 0)
            rows.append(dict(fold=f['fold'], patient=c.case_id, **r)); comps += [dict(patient=c.case_id, **k) for k in cs]
        print(f"fold {f['fold']}", flush=True)
    d,k = pd.DataFrame(rows),pd.DataFrame(comps)
    d.to_csv(out/'per_patient.csv', index=False); k.to_csv(out/'separate_components.csv', index=False)
    tot = {c:int(d[c].sum()) for c in d.columns if c not in ('fold', 'patient')}
    big = k[k['size'] >= 100]
    s = dict(run=str(run), tta=a.tta, patients=len(d), totals=tot,
             share_fp_attached=round(tot['fp_attached'] / tot['fp'], 3),
             separate_components=len(k), separate_components_100plus=len(big),
             separate_100plus_mean_p_median=round(float(big.mean_p.median()), 3) if len(big) else None,
             separate_100plus_voxels_share=round(float(big['size'].sum() / max(tot['fp_separate'], 1)), 3))
    (out/'summary.json').write_text(json.dumps(s, indent=1) + '\n')
    print(json.dumps(s, indent=1))

if __name__ == '__main__': main()
