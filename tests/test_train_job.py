"The train job end to end through the installed CLI and papermill, on the bundled sample."
import json, subprocess, sys, filecmp
from pathlib import Path
import numpy as np, pandas as pd, pytest, torch
from conftest import DATA, ROOT
from tumortrace.model import load_model, create_model
from tumortrace.io import read_cases
from tumortrace.data import prepare

CLI = [sys.executable, '-m', 'tumortrace.cli']

@pytest.fixture
def run(trained_run): return trained_run

def test_run_folder_has_every_file(run):
    for f in ['train.ipynb', 'model/model.safetensors', 'model/config.json', 'history.csv', 'metrics.json', 'split.json',
              'curves/loss.png', 'curves/metrics.png', 'checkpoints/best.pth', 'checkpoints/last.pth']:
        assert (run/f).exists(), f
    h = pd.read_csv(run/'history.csv')
    assert list(h['epoch']) == [0] and np.isfinite(h['train_loss']).all()
    m = json.loads((run/'metrics.json').read_text())
    assert 0 <= m['dice_patient'] <= 1 and m['n_valid_patients'] >= 1
    nb = json.loads((run/'train.ipynb').read_text())
    assert any('injected-parameters' in c['metadata'].get('tags', []) for c in nb['cells'])

def test_split_is_by_patient(run):
    sp = json.loads((run/'split.json').read_text())
    ids = {p.name for p in (DATA/'lgg').iterdir() if p.is_dir()}
    parts = [set(sp[k]) for k in ('train', 'valid', 'test')]
    assert set().union(*parts) == ids and sum(map(len, parts)) == len(ids)

def test_config_rebuilds_preprocessing(run):
    cfg = json.loads((run/'model'/'config.json').read_text())
    assert (cfg['size'], cfg['n_in'], cfg['n_out'], cfg['codes']) == (64, 9, 2, ['background', 'tumour'])   # 3 channels x 3 slices
    # no --preset: the library's default recipe (cpu), not the job's or the CLI's own idea of one
    assert cfg['preset'] == 'cpu' and cfg['encoder'] == 'xresnet34_w16' and cfg['unet']['last_cross'] is False
    assert cfg['context'] == 1 and cfg['train']['loss'] == 'tversky_ce'                # the cross-validated recipe
    assert cfg['norm'] == 'percentile' and cfg['split_seed'] == 42

def test_load_model_predicts_like_the_kept_checkpoint(run):
    sm = load_model(run/'model')
    ref = create_model(sm.cfg)
    kept = json.loads((run/'metrics.json').read_text())['epoch_kept']   # 'last' here: one validation patient cannot choose an epoch
    assert kept == ('last' if len(json.loads((run/'split.json').read_text())['valid']) < 3 else 'best')
    state = torch.load(run/'checkpoints'/f'{kept}.pth', map_location='cpu', weights_only=False)   # last.pth: model, opt, meta, rng
    ref.load_state_dict(state['model'] if 'model' in state else state)
    ref.eval()
    sp = json.loads((run/'split.json').read_text())
    case = [c for c in read_cases(DATA/'lgg') if c.case_id == sp['valid'][0]]
    x = np.asarray(prepare(case, size=64, context=sm.cfg.context).x)      # the cpu preset reads 3 slices at a time (gathered)
    with torch.no_grad(): want = ref(torch.from_numpy(x)).argmax(1).numpy()
    np.testing.assert_array_equal(sm.probs(x).argmax(1), want)
    full = sm.predict_case(case[0])
    assert full.shape == (case[0].n_slices, 256, 256) and full.dtype == np.uint8

def test_help_notebook_lists_parameters():
    r = subprocess.run([sys.executable, '-m', 'papermill', '--help-notebook', str(ROOT/'tumortrace'/'jobs'/'train.ipynb')],
                       capture_output=True, text=True)
    assert r.returncode == 0 and 'epochs: int' in r.stdout and 'preset: str' in r.stdout

def test_packaged_jobs_match_notebooks():
    for nb in (ROOT/'nbs'/'jobs').glob('*.ipynb'):
        assert filecmp.cmp(nb, ROOT/'tumortrace'/'jobs'/nb.name, shallow=False), f'{nb.name}: run the export (copy nbs/jobs to tumortrace/jobs)'

