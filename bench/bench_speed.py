"""Training throughput (img/s) of U-Net variants on this machine's CPU (or GPU when present).

Measures forward + backward + optimiser step on random batches of the given size, after warm-up.
Usage: python bench/bench_speed.py [--size 128] [--bs 16] [--steps 6] [--out bench/results/speed.csv]
"""
import argparse, csv, os, time
from pathlib import Path
import torch
from tumortrace.model import unet_config, create_model
from tumortrace.metrics import DiceCELoss

VARIANTS = [  # (encoder, size, last_cross)
    ('resnet34', 256, True), ('resnet34', 128, True), ('resnet18', 128, True),
    ('xresnet18_w32', 128, True), ('xresnet18_w16', 128, True), ('xresnet18_w16', 128, False),
    ('xresnet34_w16', 128, True), ('xresnet34_w16', 128, False), ('xresnet18_w16', 96, True),
]

def bench(encoder, size, last_cross, bs, steps, device, channels_last=False):
    cfg = unet_config(encoder, 3, 2, size, last_cross=last_cross)
    m = create_model(cfg).to(device).train()
    if channels_last: m = m.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(m.parameters(), 1e-3); loss = DiceCELoss()
    x = torch.randn(bs, 3, size, size, device=device); y = torch.randint(0, 2, (bs, size, size), device=device)
    if channels_last: x = x.contiguous(memory_format=torch.channels_last)
    def step():
        opt.zero_grad(); l = loss(m(x), y); l.backward(); opt.step()
    for _ in range(2): step()
    if device.type == 'cuda': torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(steps): step()
    if device.type == 'cuda': torch.cuda.synchronize()
    dt = time.perf_counter() - t
    return bs * steps / dt, sum(p.numel() for p in m.parameters())

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--bs', type=int, default=16); ap.add_argument('--steps', type=int, default=6)
    ap.add_argument('--only', help='comma-separated encoders'); ap.add_argument('--out', default='bench/results/speed.csv')
    ap.add_argument('--channels-last', action='store_true')
    a = ap.parse_args()
    dev = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    torch.set_num_threads(os.cpu_count())
    rows = []
    for enc,size,lc in VARIANTS:
        if a.only and enc not in a.only.split(','): continue
        ips,n = bench(enc, size, lc, a.bs, a.steps, dev, a.channels_last)
        rows.append(dict(device=dev.type, threads=torch.get_num_threads(), encoder=enc, size=size, last_cross=lc,
                         bs=a.bs, channels_last=a.channels_last, params_M=round(n/1e6, 2), img_per_s=round(ips, 2)))
        print(rows[-1], flush=True)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    new = not Path(a.out).exists()
    with open(a.out, 'a', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0])); 
        if new: w.writeheader()
        w.writerows(rows)
