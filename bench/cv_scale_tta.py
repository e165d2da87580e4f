"""Multi-scale test-time augmentation on unseen patients (issue 9): does predicting each slice at more than one size help?

Every patient of a cross-validation is predicted by its own fold model (the one that did not train on it) with flip
TTA at the model's size and at other sizes (the same brain crop resized to S instead of the training size: the
tumour looks larger or smaller to the network), each restored to the patient's geometry. Scored with the raw argmax
(no threshold, no post-processing): each size alone and the mean probability of several, paired by patient against
the model's own size.
Usage: python bench/cv_scale_tta.py --run runs/cv_cpu_patient [--sizes 128 192 224] [--out results.json]
"""
import json, time, itertools
from pathlib import Path
import numpy as np
from cv_ensemble import run_args

def main():
    a = run_args(lambda ap: ap.add_argument('--sizes', type=int, nargs='+', default=[128, 192, 224]))
    from tumortrace.io import read_cases
    from tumortrace.model import load_model, restore, decide
    from tumortrace.data import preprocess_volume
    from tumortrace.evaluate import overlap_metrics
    from tumortrace.crossval import dice_stats, bootstrap_ci
    plan = json.loads((Path(a.run)/'folds.json').read_text())['folds']
    byid = {c.case_id:c for c in read_cases(a.data)}
    probs,truths,vols,t0 = {},{},{},time.perf_counter()
    for f in plan:
        m = load_model(Path(a.run)/f"fold_{f['fold']}"/'model'); c0 = m.cfg; sizes = [c0['size'], *a.sizes]
        for pid in f['test']:
            c = byid[pid]; vol,brain = c.volume(),c.brain_volume()
            truths[pid] = c.mask_volume() > 0; vols[pid] = int(truths[pid].sum()); probs[pid] = {}
            for s in sizes:
                x,box = preprocess_volume(vol, s, c0.norm, c0.crop, brain, c0.context)
                p = m.probs_tta(x)[0] if a.tta else m.probs(x)
                probs[pid][s] = restore(p, box, vol.shape[1:3])[:, 1]
        print(f"fold {f['fold']} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    ref = sizes[0]; ids = sorted(probs)
    combos = [(s,) for s in sizes] + [c for n in (2, 3) for c in itertools.combinations(sizes, n) if ref in c]
    dice = {k:np.array([overlap_metrics(truths[i], np.mean([probs[i][s] for s in k], 0) > .5)['dice'] for i in ids]) for k in combos}
    small = np.array([vols[i] for i in ids]) <= np.percentile([vols[i] for i in ids], 100 / 3)
    res = dict(run=a.run, tta=a.tta, rule='raw: tumour where the mean tumour probability exceeds 0.5', n_patients=len(ids), results=[])
    for k in combos:
        d = dice[k] - dice[(ref,)]
        r = dict(sizes=list(k), **dice_stats(dice[k]), smallest_third=float(dice[k][small].mean()),
                 paired_mean=float(d.mean()), paired_ci95=list(bootstrap_ci(d)), better=int((d > 0).sum()), worse=int((d < 0).sum()))
        res['results'].append(r); print(json.dumps(r), flush=True)
    res['per_patient'] = {'+'.join(map(str, k)):dict(zip(ids, map(float, dice[k]))) for k in combos}
    if a.out: Path(a.out).write_text(json.dumps(res, indent=1))

if __name__ == '__main__': main()
