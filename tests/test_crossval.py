"`tumortrace cv` end to end on the bundled sample: every patient scored once, and the ensemble works wherever a model does."
import json, subprocess, sys, inspect
import pandas as pd, pytest
from conftest import DATA, ROOT
from test_hardening import _job_params

CLI = [sys.executable, '-m', 'tumortrace.cli']

@pytest.fixture(scope='module')
def cv(tmp_path_factory):
    out = tmp_path_factory.mktemp('cv')/'cv'
    args = ['cv', '--data', str(DATA/'lgg'), '--out', str(out), '--folds', '2', '--preset', 'tiny', '--epochs', '1', '--size', '64', '--quiet']
    r = subprocess.run(CLI + args + ['--plan-only'], capture_output=True, text=True, timeout=600)   # the plan alone: nothing trains
    assert r.returncode == 0 and 'planned 2 folds of 6 patients (3, 3 test patients a fold)' in r.stdout, r.stderr[-3000:] + r.stdout
    assert (out/'folds.json').exists() and not list(out.glob('fold_*')) and not list(out.glob('*.ipynb'))
    assert 'fold(s) 0, 1 of 2 not yet scored' in (out/'INCOMPLETE').read_text()
    r = subprocess.run(CLI + args + ['--fold', '1'], capture_output=True, text=True, timeout=1200)   # one fold first, as another session would
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'fold 1 scored, 3 patients' in r.stdout and 'fold(s) 0 of 2 not yet scored' in r.stdout, r.stdout[-2000:]
    assert (out/'cv-fold1.ipynb').exists() and not (out/'fold_0').exists() and not (out/'cv_summary.json').exists()
    assert (out/'fold_1'/'cv-fold1.ipynb').read_bytes() == (out/'cv-fold1.ipynb').read_bytes()   # the fold's log goes where the fold goes
    r = subprocess.run(CLI + args + ['--resume'], capture_output=True, text=True, timeout=1200)     # the folds left: fold 0
    assert r.returncode == 0, r.stderr[-3000:]
    assert not (out/'INCOMPLETE').exists() and not (out/'cv_per_patient_partial.csv').exists()
    assert '2-fold cross-validation, 6 patients' in r.stdout
    return out

def test_every_patient_scored_once(cv):
    df = pd.read_csv(cv/'cv_per_patient.csv')
    assert sorted(df['patient']) == sorted(p.name for p in (DATA/'lgg').iterdir() if p.is_dir())
    plan = json.loads((cv/'folds.json').read_text())
    tests = [set(f['test']) for f in plan['folds']]
    assert not (tests[0] & tests[1])
    s = json.loads((cv/'cv_summary.json').read_text())
    assert s['n_patients'] == 6 and set(s['per_fold']) == {'0', '1'} and len(s['dice']['ci95']) == 2
    for f in ('cv.ipynb', 'figures/cv_dice.png', 'model/config.json', 'model/fold_0/model.safetensors', 'model/fold_1/model.safetensors'):
        assert (cv/f).exists(), f
    assert 'Pandas4Warning' not in (cv/'cv.ipynb').read_text() and 'fill value' not in (cv/'cv.ipynb').read_text()   # no pandas noise in the report

