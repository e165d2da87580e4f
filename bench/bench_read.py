"""TIFF reading: what `tumortrace.io.read_image` / `read_mask` cost a file, with and without `imagecodecs`.

Reads every `*.tif` under --data three times per round, each in its own process: 'without' (`imagecodecs` hidden, so
that tifffile falls back to Python's zlib), 'with' (tifffile, decoding with `imagecodecs`), 'direct' (the default since
2026-12-06: plain TIFFs decoded by libtiff through `imagecodecs.tiff_decode`, `io._read_tiff_direct`); hashes all
pixels (SHA-256) to show all read the same, and reports milliseconds a file. Usage: python bench/bench_read.py --data ../shared/data/lgg [--rounds 2] [--out results.jsonl]
"""
import argparse, glob, hashlib, json, subprocess, sys, time

def read_all(data:str, which:str)->dict:
    if which == 'without': sys.modules['imagecodecs'] = None   # tifffile then decodes deflate with Python's zlib
    import tumortrace.io
    from tumortrace.io import read_image
    tumortrace.io._TIFF_DIRECT = which == 'direct'
    import tifffile
    fs = sorted(glob.glob(f'{data}/**/*.tif', recursive=True))
    h,t = hashlib.sha256(),time.perf_counter()
    for f in fs:
        a = read_image(f); h.update(f.encode()); h.update(str(a.shape).encode()); h.update(a.tobytes())
    ms = (time.perf_counter() - t) * 1e3 / max(len(fs), 1)
    try: import imagecodecs; ic = imagecodecs.__version__
    except ImportError: ic = None
    return dict(setup=which, files=len(fs), imagecodecs=ic, tifffile=tifffile.__version__, ms_per_file=round(ms, 3), sha256=h.hexdigest())

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--data', required=True); ap.add_argument('--rounds', type=int, default=2)
    ap.add_argument('--out', default=None); ap.add_argument('--one', choices=['with', 'without', 'direct'], help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one: print(json.dumps(read_all(a.data, a.one))); sys.exit()
    rows = []
    for r in range(a.rounds):
        for which in ('without', 'with', 'direct'):
            out = subprocess.run([sys.executable, __file__, '--data', a.data, '--one', which], capture_output=True, text=True, check=True)
            rows.append(dict(round=r, **json.loads(out.stdout.strip().splitlines()[-1]))); print(json.dumps(rows[-1]))
    same = len({r['sha256'] for r in rows}) == 1
    print(f"same pixels in every set-up: {same}")
    if a.out:
        with open(a.out, 'a') as f:
            for r in rows: f.write(json.dumps(dict(r, same_pixels=same)) + '\n')
