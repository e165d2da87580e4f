"""Draw the front-door picture (nbs/images/front.png): the bundled model on the median and the worst of the six
bundled patients (it saw none of them), truth outlined, prediction filled, and the error map of the same slice.
Run: .venv/bin/python tools/front_picture.py"""
from pathlib import Path
import tumortrace
from tumortrace.io import read_cases
from tumortrace.postprocess import postprocess
from tumortrace.viz import (new_figure, overlay, draw_errors, error_map, dice2d, largest_slice, pick_patients, save_figure,
                            _norm01, _legend)
from tumortrace.evaluate import overlap_metrics

ROOT = Path(__file__).resolve().parents[1]
model = tumortrace.load_model(ROOT/'data'/'models'/'lgg_sample')
cases = {c.case_id: c for c in read_cases(ROOT/'data'/'lgg')}
res = {}
for pid,c in cases.items():
    truth = c.mask_volume()
    pred = postprocess(model.predict_case(c), model.cfg.get('postprocess', 'none'))
    res[pid] = (c.volume(), truth, pred, overlap_metrics(truth > 0, pred > 0)['dice'])
picks = pick_patients({k: v[3] for k,v in res.items()})
fig = new_figure((7.6, 2.3))
axs = fig.subplots(1, 4)
for k,which in enumerate(['median', 'worst']):
    pid = picks[which]
    vol,truth,pred,dice = res[pid]
    i = largest_slice(truth)
    a,b = axs[2*k], axs[2*k + 1]
    overlay(a, vol[i, ..., 1], truth[i], pred[i])
    a.set_title(f"{which} of 6: {pid[:12]}, Dice {dice:.2f}", fontsize=7)
    b.imshow(_norm01(vol[i, ..., 1]), cmap='gray'); draw_errors(b, error_map(truth[i], pred[i])); b.axis('off')
    b.set_title(f"slice {i + 1}  Dice {dice2d(truth[i], pred[i]):.2f}", fontsize=7)
_legend(fig, errors=True)
fig.tight_layout(rect=(0, 0.08, 1, 1))
print(save_figure(fig, ROOT/'nbs'/'images'/'front.png', dpi=110))
