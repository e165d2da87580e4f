"""Training speed on this CPU: the `cpu` preset's step (fp32 channels-first as before, channels-last, channels-last with
fastai's out-of-place ReLUs, channels-last + bf16 autocast) on random batches, the variants in turn for --rounds
rounds, then whole `train()` epochs on real patients in fp32 and bf16 (both channels-last; --steps-only skips them).

    python bench/bench_cpu_train.py --data ../shared/data/lgg --patients 20 --out bench/results/cpu_train.json
"""
import argparse, json, os, shutil, sys, tempfile, time
from pathlib import Path
import torch

def step_rate(cfg, memory_format, bf16:bool, n:int=8, bs:int=16,
              relu_inplace:bool=True, # False: fastai's own ReLUs, a new tensor each (what `create_model` did before)
             )->float:
    "Median img/s of forward + backward + AdamW on one random batch (after 2 warm-up steps)."
    from tumortrace.model import create_model, inplace_relu
    from tumortrace.metrics import get_loss
    torch.manual_seed(0)
    m = inplace_relu(create_model(cfg).train().to(memory_format=memory_format), inplace=relu_inplace)
    opt,loss_f = torch.optim.AdamW(m.parameters(), 1e-3), get_loss('tversky_ce')
    x = torch.randn(bs, cfg['n_in'], cfg['size'], cfg['size']).contiguous(memory_format=memory_format)
    y = (torch.rand(bs, cfg['size'], cfg['size']) > 0.9).long()
    ts = []
    for i in range(n + 2):
        t = time.perf_counter()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16): out = m(x)
        l = loss_f(out.float(), y); opt.zero_grad(); l.backward(); opt.step()
        if i >= 2: ts.append(time.perf_counter() - t)
    return bs / sorted(ts)[len(ts) // 2]

def _secs(t:str)->int:
    "fastai's 'mm:ss' (or 'hh:mm:ss') epoch time in seconds."
    s = 0
    for part in str(t).split(':'): s = 60 * s + int(part)
    return s

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', required=True); ap.add_argument('--out', required=True)
    ap.add_argument('--patients', type=int, default=20, help='patients copied for the train() epochs')
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--rounds', type=int, default=1, help='rounds of the step variants, each round all variants in turn')
    ap.add_argument('--steps-only', action='store_true', help='only the step rates, no train() epochs')
    ap.add_argument('--emulated-bf16', action='store_true', help='time the bf16 step even where this CPU has no native bf16 (what `precision=auto` picked there before 2026-12-07)')
    a = ap.parse_args()
    from tumortrace.model import unet_config
    from tumortrace.train import PRESETS, train
    from tumortrace.core import cpu_bf16
    p = PRESETS['cpu']
    res = dict(threads=torch.get_num_threads(), cpu_bf16=cpu_bf16(), torch=torch.__version__)
    cfg = unet_config(p['encoder'], n_in=3 * (2 * p['context'] + 1), n_out=2, size=p['size'], last_cross=p['last_cross'])
    variants = [(k,mf,bf,ip) for k,mf,bf,ip in [
        ('fp32 channels-first', torch.contiguous_format, False, True), ('fp32 channels-last', torch.channels_last, False, True),
        ('fp32 channels-last, ReLUs out of place', torch.channels_last, False, False),
        ('bf16 channels-last', torch.channels_last, True, True)] if not bf or cpu_bf16() or a.emulated_bf16]
    res['step_img_s'] = {k: [] for k,*_ in variants}                     # one value a round
    for _ in range(a.rounds):
        for k,mf,bf,ip in variants: res['step_img_s'][k].append(round(step_rate(cfg, mf, bf, relu_inplace=ip), 1))
        print(json.dumps(res['step_img_s']), flush=True)
    if a.steps_only: a.patients = 0
    tmp = Path(tempfile.mkdtemp())
    try:
        pts = sorted(d for d in Path(a.data).iterdir() if d.is_dir())[:a.patients]
        (tmp/'data').mkdir()
        for d in pts: os.symlink(d.resolve(), tmp/'data'/d.name)
        res['epochs'] = {}
        for prec in ([] if a.steps_only else ['fp32'] + (['bf16'] if cpu_bf16() else [])):
            t = time.perf_counter()
            r = train(tmp/'data', tmp/prec, preset='cpu', epochs=a.epochs, precision=prec, valid_pct=0.15, test_pct=0)
            import pandas as pd
            h = pd.read_csv(tmp/prec/'history.csv')
            n = len(json.loads((tmp/prec/'split.json').read_text())['train'])
            res['epochs'][prec] = dict(train_patients=n, epoch_s=[_secs(s) for s in h['time']],
                                       total_s=round(time.perf_counter() - t, 1), valid_dice=[round(float(v), 3) for v in h['dice_patient']])
            print(prec, json.dumps(res['epochs'][prec]), flush=True)
    finally: shutil.rmtree(tmp, ignore_errors=True)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1) + '\n')

if __name__ == '__main__': main()
