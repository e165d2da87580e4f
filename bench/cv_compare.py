"""Compare cross-validations made with the same folds, patient by patient, and relate the Dice to the tumour's contrast.

For each run after the first: the paired difference of per-patient Dice against the first run, with its bootstrap
95 % interval, and how many patients got better or worse. With `--contrast DATA`, also each patient's FLAIR
contrast (mean normalised FLAIR inside the tumour minus the rest of the brain, in units of the brain's standard
deviation; the normalisation is the pipeline's own) and its Spearman correlation with each run's Dice.
With `--by-volume`, each run's mean Dice and count below 0.5 within thirds of the patients ranked by true tumour
volume (read from the first run's `cv_per_patient.csv`), and the paired difference within each third (on the
patients every run scored).
A run stopped before its last fold (no `cv_per_patient.csv` yet) is read from its folds' `scores.json` and compared
on the patients it scored; each run's line says how many.
A run given as `runs/B+runs/C` is the per-patient mean of the two (a replication averaged with its first run; both must
have scored the same patients; a folder whose own name holds `+` is read as it is). It can be the reference too.
Each paired difference is also read against the training noise that `cv_noise.py` measured (`results/cv_noise.json`):
two standard deviations of the difference between runs of one recipe, for as many runs on each side as `+` joins.
Usage: python bench/cv_compare.py runs/A runs/B [runs/B+runs/C] [--contrast ../shared/data/lgg] [--by-volume] [--out results.json]
"""
import argparse, json
from pathlib import Path
import numpy as np, pandas as pd

def per_patient(run)->pd.Series:
    "A cross-validation's per-patient Dice, by patient (from the scored folds of a run stopped part way); `A+B`: the mean of two runs."
    if '+' in str(run) and not Path(run).exists():
        parts = [per_patient(r) for r in str(run).split('+')]
        if any(set(p.index) != set(parts[0].index) for p in parts): raise SystemExit(f"{run}: the runs scored different patients")
        return sum(p.reindex(parts[0].index) for p in parts) / len(parts)
    f = Path(run)/'cv_per_patient.csv'
    if f.exists(): d = pd.read_csv(f)
    else:
        rows = [r for s in sorted(Path(run).glob('fold_*/scores.json')) for r in json.loads(s.read_text())['rows']]
        if not rows: raise SystemExit(f"{run}: neither cv_per_patient.csv nor any fold's scores.json")
        d = pd.DataFrame(rows)
    return d.set_index('patient')['dice']

def paired(a:pd.Series, b:pd.Series)->dict:
    "b - a over the patients `b` scored (all of `a`'s, or part of them if `b` stopped early): mean, bootstrap 95 % interval, better/worse."
    from tumortrace.crossval import bootstrap_ci
    if not set(b.index) <= set(a.index): raise SystemExit("the runs scored different patients: not the same cross-validation")
    d = (b - a.reindex(b.index)).to_numpy()
    lo,hi = bootstrap_ci(d)
    return dict(n=len(d), mean=float(d.mean()), lo=float(lo), hi=float(hi), better=int((d > 0).sum()), worse=int((d < 0).sum()),
                ref_mean=float(a.reindex(b.index).mean()), ref_below_half=int((a.reindex(b.index) < 0.5).sum()))

NOISE = Path(__file__).parent/'results'/'cv_noise.json'

def noise_floor(ref:str, run:str)->float|None:
    "Two standard deviations of the training noise in the difference of `run`'s and `ref`'s means (k runs in `A+B`), from `cv_noise.py`'s RMS."
    if not NOISE.exists(): return None
    k = lambda r: 1 if Path(r).exists() else len(str(r).split('+'))
    return float(2 * json.loads(NOISE.read_text())['rms_diff'] * np.sqrt((1 / k(ref) + 1 / k(run)) / 2))

def true_volumes(run)->pd.Series:
    "Each patient's true tumour volume (voxels) from a run's `cv_per_patient.csv`; `A+B`: from A (the truth is the same)."
    f = Path(run)/'cv_per_patient.csv'
    if not f.exists() and '+' in str(run): return true_volumes(str(run).split('+')[0])
    if not f.exists(): raise SystemExit(f"{run}: --by-volume needs its cv_per_patient.csv (a finished run)")
    return pd.read_csv(f).set_index('patient')['volume_true_px']

