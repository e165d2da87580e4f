"""Draw the front-door picture (nbs/images/front.png): the bundled model on the median and the worst of the six
bundled patients (it saw none of them), truth outlined, prediction filled, and the error map of the same slice.
Run: .venv/bin/python tools/front_picture.py"""
from pathlib import Path
from tumortrace.widgets import open_source
from tumortrace.metrics import dice
from tumortrace.viz import (new_figure, overlay, draw_errors, error_map, largest_slice, pick_patients, save_figure,
                            _legend)

ROOT = Path(__file__).resolve().parents[1]
src = open_source(ROOT/'data'/'lgg', model=ROOT/'data'/'models'/'lgg_sample')   # predicts with the recorded post-processing
res = {pid: src.predict(pid) for pid in src.ids}
picks = pick_patients({k: d['dice'] for k,d in res.items()})
fig = new_figure((7.6, 2.3))
axs = fig.subplots(1, 4)
for k,which in enumerate(['median', 'worst']):
    pid = picks[which]
    d = res[pid]
    vol,truth,pred,patient_dice = d['vol'], d['truth'], d['post'], d['dice']
    i = largest_slice(truth)
    a,b = axs[2*k], axs[2*k + 1]
    overlay(a, vol[i, ..., 1], truth[i], pred[i])
    a.set_title(f"{which} of 6: {pid[:12]}, patient Dice {patient_dice:.2f}", fontsize=7)
    overlay(b, vol[i, ..., 1]); draw_errors(b, error_map(truth[i], pred[i]))
    b.set_title(f"slice {i + 1}  Dice {dice(truth[i], pred[i]):.2f}", fontsize=7)
_legend(fig, errors=True)
fig.tight_layout(rect=(0, 0.08, 1, 1))
print(save_figure(fig, ROOT/'nbs'/'images'/'front.png', dpi=110))