def test_failing_job_exits_nonzero(tmp_path):
    from tumortrace.synthetic import write_lgg
    bad = write_lgg(tmp_path/'data', n_patients=4)
    next(bad.glob('*/*_2.tif')).write_bytes(b'not an image')
    r = subprocess.run(CLI + ['train', '--data', str(bad), '--out', str(tmp_path/'r'), '--quiet'], capture_output=True, text=True)
    assert r.returncode == 1
    assert 'job failed' in r.stderr and 'cannot be read as an image' in r.stderr, r.stderr[-2000:]
    assert 'without encryption' not in r.stderr and len(r.stderr.strip().splitlines()) == 2, r.stderr   # no kernel chatter

def test_compiled_training(tmp_path):
    "`train(compile=True)`: the network trains compiled (plain tensors through the tensor loader), and the saved model is the usual one."
    from tumortrace.train import train
    from tumortrace.core import OptionError
    with pytest.raises(OptionError, match='--compile needs plain tensors'): train(DATA/'lgg', tmp_path/'f', preset='tiny', compile=True, loader='fastai')
    r = train(DATA/'lgg', tmp_path/'run', preset='tiny', epochs=2, size=32, compile=True)
    h = pd.read_csv(tmp_path/'run'/'history.csv')
    assert list(h['epoch']) == [0, 1] and np.isfinite(h['train_loss']).all() and h['train_loss'].iloc[-1] < h['train_loss'].iloc[0]
    m = load_model(tmp_path/'run'/'model')
    case = read_cases(DATA/'lgg')[0]
    assert m.predict_case(case).shape == case.mask_volume().shape
    assert type(m.model.layers[-1]).__name__ == 'ToTensorBase'        # loads into the usual architecture

def test_a_run_and_a_cross_validation_never_share_a_folder(run, tmp_path):
    "cv into a run's folder, train into a cross-validation's: refused before any job starts, the model and report untouched; so are bad --context, LGG with --target, --out under a file; evaluate takes a run folder."
    import shutil
    r = tmp_path/'r'; shutil.copytree(run, r)
    before = {f: f.read_bytes() for f in [r/'model'/'model.safetensors', r/'model'/'config.json', r/'train.ipynb']}
    def cli(*a): return subprocess.run(CLI + [str(x) for x in a] + ['--quiet'], capture_output=True, text=True, timeout=300)
    p = cli('cv', '--data', DATA/'lgg', '--out', r, '--preset', 'tiny', '--folds', '2')
    assert p.returncode == 1 and 'holds a training run (run.json)' in p.stderr, p.stderr[-2000:]
    cv = tmp_path/'cv'; (cv/'model').mkdir(parents=True); (cv/'folds.json').write_text('{}')
    p = cli('train', '--data', DATA/'lgg', '--out', cv, '--preset', 'tiny')
    assert p.returncode == 1 and 'holds a cross-validation (folds.json)' in p.stderr, p.stderr[-2000:]
    assert not (cv/'train.ipynb').exists() and sorted(x.name for x in cv.iterdir()) == ['folds.json', 'model']
    p = cli('train', '--data', DATA/'lgg', '--out', r, '--preset', 'tiny')     # a finished run: refused before its report is replaced
    assert p.returncode == 1 and 'already holds a run' in p.stderr, p.stderr[-2000:]
    assert all(f.read_bytes() == b for f,b in before.items())
    m0 = (r/'metrics.json').read_bytes()
    p = cli('train', '--data', DATA/'lgg', '--out', r, '--resume')              # finished: nothing to resume, nothing rewritten
    assert p.returncode == 0 and 'the run has finished' in p.stdout and 'nothing to resume' in p.stdout, p.stdout + p.stderr[-2000:]
    assert (r/'metrics.json').read_bytes() == m0 and not (r/'train-resumed.ipynb').exists()
    import nbformat                                                          # its job failed after the model was saved (its report):
    nb = nbformat.read(r/'train.ipynb', as_version=4)                        # a resume runs it to its end
    [c for c in nb.cells if c.cell_type == 'code'][-1].outputs = [nbformat.v4.new_output('error', ename='DataError', evalue='x.tif: bad', traceback=[])]
    nbformat.write(nb, r/'train.ipynb')
    p = cli('train', '--data', DATA/'lgg', '--out', r, '--resume')
    assert p.returncode == 0 and 'run written to' in p.stdout and (r/'train-resumed.ipynb').exists(), p.stdout + p.stderr[-2000:]
    for args,words in ((('--context', '-1'), '--context must be a whole number from 0 to 8'),
                       (('--target', 'multiclass'), '--target does not apply to lgg data')):
        p = cli('train', '--data', DATA/'lgg', '--out', tmp_path/'n', '--preset', 'tiny', *args)
        assert p.returncode == 1 and words in p.stderr and 'Traceback' not in p.stderr, p.stderr[-2000:]
    (tmp_path/'other').mkdir(); (tmp_path/'other'/'summary.csv').write_text('input\n')   # e.g. a predict output: not mixed into
    p = cli('train', '--data', DATA/'lgg', '--out', tmp_path/'other', '--preset', 'tiny')
    assert p.returncode == 1 and 'holds other files (summary.csv)' in p.stderr, p.stderr[-2000:]
    assert sorted(x.name for x in (tmp_path/'other').iterdir()) == ['summary.csv']
    (tmp_path/'afile').write_text('x')
    p = cli('train', '--data', DATA/'lgg', '--out', tmp_path/'afile'/'sub', '--preset', 'tiny')
    assert p.returncode == 1 and 'which is a file, not a folder' in p.stderr and 'Traceback' not in p.stderr, p.stderr[-2000:]
    p = cli('evaluate', '--model', r, '--data', tmp_path/'nodata', '--out', tmp_path/'e')   # the run folder is taken (its model/) ...
    assert p.returncode == 1 and 'is not a TumorTrace model folder' not in p.stderr and 'nodata' in p.stderr, p.stderr[-2000:]   # ... the data refused

