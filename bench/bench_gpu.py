"""GPU throughput of the training input pipeline, the training step and evaluation, in one short run (issue 13).

Measures, with the `gpu` preset's settings (resnet34 U-Net, 256 px, bs 16), on the LGG slices found under --data:
  1. loader alone: fastai `seg_dataloaders` (per-item pipeline) vs `TensorLoader` (slices on the device), img/s and CPU ms per batch;
  2. training img/s: the fastai loop as `train` sets it up on a GPU (TensorLoader, bf16, fused AdamW, `lean_loop`) vs a plain
     PyTorch loop over the same batches (the ratio is fastai's overhead), and the former set-up (fastai loader, fp16 + scaler, fastai Adam);
  3. evaluation: `evaluate_cases` end to end (read, preprocess, predict, metrics) vs the model's forward passes alone, slices/s.
Runs on the CPU too (with --quick) to check the script. Writes JSON lines to --out as results come.
Usage: python bench/bench_gpu.py --data DIR [DIR ...] --out results.jsonl [--quick] [--loaders-only] [--preset P] [--bs N] [--compile] [--train-only]
"""
import argparse, json, os, time
from functools import partial
from pathlib import Path
import numpy as np
import torch

def log(out, **kw):
    print(json.dumps(kw), flush=True)
    with open(out, 'a') as f: f.write(json.dumps(kw) + '\n')

def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize()

