from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT/'data'
SHARED = ROOT.parent/'shared'/'data'

@pytest.fixture
def lgg_patient(): return DATA/'lgg'/'TCGA_CS_4942_19970222'
