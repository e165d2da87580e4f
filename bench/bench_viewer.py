"""How fast the viewer opens and responds on a large data set.

Builds a 110-patient LGG folder from symbolic links (the 46 patients of ../shared/data/lgg, or the 6 bundled
ones when that is absent, repeated under new names), then times with the bundled model:
- opening `tumortrace.viewer(folder, model=...)`: listing 110 patients, reading and drawing the first
  (its prediction, and the model's loading, happen in the viewer's worker thread: timed separately);
- switching to another patient: drawn at once, then its prediction;
- one redraw (moving the slice slider).
Usage: .venv/bin/python bench/bench_viewer.py   (writes bench/results/viewer.json)
"""
import json, os, tempfile, time
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]

def build(n=110):
    src = ROOT.parent/'shared'/'data'/'lgg'
    if not src.exists(): src = ROOT/'data'/'lgg'
    pats = sorted(d for d in src.iterdir() if d.is_dir() and d.name.startswith('TCGA'))
    dst = Path(tempfile.mkdtemp())/'lgg110'; dst.mkdir()
    for k in range(n):
        p = pats[k % len(pats)]
        new = dst/f"{p.name}_{k:03d}"; new.mkdir()
        for f in p.iterdir():   # LGG file names carry the patient id: link under the new name
            os.symlink(f, new/f.name.replace(p.name, new.name))
    return dst, len(pats)

if __name__ == '__main__':
    import tumortrace
    folder, n_src = build()
    t0 = time.perf_counter()
    v = tumortrace.viewer(folder, model=ROOT/'data'/'models'/'lgg_sample')
    t_open = time.perf_counter() - t0
    ids = v.src.ids
    loads_after_open = v.src.loads
    v.wait(); t_first_pred = time.perf_counter() - t0
    t0 = time.perf_counter(); v.patient.value = ids[57]; t_switch = time.perf_counter() - t0
    v.wait(); t_switch_pred = time.perf_counter() - t0
    n = v.slice.max
    times = []
    for s in range(1, min(n, 11) + 1):
        t0 = time.perf_counter(); v.slice.value = s; times.append(time.perf_counter() - t0)
    res = dict(patients=len(ids), distinct_source_patients=n_src, loads_after_open=loads_after_open, open_s=round(t_open, 2),
               first_prediction_shown_s=round(t_first_pred, 2), switch_patient_s=round(t_switch, 2),
               switch_prediction_shown_s=round(t_switch_pred, 2), slices_in_patient=n, redraw_median_s=round(float(np.median(times)), 3),
               cpu_threads=os.cpu_count())
    print(json.dumps(res, indent=1))
    (ROOT/'bench'/'results').mkdir(exist_ok=True)
    (ROOT/'bench'/'results'/'viewer.json').write_text(json.dumps(res, indent=1) + '\n')