def loader_rate(dl, n, dev):
    "img/s and CPU ms per batch over `n` batches (after one warm-up batch)."
    it = iter(dl); next(it); sync(dev)
    t,c,k = time.perf_counter(), time.process_time(), 0
    for _ in range(n):
        try: xb,yb = next(it)
        except StopIteration: it = iter(dl); xb,yb = next(it)
        k += len(xb)
    sync(dev)
    dt,dc = time.perf_counter() - t, time.process_time() - c
    return dict(img_per_s=round(k / dt, 1), cpu_ms_per_batch=round(1000 * dc / n, 2))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', nargs='+', required=True); ap.add_argument('--out', required=True)
    ap.add_argument('--quick', action='store_true', help='tiny sizes, to check the script on a CPU')
    ap.add_argument('--n-train', type=int, default=1600, help='training slices per epoch (the data tiled)')
    ap.add_argument('--loaders-only', action='store_true', help='stop after part 1 (the loaders; the CPU target is measured so)')
    ap.add_argument('--preset', default='gpu', help="the preset whose model, size, batch size and learning rate are used")
    ap.add_argument('--bs', type=int, default=None, help="batch size instead of the preset's")
    ap.add_argument('--compile', action='store_true', help='also train with `compile_unet` (torch.compile), first epoch = compiling')
    ap.add_argument('--train-only', action='store_true', help='part 2 only, without the former set-up')
    ap.add_argument('--last-cross', type=int, choices=[0, 1], default=None, help="the decoder's full-resolution ResBlock (default: the preset's; the gpu preset's is 39 %% of its forward FLOPs)")
    ap.add_argument('--context', type=int, default=None, help="2.5D neighbours on each side (default: the preset's; before 2026-12-06 this script used 0)")
    a = ap.parse_args()
    from fastai.callback.core import Callback
    from tumortrace.io import read_cases
    from tumortrace.data import prepare, seg_dataloaders, tensor_dataloaders, TensorLoader, ContextSlices
    from tumortrace.augment import seg_augs, SegAugment
    from tumortrace.train import PRESETS, fused_adamw, lean_loop, compile_unet
    from tumortrace.model import unet_config, seg_learner, create_model, SegModel
    from tumortrace.metrics import get_loss, seg_metrics
    from tumortrace.evaluate import evaluate_cases
    dev = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    p = dict(PRESETS[a.preset])
    if a.bs: p['bs'] = a.bs
    if a.quick: p.update(encoder='xresnet18_w16', size=64)
    size,bs,k = p['size'], p['bs'], p.get('context', 0) if a.context is None else a.context
    cases = [c for d in a.data for c in read_cases(d)]
    t = time.perf_counter(); ss = prepare(cases, size, context=k); t_prep = time.perf_counter() - t
    log(a.out, what='data', device=torch.cuda.get_device_name() if dev.type == 'cuda' else 'cpu', patients=len(cases), slices=len(ss),
        prepare_s=round(t_prep, 1), cpu_count=os.cpu_count(), torch=torch.__version__, context=k, input_channels=ss.x.shape[1],
        last_cross=p['last_cross'] if a.last_cross is None else bool(a.last_cross))
    # tile the training patients' slices up to n_train; one patient validates
    ids = ss.case_ids
    split = dict(train=ids[1:], valid=ids[:1], test=[])
    n_batches = 10 if a.quick else 60
    # 1. loaders alone
    fdl = seg_dataloaders(ss, split, bs=bs, batch_tfms=seg_augs(), tumour_weight=p['tumour_weight'], device=dev, seed=0)
    log(a.out, what='loader', kind='fastai seg_dataloaders', size=size, bs=bs, **loader_rate(fdl.train, n_batches // 3, dev))
    tdl = tensor_dataloaders(ss, split, bs=bs, augment=SegAugment(), tumour_weight=p['tumour_weight'], device=dev, seed=0)
    log(a.out, what='loader', kind='TensorLoader', size=size, bs=bs, **loader_rate(tdl.train, n_batches, dev))
    if a.loaders_only: return
    # 2. training: the same data tiled to n_train slices per epoch
    tr = ss.idxs(split['train']); rep = int(np.ceil(a.n_train / len(tr)))
    if k:                                            # 2.5D as `train` holds it: each slice once, neighbours gathered per batch
        sub = ss.x.subset(tr); xt = ContextSlices(sub.base, np.concatenate([sub.nbr] * rep)[:a.n_train])
    else: xt = np.concatenate([ss.x[tr]] * rep)[:a.n_train]
    yt = np.concatenate([ss.y[tr]] * rep)[:a.n_train]
    va = ss.idxs(split['valid'])
    cfg = unet_config(p['encoder'], n_in=ss.x.shape[1], n_out=2, size=size, last_cross=p['last_cross'] if a.last_cross is None else bool(a.last_cross))
    loss = get_loss('dice_ce')
    class Timer(Callback):
        "Wall time of each training phase (synchronised), validation excluded."
        order = 99
        def __init__(self): self.times = []
        def before_train(self): sync(dev); self.t = time.perf_counter()
        def after_train(self): sync(dev); self.times.append(time.perf_counter() - self.t)
    def fastai_run(new:bool, epochs:int, compiled:bool=False):
        from fastai.data.core import DataLoaders
        if new:
            dls = DataLoaders(TensorLoader(xt, yt, bs, shuffle=True, augment=SegAugment(), device=dev, seed=0),
                              TensorLoader(ss.x[va], ss.y[va], bs, device=dev))
            dls.c,dls.vocab = 2,['background', 'tumour']
            kw = dict(opt_func=partial(fused_adamw, fused=dev.type == 'cuda'))
        else:
            dls = seg_dataloaders(ss, split, bs=bs, batch_tfms=seg_augs(), device=dev, seed=0)
            kw = {}
        learn = seg_learner(dls, cfg, loss_func=loss, metrics=seg_metrics(2), pretrained=False, **kw)
        learn.model = learn.model.to(dev, memory_format=torch.channels_last)
        if dev.type == 'cuda':
            if new: learn.to_bf16()
            else: learn.to_fp16()
        if new: lean_loop(learn)
        if compiled: compile_unet(learn.model)
        timer = Timer()
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, p['lr'], cbs=timer)
        return learn, timer.times
    ep = 2 if a.quick else 3
    learn,times = fastai_run(True, ep)
    n_img = (a.n_train // bs) * bs
    fa_ips = n_img / min(times[1:])
    log(a.out, what='train', kind='fastai loop (TensorLoader, bf16, fused AdamW, lean_loop)', img_per_s=round(fa_ips, 1),
        epoch_s=[round(x, 2) for x in times], n_img=n_img)
    if a.compile:
        _,ctimes = fastai_run(True, ep, compiled=True)
        log(a.out, what='train', kind='fastai loop, compiled (compile_unet)', img_per_s=round(n_img / min(ctimes[1:]), 1),
            epoch_s=[round(x, 2) for x in ctimes], n_img=n_img, compiled_over_eager=round(min(times[1:]) / min(ctimes[1:]), 3))
    # plain PyTorch loop, same model type, batches, precision and optimiser
    m = create_model(cfg).to(dev, memory_format=torch.channels_last).train()
    opt = torch.optim.AdamW(m.parameters(), p['lr'], betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01,
                            **({'fused':True} if dev.type == 'cuda' else {'foreach':True}))
    dl = TensorLoader(xt, yt, bs, shuffle=True, augment=SegAugment(), device=dev, seed=0)
    amp = torch.autocast('cuda', dtype=torch.bfloat16) if dev.type == 'cuda' else torch.autocast('cpu', enabled=False)
    pts = []
    for e in range(ep):
        sync(dev); t = time.perf_counter()
        for xb,yb in dl:
            with amp: out = m(xb)
            l = loss(out.float(), yb); l.backward(); opt.step(); opt.zero_grad(set_to_none=True)
        sync(dev); pts.append(time.perf_counter() - t)
    pl_ips = n_img / min(pts[1:])
    log(a.out, what='train', kind='plain PyTorch loop (same batches, bf16, fused AdamW)', img_per_s=round(pl_ips, 1),
        epoch_s=[round(x, 2) for x in pts], fastai_over_plain=round(pl_ips / fa_ips, 3))
    if a.train_only: return
    _,times_old = fastai_run(False, 2)
    log(a.out, what='train', kind='former set-up (fastai loader, fp16 + scaler, fastai Adam)',
        img_per_s=round(len(tr) // bs * bs / times_old[-1], 1), epoch_s=[round(x, 2) for x in times_old], n_img=len(tr) // bs * bs)
    # 3. evaluation of the trained model: end to end vs forward passes alone
    sm = SegModel(learn.model.float().to(memory_format=torch.channels_last), dict(cfg, codes=['background', 'tumour'],
                  labels={0:'background', 1:'tumour'}, label_values=None, channel_names=cases[0].channel_names, context=k,
                  norm='percentile', crop=True, layout='lgg', reader={}))
    evaluate_cases(sm, cases[:1], workers=0); sync(dev)
    sm.probs(ss.x[:64]); sync(dev)
    t = time.perf_counter(); sm.probs(ss.x); sync(dev); t_fwd = time.perf_counter() - t
    import sys, tumortrace.evaluate as ev
    from tumortrace.core import read_ahead
    si = sys.getswitchinterval()
    # scored inline (the default) or in 4 worker processes; the reading threads (read_ahead: 1 per 4 cores) as they are or
    # one; Python's GIL switch interval as it is (5 ms) or 0.5 ms (the model's thread waits less for the readers' GIL)
    # (and, since 2026-12-06, scored in a background thread: `score_thread`)
    for w,ahead,switch,th in ((0, None, si, False), (0, None, si, True), (4, None, si, False), (0, 1, si, False), (0, None, 5e-4, False)):
        ev.read_ahead = partial(read_ahead, ahead=ahead); sys.setswitchinterval(switch)
        try:
            t = time.perf_counter(); evaluate_cases(sm, cases, workers=w, score_thread=th); sync(dev); t_eval = time.perf_counter() - t
        finally: ev.read_ahead = read_ahead; sys.setswitchinterval(si)
        log(a.out, what='evaluate', workers=w, score_thread=th, ahead=ahead or 'default', switch_ms=round(1000 * switch, 2), slices=len(ss),
            end_to_end_slices_per_s=round(len(ss) / t_eval, 1), forward_slices_per_s=round(len(ss) / t_fwd, 1),
            ratio=round(t_eval / t_fwd, 2), patients=len(cases))

if __name__ == '__main__': main()
