"Training in two processes through HF Accelerate (gloo on this CPU): the same run folder, written once, a model in the one-process range; a resume as if never stopped."
import subprocess, sys
import numpy as np, pandas as pd, pytest, torch
from conftest import DATA
from tumortrace.train import train, Run
from tumortrace.model import load_model
from tumortrace.io import read_cases

TINY = ['--data', str(DATA/'lgg'), '--preset', 'tiny', '--epochs', '3', '--quiet']
LAUNCH = [sys.executable, '-m', 'accelerate.commands.launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1',
          '--mixed_precision', 'no', '--dynamo_backend', 'no']         # what `--num-processes 2` runs, here with a script of ours

@pytest.fixture(scope='module')
def two(tmp_path_factory):
    out = tmp_path_factory.mktemp('ddp')/'two'
    r = subprocess.run([sys.executable, '-m', 'tumortrace.cli', 'train', *TINY, '--out', str(out), '--num-processes', '2'],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'written to' in r.stdout and 'by 2 processes' in r.stdout
    return Run(out)

def test_train_in_two_processes(two, tmp_path):
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

KILL_AFTER_EPOCH_1 = """import sys
from tumortrace.train import LastCheckpoint
from tumortrace.cli import main
save = LastCheckpoint.after_epoch
def stop(self):
    save(self)
    if self.epoch == 1: raise RuntimeError('killed')
LastCheckpoint.after_epoch = stop
sys.exit(main(sys.argv[1:]))
"""

def test_resume_in_two_processes_is_as_if_never_stopped(two, tmp_path):
    "Killed in every process after epoch 2 of 3 and resumed: rank 0's random states restored on each rank, the epochs as uninterrupted."
    (tmp_path/'kill.py').write_text(KILL_AFTER_EPOCH_1)
    cut = tmp_path/'cut'
    r = subprocess.run(LAUNCH + [str(tmp_path/'kill.py'), 'train', *TINY, '--out', str(cut)], capture_output=True, text=True, timeout=900)
    assert r.returncode != 0 and 'killed' in r.stderr, r.stderr[-3000:]
    assert torch.load(cut/'checkpoints'/'last.pth', weights_only=False)['meta']['epoch'] == 1
    r = subprocess.run([sys.executable, '-m', 'tumortrace.cli', 'train', *TINY, '--out', str(cut), '--num-processes', '2', '--resume'],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    h1,h2 = pd.read_csv(two.history_file), pd.read_csv(cut/'history.csv')
    assert list(h2['epoch']) == [0, 1, 2]
    # without the restore epoch 2 differs (valid loss 1.14589 against 1.14861 here): the check can fail
    np.testing.assert_allclose(h2[['train_loss', 'valid_loss']].to_numpy(), h1[['train_loss', 'valid_loss']].to_numpy(), rtol=2e-5)
