"""What ensembling buys on unseen patients, measured on cross-validations that share their folds (issue 9).

Every patient is predicted by each run's model of the fold that held it out (flip TTA optional), in the
patient's own geometry; the runs' probabilities are averaged and the argmax scored. Each run alone and
every combination of them are scored the same way (raw argmax: no threshold or post-processing), so the
paired difference is the ensemble's own effect. The runs must have been made with the same folds.
Usage: python bench/cv_ensemble.py --data ../shared/data/lgg --runs runs/A runs/B [--tta] [--folds 0 1 2] [--out results.json]
(--folds: only these folds' test patients, for a cross-validation stopped part way)
"""
import argparse, itertools, json, os, time
from pathlib import Path
import numpy as np
import torch

def held_out_probs(data, runs, tta=False, precision='auto', folds=None):
    "Yield (patient id, truth, [probabilities of each run's model of the fold that held the patient out]), in the patients' geometry."
    from tumortrace.io import read_cases
    from tumortrace.model import load_model
    plans = [json.loads((Path(r)/'folds.json').read_text())['folds'] for r in runs]
    key = lambda p: [(f['fold'], f['test']) for f in p]
    if any(key(p) != key(plans[0]) for p in plans): raise SystemExit("the runs' folds differ: their ensemble is not a cross-validation")
    byid = {c.case_id:c for c in read_cases(data)}
    t0 = time.perf_counter()
    for f in plans[0]:
        if folds is not None and f['fold'] not in folds: continue
        models = [load_model(Path(r)/f"fold_{f['fold']}"/'model', precision=precision) for r in runs]
        for pid in f['test']:
            c = byid[pid]
            yield pid, c.mask_volume() > 0, [m.predict_case(c, probs=True, tta=tta)[1] for m in models]
        print(f"fold {f['fold']} done ({time.perf_counter() - t0:.0f} s)", flush=True)

def run_args(extra=None):
    "The options of a bench that reads one cross-validation (--data, --run, --tta, --out, and `extra(ap)`'s); torch on every core."
    ap = argparse.ArgumentParser()
    if extra is not None: extra(ap)
    ap.add_argument('--data', default='../shared/data/lgg'); ap.add_argument('--run', required=True)
    ap.add_argument('--tta', action='store_true'); ap.add_argument('--out', default=None)
    if 'OMP_NUM_THREADS' not in os.environ: torch.set_num_threads(os.cpu_count())
    return ap.parse_args()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='../shared/data/lgg'); ap.add_argument('--runs', nargs='+', required=True)
    ap.add_argument('--tta', action='store_true'); ap.add_argument('--out', default=None)
    ap.add_argument('--folds', type=int, nargs='+', default=None, help="only these folds (default: all)")
    a = ap.parse_args()
    from tumortrace.model import decide
    from tumortrace.evaluate import overlap_metrics
    from tumortrace.crossval import dice_stats, bootstrap_ci
    if 'OMP_NUM_THREADS' not in os.environ: torch.set_num_threads(os.cpu_count())
    runs = [Path(r) for r in a.runs]
    combos = [c for n in range(1, len(runs) + 1) for c in itertools.combinations(range(len(runs)), n)]
    dice = {c:{} for c in combos}
    for pid,truth,ps in held_out_probs(a.data, runs, a.tta, folds=a.folds):
        for k in combos: dice[k][pid] = overlap_metrics(truth, decide(np.mean([ps[i] for i in k], 0)) > 0)['dice']
    ids = sorted(dice[combos[0]])
    name = lambda k: ' + '.join(runs[i].name for i in k)
    res = dict(tta=a.tta, runs=[str(r) for r in runs], folds=a.folds or 'all', rule='raw argmax of the mean probability', n_patients=len(ids), results=[])
    for k in combos:
        x = np.array([dice[k][i] for i in ids])
        r = dict(members=name(k), **dice_stats(x))
        if len(k) > 1:      # paired against the best single member
            best = max(k, key=lambda i: np.mean([dice[(i,)][p] for p in ids]))
            d = x - np.array([dice[(best,)][p] for p in ids])
            r.update(paired_vs=runs[best].name, paired_mean=float(d.mean()), paired_ci95=list(bootstrap_ci(d)),
                     better=int((d > 0).sum()), worse=int((d < 0).sum()))
        res['results'].append(r)
        print(json.dumps(r), flush=True)
    res['per_patient'] = {name(k):{i:dice[k][i] for i in ids} for k in combos}
    if a.out: Path(a.out).write_text(json.dumps(res, indent=1))

if __name__ == '__main__': main()
