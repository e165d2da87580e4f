"""Memory and time of `prepare` on a whole data set at a preset's size and 2.5D context.

    python bench/bench_prepare.py --data ../shared/data/lgg --preset cpu --out bench/results/prepare.jsonl

Prints and appends one JSON line: seconds, peak resident memory of the process (MB, from `getrusage`, so run it
alone in a fresh process), the bytes the `SliceSet` holds, and SHA-1s of x (every slice as the network sees it,
gathered in chunks) and y, to check two versions of the code give the same slices.
"""
import argparse, hashlib, json, resource, time

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', default='../shared/data/lgg'); ap.add_argument('--preset', default='cpu')
    ap.add_argument('--out', default=None)
    a = ap.parse_args()
    import numpy as np
    from tumortrace.io import read_cases
    from tumortrace.data import prepare
    from tumortrace.train import PRESETS
    p = PRESETS[a.preset]
    cases = read_cases(a.data)
    t = time.perf_counter()
    ss = prepare(cases, p['size'], context=p.get('context', 0))
    secs = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    held = getattr(ss.x, 'nbytes', 0) + ss.y.nbytes
    h = hashlib.sha1()
    for i in range(0, len(ss), 256): h.update(np.ascontiguousarray(ss.x[np.arange(i, min(i + 256, len(ss)))]).tobytes())
    r = dict(preset=a.preset, patients=len(cases), slices=len(ss), x_shape=list(ss.x.shape), seconds=round(secs, 1),
             peak_rss_mb=round(peak), held_mb=round(held / 2**20), sha1_x=h.hexdigest()[:12],
             sha1_y=hashlib.sha1(ss.y.tobytes()).hexdigest()[:12])
    print(json.dumps(r))
    if a.out:
        with open(a.out, 'a') as f: f.write(json.dumps(r) + '\n')

if __name__ == '__main__': main()
