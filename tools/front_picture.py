"""Draw the front-door picture (nbs/images/front.png): the bundled model on two bundled patients it never saw,
truth outlined, prediction filled, and the error map of the same slice. Run: .venv/bin/python tools/front_picture.py"""
from pathlib import Path
import tumortrace
from tumortrace.io import read_lgg_case
from tumortrace.postprocess import postprocess
from tumortrace.viz import new_figure, overlay, draw_errors, error_map, dice2d, largest_slice, save_figure, _norm01, _legend
from tumortrace.evaluate import overlap_metrics

ROOT = Path(__file__).resolve().parents[1]
model = tumortrace.load_model(ROOT/'data'/'models'/'lgg_sample')
fig = new_figure((7.6, 2.3))
axs = fig.subplots(1, 4)
for k,pid in enumerate(['TCGA_HT_7693_19950520', 'TCGA_CS_4942_19970222']):
    c = read_lgg_case(ROOT/'data'/'lgg'/pid)
    vol,truth = c.volume(), c.mask_volume()
    pred = postprocess(model.predict_case(c), model.cfg.get('postprocess', 'none'))
    i = largest_slice(truth)
    a,b = axs[2*k], axs[2*k + 1]
    overlay(a, vol[i, ..., 1], truth[i], pred[i])
    a.set_title(f"{pid[:12]}  patient Dice {overlap_metrics(truth > 0, pred > 0)['dice']:.2f}", fontsize=7)
    b.imshow(_norm01(vol[i, ..., 1]), cmap='gray'); draw_errors(b, error_map(truth[i], pred[i])); b.axis('off')
    b.set_title(f"slice {i + 1}  Dice {dice2d(truth[i], pred[i]):.2f}", fontsize=7)
_legend(fig, errors=True)
fig.tight_layout(rect=(0, 0.08, 1, 1))
print(save_figure(fig, ROOT/'nbs'/'images'/'front.png', dpi=110))
