"""Peak memory of `tumortrace predict` on a folder of N slices: it should not grow with N.

Writes N synthetic 128x128 grey PNG slices, predicts them with a small untrained 1-channel model, and
reports the process's peak RSS, for N = 100 and N = 1000 in separate processes.
Usage: python bench/bench_predict_memory.py
"""
import json, resource, subprocess, sys, tempfile, time
from pathlib import Path

CHILD = r'''
import sys, resource, time, numpy as np
from pathlib import Path
from PIL import Image
from tumortrace.model import SegModel, unet_config, create_model, save_model, load_model
from tumortrace.inference import predict_paths
from tumortrace.synthetic import phantom
n, d = int(sys.argv[1]), Path(sys.argv[2])
img, _ = phantom(size=128, n_slices=8, channels=1)
(d/'slices').mkdir()
for i in range(n): Image.fromarray(img[i % 8, ..., 0]).save(d/'slices'/f'slice{i:04d}.png')
cfg = unet_config('xresnet18_w16', n_in=1, n_out=2, size=64); cfg.update(norm='percentile', crop=True, layout='folder')
save_model(create_model(cfg), cfg, d/'model')
m = load_model(d/'model')
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.time()
rows = predict_paths(m, [d/'slices'], d/'out', progress=False)
print(n, base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, round(time.time() - t, 1), sum(r['status'] == 'ok' for r in rows))
'''

if __name__ == '__main__':
    res = {}
    for n in (100, 1000):
        with tempfile.TemporaryDirectory() as d:
            out = subprocess.run([sys.executable, '-c', CHILD, str(n), d], capture_output=True, text=True, check=True).stdout.split()
            n_, base, peak, secs, ok = map(float, out[-5:])
            res[int(n)] = dict(rss_before_mb=round(base/1024), peak_rss_mb=round(peak/1024), seconds=secs, predicted=int(ok))
            print(int(n), res[int(n)], flush=True)
    Path('bench/results').mkdir(parents=True, exist_ok=True)
    Path('bench/results/predict_memory.json').write_text(json.dumps(res, indent=2))