def test_ensemble_evaluates_and_predicts(cv, tmp_path):
    r = subprocess.run(CLI + ['evaluate', '--model', str(cv/'model'), '--data', str(DATA/'lgg'), '--out', str(tmp_path/'ev0'), '--quiet'],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 1 and 'cv_per_patient.csv' in r.stderr, r.stderr[-2000:]   # every patient trained a member: refused
    r = subprocess.run(CLI + ['evaluate', '--model', str(cv/'model'), '--data', str(DATA/'lgg'), '--out', str(tmp_path/'ev1'), '--patients', 'test', '--quiet'],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 1 and "is a cross-validation's ensemble: every patient trained or tested one of its folds" in r.stderr, r.stderr[-2000:]
    r = subprocess.run(CLI + ['evaluate', '--model', str(cv/'model'), '--data', str(DATA/'lgg'), '--out', str(tmp_path/'ev'),
                              '--patients', 'all', '--quiet'], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert json.loads((tmp_path/'ev'/'summary.json').read_text())['n_patients'] == 6
    pat = DATA/'lgg'/'TCGA_CS_4942_19970222'
    r = subprocess.run(CLI + ['predict', '--model', str(cv/'model'), str(pat), '--out', str(tmp_path/'pr'), '--quiet'],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert len(list((tmp_path/'pr'/pat.name).glob('*_mask.png'))) == len(list(pat.glob('*_mask.tif')))

def test_viewer_on_a_cv_folder_shows_uncertainty_from_each_patients_fold_model(cv):
    "The uncertainty layer of a cross-validation's viewer comes from the fold model that did not train on the patient (it said 'no uncertainty')."
    from tumortrace.widgets import viewer
    v = viewer(cv).wait()
    v.layers['uncertainty'].value = True; v.wait()
    assert 'no uncertainty' not in v.status.value, v.status.value
    d = v.src.predict(v.shown['patient'])
    assert d['unc'] is not None and d['unc'].shape == d['vol'].shape[:3] and d['unc'].max() > 0
    assert v.src.model.model_for(d['case']) is v.src.model._models[v.src.model.fold_of[v.shown['patient']]][0]

def test_cv_defaults_are_the_library_defaults():
    from tumortrace.cli import _parser, CV_OPTIONS
    args = vars(_parser().parse_args(['cv', '--data', 'd', '--out', 'o']))
    assert all(args[k] is None for k in CV_OPTIONS)
    job = _job_params('cv')
    assert set(CV_OPTIONS) <= set(job) and all(job[k] is None for k in CV_OPTIONS)

def test_cv_refuses_bad_options(tmp_path):
    r = subprocess.run(CLI + ['cv', '--data', str(DATA/'lgg'), '--out', str(tmp_path/'c'), '--fold', 'x', '--quiet'], capture_output=True, text=True)
    assert r.returncode == 1 and "--fold must name fold numbers from 0, e.g. 4 or 3,4, not 'x'" in r.stderr, r.stderr[-2000:]
    assert not (tmp_path/'c').exists()
    r = subprocess.run(CLI + ['cv', '--data', str(DATA/'lgg'), '--out', str(tmp_path/'c2'), '--folds', '2', '--fold', '0,3', '--quiet'], capture_output=True, text=True)
    assert r.returncode == 1 and '--fold 3: the cross-validation has folds 0 to 1' in r.stderr, r.stderr[-2000:]
    assert not (tmp_path/'c2'/'folds.json').exists()                 # refused before the job: a retry with other --folds is free
    r = subprocess.run(CLI + ['cv', '--data', str(DATA/'lgg'), '--out', str(tmp_path/'c'), '--folds', '9', '--quiet'], capture_output=True, text=True)
    assert r.returncode == 1 and '--folds 9: 6 patients allow 2 to 3 folds' in r.stderr, r.stderr[-2000:]

def test_a_fold_run_with_the_other_tta_is_refused_before_its_job(cv):
    "Fold 0 scored again with TTA while fold 1 keeps its plain scores would mix the two in one summary: refused, nothing written."
    r = subprocess.run(CLI + ['cv', '--data', str(DATA/'lgg'), '--out', str(cv), '--fold', '0', '--tta', '--quiet'], capture_output=True, text=True)
    assert r.returncode == 1 and 'fold(s) 1 of' in r.stderr and 'were scored without --tta' in r.stderr, r.stderr[-2000:]
    assert not (cv/'cv-fold0.ipynb').exists() and not (cv/'INCOMPLETE').exists() and (cv/'cv_summary.json').exists()

def test_a_fold_run_with_other_options_than_the_plan_is_refused_before_its_job(cv):
    "The plan's recipe (folds.json) holds for every fold: another --epochs, or another --valid-pct, is refused before a job starts."
    for extra,msg in ((['--epochs', '2'], 'was made with --epochs 1 (given 2)'), (['--valid-pct', '0.5'], '--valid-pct 0.5: the folds of')):
        r = subprocess.run(CLI + ['cv', '--data', str(DATA/'lgg'), '--out', str(cv), '--fold', '0', '--quiet'] + extra, capture_output=True, text=True)
        assert r.returncode == 1 and msg in r.stderr, r.stderr[-2000:]
    assert not (cv/'cv-fold0.ipynb').exists() and not (cv/'INCOMPLETE').exists()
