"""Tumour lesions over a cross-validation: what the per-patient Dice hides (`evaluate.lesion_metrics`).

From a finished `tumortrace cv` folder, each patient's kept predictions (`fold_K/eval/predictions/`: the mask at the
fold's threshold before post-processing, and the scored, post-processed one), against the truth read from the data:
true lesions (3-D components, merged as BraTS 2023 merges them), found, false-positive lesions and lesion-wise Dice,
before and after post-processing; and each true lesion that was missed, with its size in voxels.
Usage: python bench/cv_lesions.py --run runs/cv --data ../shared/data/lgg --out results/cv_lesions_X
"""
import argparse, json
from pathlib import Path
import numpy as np, pandas as pd
from scipy import ndimage

def missed_lesions(truth:np.ndarray, pred:np.ndarray)->list[int]:
    "Sizes (voxels) of the true 26-connected components that the prediction does not overlap."
    lab,n = ndimage.label(truth, structure=np.ones((3, 3, 3)))
    hit = np.zeros(n + 1, bool); hit[np.unique(lab[truth & pred])] = True
    sizes = np.bincount(lab.ravel(), minlength=n + 1)
    return [int(sizes[k]) for k in range(1, n + 1) if not hit[k]]

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--run', required=True); ap.add_argument('--data', required=True); ap.add_argument('--out', required=True)
    a = ap.parse_args()
    from tumortrace.io import read_cases
    from tumortrace.evaluate import lesion_metrics, load_prediction, lesion_summary
    run,out = Path(a.run),Path(a.out); out.mkdir(parents=True, exist_ok=True)
    pp = (pd.read_csv(run/'cv_per_patient.csv', dtype={'patient': str}) if (run/'cv_per_patient.csv').exists() else   # or the folds scored so far
          pd.concat([pd.read_csv(f, dtype={'patient': str}) for f in sorted(run.glob('fold_*/eval/per_patient.csv'))]))
    byid = {c.case_id:c for c in read_cases(a.data)}
    rows = []
    for r in pp.to_dict('records'):
        c = byid[r['patient']]; truth = c.mask_volume() > 0; c.release()
        kept = run/f"fold_{r['fold']}"/'eval'/'predictions'
        raw,post = (load_prediction(kept, r['patient'], raw=k) > 0 for k in (True, False))
        row = dict(fold=r['fold'], patient=r['patient'], dice=r['dice'], truth_voxels=int(truth.sum()))
        for name,m in (('raw', raw), ('post', post)):
            row.update({f'{k}_{name}':v for k,v in lesion_metrics(truth, m).items()})
        row['missed_sizes'] = ' '.join(map(str, missed_lesions(truth, post)))
        assert row['lesions_true_post'] == r['lesions_true'] and row['lesions_fp_post'] == r['lesions_fp'], r['patient']   # as cv scored them
        rows.append(row)
    df = pd.DataFrame(rows); df.to_csv(out/'per_patient.csv', index=False)
    res = {}
    for name in ('raw', 'post'):
        sub = df[[c for c in df.columns if c.endswith('_' + name)]].rename(columns=lambda c: c[:-len(name) - 1])
        res[name] = lesion_summary(sub)
        res[name]['patients_with_fp'] = int((sub['lesions_fp'] > 0).sum())
    missed = [int(s) for v in df['missed_sizes'].fillna('') for s in str(v).split()]
    res['missed_lesion_sizes'] = sorted(missed)
    res['patients_missing_a_lesion'] = df.loc[df['missed_sizes'].fillna('') != '', 'patient'].tolist()
    res['below_05'] = df.loc[df['dice'] < .5, ['patient', 'dice', 'lesions_true_post', 'lesions_found_post', 'lesions_fp_post', 'truth_voxels']].to_dict('records')
    (out/'summary.json').write_text(json.dumps(res, indent=1, default=float))
    print(json.dumps(res, indent=1, default=float))

if __name__ == '__main__': main()
