"""bf16 inference on a CPU against fp32, judged on unseen patients (issue 13): every patient of a cross-validation is
predicted by its fold's model in both precisions (raw argmax, as the run's `dice_raw`), and the per-patient Dice
compared pairwise; the forward time of each precision on the same prepared slices is reported alongside.
Usage: python bench/cv_bf16.py --data ../shared/data/lgg --run runs/CV [--tta] [--out results.json]
"""
import json, time
from pathlib import Path
import numpy as np
import torch
from cv_ensemble import held_out_probs, run_args

def main():
    a = run_args()
    from tumortrace.model import decide, load_model
    from tumortrace.evaluate import overlap_metrics
    from tumortrace.crossval import dice_stats, bootstrap_ci
    dice = {'fp32':{}, 'bf16':{}}
    for prec in dice:
        for pid,truth,(p,) in held_out_probs(a.data, [a.run], a.tta, prec): dice[prec][pid] = overlap_metrics(truth, decide(p) > 0)['dice']
    ids = sorted(dice['fp32'])
    x32,x16 = (np.array([dice[k][i] for i in ids]) for k in ('fp32', 'bf16'))
    d = x16 - x32
    res = dict(run=a.run, tta=a.tta, threads=torch.get_num_threads(), fp32=dice_stats(x32), bf16=dice_stats(x16), paired_mean=float(d.mean()),
               paired_ci95=list(bootstrap_ci(d)), max_abs_patient_change=float(np.abs(d).max()), better=int((d > 0).sum()), worse=int((d < 0).sum()))
    m = {k:load_model(Path(a.run)/'fold_0'/'model', device='cpu', precision=k) for k in dice}    # forward time, same slices
    x = np.random.default_rng(0).normal(size=(64, m['fp32'].cfg['n_in'], m['fp32'].cfg['size'], m['fp32'].cfg['size'])).astype(np.float32)
    for k,sm in m.items():
        sm.probs(x[:16]); t = time.perf_counter(); sm.probs(x); res[f'{k}_slices_per_s'] = round(len(x) / (time.perf_counter() - t), 1)
    res['per_patient'] = {k:dict(zip(ids, v.tolist())) for k,v in (('fp32', x32), ('bf16', x16))}
    print(json.dumps({k:v for k,v in res.items() if k != 'per_patient'}, indent=1))
    if a.out: Path(a.out).write_text(json.dumps(res, indent=1))

if __name__ == '__main__': main()
