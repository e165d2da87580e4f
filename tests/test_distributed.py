"Training in two processes through HF Accelerate (gloo on this CPU): the same run folder, written once, a model in the one-process range."
import subprocess, sys
import numpy as np, pandas as pd
from conftest import DATA
from tumortrace.train import train, Run
from tumortrace.model import load_model
from tumortrace.io import read_cases

def test_train_in_two_processes(tmp_path):
    r = subprocess.run([sys.executable, '-m', 'tumortrace.cli', 'train', '--data', str(DATA/'lgg'), '--out', str(tmp_path/'two'),
                        '--preset', 'tiny', '--epochs', '3', '--num-processes', '2', '--quiet'], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'written to' in r.stdout and 'by 2 processes' in r.stdout
    two = Run(tmp_path/'two')
    one = train(DATA/'lgg', tmp_path/'one', preset='tiny', epochs=3)
    assert two.split() == one.split()                                   # the same patients, seeded in every process
    h = pd.read_csv(two.history_file)
    assert list(h['epoch']) == [0, 1, 2]                                # one row an epoch: rank 0 alone writes
    assert h['train_loss'].iloc[-1] < h['train_loss'].iloc[0]           # it learned
    assert abs(two.metrics['dice_patient'] - one.metrics['dice_patient']) <= 0.25, (two.metrics, one.metrics)
    m = load_model(two)
    c = read_cases(DATA/'lgg')[0]
    pred = m.predict_case(c)
    assert pred.shape == c.mask_volume().shape and set(np.unique(pred)) <= {0, 1}
