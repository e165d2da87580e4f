from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT/'data'
SHARED = ROOT.parent/'shared'/'data'
SAMPLE_MODEL = DATA/'models'/'lgg_sample'  # bundled model (data/models/README.md)
ARTIFACTS = ROOT/'test-artifacts'  # PNGs and screenshots the tests leave to look at (ignored by git)

@pytest.fixture
def lgg_patient(): return DATA/'lgg'/'TCGA_CS_4942_19970222'

import subprocess, sys

@pytest.fixture(scope='session')
def trained_run(tmp_path_factory):
    "A run trained by `tumortrace train` on the bundled LGG sample (1 epoch at 64 px), shared by the tests."
    out = tmp_path_factory.mktemp('run')/'r'
    r = subprocess.run([sys.executable, '-m', 'tumortrace.cli', 'train', '--data', str(DATA/'lgg'), '--out', str(out),
                        '--epochs', '1', '--size', '64', '--quiet'], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return out

@pytest.fixture(scope='session')
def sample_eval(tmp_path_factory):
    "`tumortrace evaluate` of the bundled model on the six bundled patients (none of which it was trained on)."
    out = tmp_path_factory.mktemp('sample_eval')/'eval'
    r = subprocess.run([sys.executable, '-m', 'tumortrace.cli', 'evaluate', '--model', str(SAMPLE_MODEL), '--data', str(DATA/'lgg'),
                        '--out', str(out), '--patients', 'all', '--quiet'], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return out
