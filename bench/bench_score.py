"""Scoring cost per patient: `score_patient` (post-processing, per-patient metrics with HD95, per-slice rows) on real predictions (issue 13).

The bundled model predicts every patient of --data once (not timed); then `score_patient` scores each patient's raw
prediction as `evaluate_cases` does, with no clean-up ('none') and with `rel30`, and `hd95` alone on the raw
predictions; best of --repeat passes over all patients, in ms a slice. The rel30 rows are also written to a
JSON file (--rows), so that two versions of the code can be compared row for row (`--compare A B`).
Usage: python bench/bench_score.py [--data ../shared/data/lgg] [--repeat 3] [--rows rows.json] [--label now] [--out results.jsonl]
       python bench/bench_score.py --compare rows_a.json rows_b.json
"""
import argparse, json, os, sys, time
import numpy as np

def compare(a, b):
    A,B = json.load(open(a)), json.load(open(b))
    assert A.keys() == B.keys(), 'different patients'
    worst,n = 0., 0
    for k in A:
        for ra,rb in zip(A[k], B[k]):
            for ka in ra:
                x,y = ra[ka], rb[ka]
                if isinstance(x, float) and isinstance(y, float):
                    if np.isnan(x) or np.isnan(y): assert np.isnan(x) and np.isnan(y), (k, ka, x, y)
                    else: worst = max(worst, abs(x - y))
                else: assert x == y, (k, ka, x, y)
                n += 1
    print(json.dumps(dict(values=n, worst_abs_difference=worst)))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='../shared/data/lgg'); ap.add_argument('--model', default='data/models/lgg_sample')
    ap.add_argument('--repeat', type=int, default=3); ap.add_argument('--rows'); ap.add_argument('--out')
    ap.add_argument('--compare', nargs=2); ap.add_argument('--label', default='now', help='what code this is, for the results file')
    a = ap.parse_args()
    if a.compare: return compare(*a.compare)
    import torch
    from tumortrace.io import read_cases
    from tumortrace.model import load_model
    from tumortrace.evaluate import score_patient, volume_spacing, hd95
    torch.set_num_threads(os.cpu_count())
    m = load_model(a.model)
    cases = read_cases(a.data)
    data = [(c.case_id, c.mask_volume(), m.predict_case(c), volume_spacing(c)) for c in cases]
    n = sum(len(t) for _,t,_,_ in data)
    def best(f):
        ts = []
        for _ in range(a.repeat):
            t = time.perf_counter(); out = f(); ts.append(time.perf_counter() - t)
        return min(ts) / n * 1000, out
    r = dict(code=a.label, patients=len(data), slices=n)
    for spec in ('none', 'rel30'):
        r[f'score_{spec}_ms_per_slice'],rows = best(lambda: {i:score_patient(i, t, p, spec, s) for i,t,p,s in data})
        if a.rows and spec == 'rel30':
            with open(a.rows, 'w') as f: json.dump({i:[v[0], v[1], *v[2]] for i,v in rows.items()}, f)
    r['hd95_ms_per_slice'],_ = best(lambda: [hd95(t, p, s) for _,t,p,s in data])
    r = {k:round(v, 3) if isinstance(v, float) else v for k,v in r.items()}
    print(json.dumps(r))
    if a.out:
        with open(a.out, 'a') as f: f.write(json.dumps(r) + '\n')

if __name__ == '__main__': main()
