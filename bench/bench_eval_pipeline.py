"""Evaluation's own CPU cost, the network taken out: what bounds `evaluate_cases` on a GPU (issue 13), measured on a CPU.

On a GPU the `gpu` preset's network predicts a 256 px slice in ~1.5 ms, so what `evaluate_cases` does around it on the
CPU (reading the TIFFs, brain mask, normalising, resizing, the 2.5D batches, resizing the probabilities back and
deciding, post-processing, per-patient metrics with HD95, per-slice rows) sets the end-to-end rate. Here the network is
replaced by an oracle that costs nothing: it returns, batch by batch, each patient's true mask at the network's size,
one pixel too large (dilated) in even patients and one pixel too small (eroded) in odd ones, so that post-processing
and HD95 work on realistic surfaces. The settings are the `gpu` preset's (256 px, brain crop, 2.5D with one neighbour
a side, 9 channels); `rel30` clean-up as the bundled model records. Reports slices/s end to end (best of --repeat) and
the main thread's profile by stage.
Usage: python bench/bench_eval_pipeline.py [--data ../shared/data/lgg ...] [--patients 19] [--device cpu] [--repeat 3] [--label now] [--out results.jsonl]
"""
import argparse, json, os, time
import numpy as np, torch

class Oracle(torch.nn.Module):
    "Logits of the queued masks, `len(x)` slices a call, in the order `evaluate_cases` predicts."
    def __init__(self, masks):
        super().__init__()
        self.w,self.masks,self.i = torch.nn.Parameter(torch.zeros(1)),masks,0
    def forward(self, x):
        y = self.masks[self.i:self.i + len(x)].to(x.device).float(); self.i += len(x)
        assert len(y) == len(x), 'the oracle ran out of masks'
        return torch.stack([1 - y, y], 1) * 8 - 4 + self.w

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', nargs='+', default=['../shared/data/lgg']); ap.add_argument('--patients', type=int, default=19)
    ap.add_argument('--repeat', type=int, default=3); ap.add_argument('--label', default='now'); ap.add_argument('--out')
    ap.add_argument('--profile', action='store_true', help='also print the profile of one run')
    ap.add_argument('--score-thread', action='store_true', help='evaluate_cases(score_thread=True)')
    ap.add_argument('--device', default='cpu', help="where the oracle 'predicts' ('cuda': the batches, the 2.5D gather and the decision on the GPU)")
    a = ap.parse_args()
    import cv2
    from tumortrace.io import read_cases
    from tumortrace.data import prepare_case
    from tumortrace.model import SegModel, read_config
    from tumortrace.evaluate import evaluate_cases
    torch.set_num_threads(os.cpu_count())
    cfg = read_config('data/models/lgg_sample').to_dict()
    cfg.update(size=256)                                          # the `gpu` preset's input: 256 px, 2.5D, 9 channels
    srcs = [c.source for d in a.data for c in read_cases(d)][:a.patients]
    fresh = lambda: [read_cases(s)[0] for s in srcs]              # new Case objects: nothing cached between runs
    ys = []
    for j,c in enumerate(fresh()):
        y = prepare_case(c, size=256).y
        ys += [(cv2.dilate if j % 2 == 0 else cv2.erode)(s, np.ones((3, 3), np.uint8)) for s in y]
    oracle = Oracle(torch.as_tensor(np.stack(ys)))
    m = SegModel(oracle.to(a.device), cfg, fused=False, precision='fp32')
    n = len(ys)
    def run():
        oracle.i = 0
        out = evaluate_cases(m, fresh(), 'rel30', score_thread=a.score_thread)
        if a.device != 'cpu': torch.cuda.synchronize()
        return out
    ts = []
    for _ in range(a.repeat):
        t = time.perf_counter(); res = run(); ts.append(time.perf_counter() - t)
    d = np.array([r['dice'] for r in res['post']])
    r = dict(code=a.label, score_thread=a.score_thread, device=a.device, cores=os.cpu_count(), patients=len(srcs), slices=n, size=256, best_s=round(min(ts), 3), slices_per_s=round(n / min(ts), 1),
             cpu_ms_per_slice=round(min(ts) / n * 1000, 2), oracle_dice_mean=round(float(d.mean()), 3))
    print(json.dumps(r))
    if a.out:
        with open(a.out, 'a') as f: f.write(json.dumps(r) + '\n')
    if a.profile:
        import cProfile, pstats
        pr = cProfile.Profile(); pr.enable(); run(); pr.disable()
        pstats.Stats(pr).sort_stats('cumtime').print_stats(30)

if __name__ == '__main__': main()