def by_volume(ref_run, runs:dict, parts:int=3)->dict:
    "Mean Dice and count below 0.5 of each run within `parts` groups of patients ranked by true tumour volume, and each later run's paired difference."
    vol = true_volumes(ref_run)
    ranked = vol.sort_values().index
    names = list(runs)
    out = []
    for g in np.array_split(np.asarray(ranked), parts):
        g = [i for i in g if all(i in runs[r].index for r in names)]    # a run stopped part way: the patients it scored
        if not g: continue
        row = dict(volume_px=[float(vol[g].min()), float(vol[g].max())], n=len(g),
                   runs={r: dict(mean=float(runs[r].reindex(g).mean()), below_half=int((runs[r].reindex(g) < 0.5).sum())) for r in names})
        row['paired'] = {r: paired(runs[names[0]].reindex(g), runs[r].reindex(g)) for r in names[1:]}
        out.append(row)
    return out

def flair_contrast(data, channel:int=1)->pd.Series:
    "Per patient: (mean inside the tumour - mean in the rest of the brain) / std of the rest, on the normalised channel."
    from tumortrace.io import read_cases
    from tumortrace.data import normalize, brain_mask
    out = {}
    for c in read_cases(data):
        vol,m = c.volume(), c.mask_volume() > 0
        b = c.brain_volume()
        if b is None: b = brain_mask(vol)
        n = normalize(vol, b)[..., channel]
        t,o = n[m], n[b & ~m]
        out[c.case_id] = float((t.mean() - o.mean()) / o.std()) if m.any() else float('nan')
    return pd.Series(out, name='contrast')

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('runs', nargs='+', help='cross-validation folders (the first is the reference)')
    ap.add_argument('--contrast', help='data folder: also relate Dice to the FLAIR contrast of each tumour')
    ap.add_argument('--by-volume', action='store_true', help='also compare within thirds of the patients ranked by tumour volume')
    ap.add_argument('--out', help='JSON file for the results')
    a = ap.parse_args()
    runs = {str(r): per_patient(r) for r in a.runs}
    ref = runs[a.runs[0]]
    res = dict(runs={r: dict(n=len(s), mean=float(s.mean()), below_half=int((s < 0.5).sum())) for r,s in runs.items()},
               paired={r: paired(ref, s) for r,s in list(runs.items())[1:]})
    for r,s in runs.items(): print(f"{r}: {len(s)} patients, mean {s.mean():.3f}, {(s < 0.5).sum()} below 0.5")
    for r,p in res['paired'].items():
        part = '' if p['n'] == len(ref) else f" (on its {p['n']} patients, where {a.runs[0]} has mean {p['ref_mean']:.3f}, {p['ref_below_half']} below 0.5)"
        print(f"{r} - {a.runs[0]}: {p['mean']:+.3f} ({p['lo']:+.3f} to {p['hi']:+.3f}), {p['better']} better, {p['worse']} worse{part}")
        if (f := noise_floor(a.runs[0], r)) is not None:
            p['noise_floor_2sd'] = round(f, 4); p['inside_floor'] = bool(abs(p['mean']) < f)
            print(f"  training noise (results/cv_noise.json): were both sides one recipe (runs as given), the means "
                  f"would differ by up to {f:.3f} (2 SD), so {p['mean']:+.3f} is {'inside' if abs(p['mean']) < f else 'beyond'} it")
    if a.by_volume:
        res['by_volume'] = by_volume(a.runs[0], runs)
        for g in res['by_volume']:
            lo,hi = g['volume_px']
            line = '; '.join(f"{r}: {v['mean']:.3f}, {v['below_half']} below 0.5" for r,v in g['runs'].items())
            diffs = '; '.join(f"{p['mean']:+.3f} ({p['lo']:+.3f} to {p['hi']:+.3f})" for p in g['paired'].values())
            print(f"tumours of {lo:,.0f}-{hi:,.0f} voxels ({g['n']} patients): {line}" + (f"; paired {diffs}" if diffs else ''))
    if a.contrast:
        k = flair_contrast(a.contrast)
        tab = pd.concat([k] + [s.rename(r) for r,s in runs.items()], axis=1).dropna()
        res['contrast'] = dict(spearman={r: float(tab['contrast'].corr(tab[r], method='spearman')) for r in runs},
                               median=float(k.median()),
                               per_patient=tab.round(4).reset_index(names='patient').to_dict('records'))
        for r in runs:
            low = tab.nsmallest(10, 'contrast')
            print(f"{r}: Spearman(contrast, Dice) {res['contrast']['spearman'][r]:.2f}; the 10 lowest-contrast patients "
                  f"(contrast {low['contrast'].min():.2f}-{low['contrast'].max():.2f}, median of all {k.median():.2f}): "
                  f"mean Dice {low[r].mean():.3f}, {(low[r] < 0.5).sum()} below 0.5")
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(res, indent=1))

if __name__ == '__main__': main()
