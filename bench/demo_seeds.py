"""The demo's one unseen patient, over seeds: the epoch its one validation patient chooses against the last epoch.

For each seed, the demo's split and recipe (`make demo`: the `cpu` preset, 30 epochs, 4 training / 1 validation /
1 test patient of the bundled six), trained once with early stopping lifted so that the whole schedule runs. The
model `train` keeps (since 2026-12-07 the last epoch: one validation patient is too few to choose one; before, the
best validation epoch) is scored on the test and the validation patient; then the other epoch's weights take its
checkpoint's place, the run is finished again from them (`resume`, nothing left to fit: the decision rule is chosen
anew on the validation patient) and scored the same way. About a minute a seed on
2 cores; checkpoints are removed after each seed.

    python bench/demo_seeds.py --seeds 42 0 1 2 3 --out /tmp/demo_seeds --results bench/results/demo_seeds.jsonl
"""
import argparse, json, shutil, time
import torch
from pathlib import Path
import pandas as pd
from tumortrace.cli import bundled_data
from tumortrace.train import train
from tumortrace.evaluate import evaluate

def one_seed(data:Path, out:Path, seed:int, epochs:int)->dict:
    "Train the demo's recipe at `seed`, score its validated and its last epoch on the test and the validation patient."
    shutil.rmtree(out, ignore_errors=True); t0 = time.time()
    train(data, out, preset='cpu', epochs=epochs, seed=seed, valid_pct=0.2, test_pct=0.2, patience=100)
    h = pd.read_csv(out/'history.csv')
    score = lambda tag, who: evaluate(out/'model', data, out/f'eval_{who}_{tag}', patients=who)['dice_mean']
    kept = json.loads((out/'metrics.json').read_text()).get('epoch_kept', 'best')   # 'last' since one validation patient chooses no epoch
    other = 'last' if kept == 'best' else 'best'
    r = {f'test_{kept}': score(kept, 'test'), f'valid_{kept}': score(kept, 'valid')}
    ck = out/'checkpoints'
    if kept == 'best': shutil.copy(ck/'last.pth', ck/'best.pth')          # the last epoch in the validated one's place
    else:                                                                  # the validated epoch's weights in last.pth (its meta kept)
        last,best = torch.load(ck/'last.pth', weights_only=False), torch.load(ck/'best.pth', weights_only=False)
        last['model'] = best.get('model', best) if isinstance(best, dict) and 'model' in best else best
        torch.save(last, ck/'last.pth')
    train(data, out, resume=True, patience=100)                            # nothing left to fit: finished from it
    r.update({f'test_{other}': score(other, 'test'), f'valid_{other}': score(other, 'valid')})
    split = json.loads((out/'split.json').read_text())
    shutil.rmtree(out/'checkpoints')
    return dict(seed=seed, test=split['test'], valid=split['valid'], best_epoch=int(h['dice_patient'].idxmax()), epochs=len(h),
                valid_curve=[round(v, 3) for v in h['dice_patient']], **{k:round(v, 4) for k,v in r.items()},
                minutes=round((time.time() - t0) / 60, 1))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--seeds', type=int, nargs='+', default=[42, 0, 1, 2, 3])
    ap.add_argument('--data', default=None, help='data folder (default: the bundled LGG sample)')
    ap.add_argument('--epochs', type=int, default=30, help="the demo's epochs")
    ap.add_argument('--out', default='/tmp/demo_seeds', help='scratch folder for the runs')
    ap.add_argument('--results', default='bench/results/demo_seeds.jsonl')
    a = ap.parse_args()
    data = Path(a.data) if a.data else bundled_data('lgg')
    for s in a.seeds:
        r = one_seed(data, Path(a.out)/f's{s}', s, a.epochs)
        print(r, flush=True)
        with open(a.results, 'a') as f: f.write(json.dumps(r) + '\n')