def test_ctrl_c_says_one_line_and_leaves_the_run_marked(tmp_path):
    "SIGINT (Ctrl-C) during training: one line on stderr, no traceback, exit 130; the run folder carries INCOMPLETE and no model."
    import signal, time
    p = subprocess.Popen(CLI + ['train', '--data', str(DATA/'lgg'), '--out', str(tmp_path/'r'), '--preset', 'tiny', '--epochs', '500', '--quiet'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))   # as a terminal's foreground job
    t0 = time.time()
    while not (tmp_path/'r'/'history.csv').exists() and time.time() - t0 < 240: time.sleep(0.5)   # training has begun
    p.send_signal(signal.SIGINT)
    out,err = p.communicate(timeout=120)
    assert p.returncode == 130 and err.strip().splitlines()[-1] == 'interrupted' and 'Traceback' not in err, err[-2000:]
    assert (tmp_path/'r'/'INCOMPLETE').exists() and not (tmp_path/'r'/'model').exists()

@pytest.mark.parametrize('job,params,msg', [('train', ['-p', 'epochs', '1.5'], '--epochs (epochs=) must be a whole number, not 1.5'),
                                            ('evaluate', ['-p', 'tta', 'no', '-p', 'model', str(ROOT/'data'/'models'/'lgg_sample')], "--tta (tta=) must be True or False, not 'no'")])
def test_job_run_by_papermill_refuses_a_mistyped_option(tmp_path, job, params, msg):
    "A job run by papermill (its `-p` values arrive as papermill parses them) refuses an option of the wrong kind before writing anything."
    r = subprocess.run([sys.executable, '-m', 'papermill', str(ROOT/'tumortrace'/'jobs'/f'{job}.ipynb'), str(tmp_path/'out.ipynb'),
                        '-p', 'data', str(DATA/'lgg'), '-p', 'out', str(tmp_path/'o'), *params], capture_output=True, text=True, timeout=600)
    assert r.returncode != 0 and 'OptionError' in r.stderr and msg in r.stderr, r.stderr[-2000:]
    assert not (tmp_path/'o').exists()

def test_job_without_its_folders_says_so(tmp_path):
    "A job run by papermill without its data or output folder is refused by name (no default folder that only works from the package)."
    r = subprocess.run([sys.executable, '-m', 'papermill', str(ROOT/'tumortrace'/'jobs'/'evaluate.ipynb'), str(tmp_path/'out.ipynb'), '-p', 'data', str(DATA/'lgg')],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode != 0 and 'the evaluate job needs model, out: papermill evaluate.ipynb OUT.ipynb -p model MODEL' in r.stderr, r.stderr[-2000:]
