"""How far two cross-validations of the *same* recipe land apart: the noise floor under every recipe comparison.

Each pair `A:B` is two complete runs with the same recipe and folds (a replication: another seed, or the same command
run again). For each pair: the paired difference of the per-patient Dice (B - A) over all patients, its naive standard
error (per-patient SD / sqrt(n), what a patient bootstrap assumes), the five folds' mean differences, and an interval
from resampling whole folds (training noise acts fold by fold: one fold model serves all its patients). Pooled over
the pairs: the root-mean-square difference between two runs of one recipe, the standard deviation of one run's mean
that it implies (RMS / sqrt 2), and the smallest true gain that a comparison of k runs against k runs would show at two
standard deviations (2 * RMS / sqrt k).

    python bench/cv_noise.py bench/results/cv_cpu_s160_fit22:bench/results/cv_cpu_s160_fit22b \\
        bench/results/cv_cpu_bf16_shipped:bench/results/cv_cpu_bf16_idle \\
        bench/results/cv_cpu_ds2:bench/results/cv_cpu_ds2_s7 --out bench/results/cv_noise.json
"""
import argparse, json
from pathlib import Path
import numpy as np, pandas as pd

def pair(a:str, b:str, rng, n_boot:int=4000)->dict:
    "The paired difference B - A of two runs' per-patient Dice, overall and fold by fold."
    A,B = (pd.read_csv(Path(r)/'cv_per_patient.csv').set_index('patient') for r in (a, b))
    if set(A.index) != set(B.index): raise SystemExit(f"{a} and {b} scored different patients")
    if not (A.fold.reindex(B.index) == B.fold).all(): raise SystemExit(f"{a} and {b} have different folds: not a replication")
    d = B.dice - A.dice.reindex(B.index)
    folds = [d[B.fold == k].to_numpy() for k in sorted(B.fold.unique())]
    boot = [np.concatenate([folds[i] for i in rng.integers(0, len(folds), len(folds))]).mean() for _ in range(n_boot)]
    return dict(a=a, b=b, n=len(d), mean_a=round(float(A.dice.mean()), 4), mean_b=round(float(B.dice.mean()), 4), diff=round(float(d.mean()), 4),
                naive_se=round(float(d.std(ddof=1) / np.sqrt(len(d))), 4), fold_diffs=[round(float(f.mean()), 4) for f in folds],
                fold_boot_95=[round(float(q), 4) for q in np.percentile(boot, [2.5, 97.5])],
                below_05_a=int((A.dice < 0.5).sum()), below_05_b=int((B.dice < 0.5).sum()))

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('pairs', nargs='+', help='A:B, two runs of one recipe on the same folds')
    ap.add_argument('--out', default=None); ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    rows = [pair(*p.split(':'), rng) for p in a.pairs]
    rms = float(np.sqrt(np.mean([r['diff'] ** 2 for r in rows])))
    res = dict(pairs=rows, rms_diff=round(rms, 4), sd_one_run=round(float(rms / np.sqrt(2)), 4),
               smallest_gain_2sd={f'{k} vs {k} runs': round(float(2 * rms / np.sqrt(k)), 4) for k in (1, 2, 4, 8)},
               below_05_changes=[r['below_05_b'] - r['below_05_a'] for r in rows])
    for r in rows:
        print(f"{Path(r['a']).name} -> {Path(r['b']).name}: {r['mean_a']:.3f} -> {r['mean_b']:.3f}, diff {r['diff']:+.4f} "
              f"(naive SE {r['naive_se']:.4f}; folds {r['fold_diffs']}; fold-resampled 95 % {r['fold_boot_95']}), "
              f"below 0.5: {r['below_05_a']} -> {r['below_05_b']}")
    print(f"RMS difference between two runs of one recipe {rms:.4f}; SD of one run's mean {rms / np.sqrt(2):.4f}; "
          f"smallest gain seen at 2 SD: {res['smallest_gain_2sd']}")
    if a.out: Path(a.out).write_text(json.dumps(res, indent=1) + '\n')

if __name__ == '__main__': main()
