"Outputs never overwrite inputs, checkpoints survive a kill, and every option's default lives in one place."
import ast, inspect, json, subprocess, sys, textwrap
from pathlib import Path
import pandas as pd, pytest
from conftest import DATA, ROOT, SAMPLE_MODEL

CLI = [sys.executable, '-m', 'tumortrace.cli']

def _job_params(name):
    "The parameters cell of a packaged job as {name: default}."
    nb = json.loads((ROOT/'tumortrace'/'jobs'/f'{name}.ipynb').read_text())
    cell = next(c for c in nb['cells'] if 'parameters' in c['metadata'].get('tags', []))
    tree = ast.parse(''.join(cell['source']))
    return {n.target.id: ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.AnnAssign)}

def test_cli_and_job_defaults_are_the_library_defaults():
    from tumortrace.cli import _parser, TRAIN_OPTIONS
    from tumortrace.train import train
    args = vars(_parser().parse_args(['train', '--data', 'd', '--out', 'o']))
    sig = inspect.signature(train).parameters
    for k in TRAIN_OPTIONS:
        assert args[k] is None, f'--{k} has a default of its own ({args[k]!r}); train() has {sig[k].default!r}'
    job = _job_params('train')
    assert set(TRAIN_OPTIONS) <= set(job), set(TRAIN_OPTIONS) - set(job)
    for k in TRAIN_OPTIONS: assert job[k] is None, f'the train job sets {k}={job[k]!r}; train() has {sig[k].default!r}'
    help = subprocess.run(CLI + ['train', '--help'], capture_output=True, text=True).stdout
    h = ' '.join(help.split())                                              # the help shows the library's defaults
    assert "(see `PRESETS`; None: 'cpu', or a resumed run's)" in h and '(default: 42)' in h

def test_evaluate_defaults_are_the_library_defaults():
    from tumortrace.cli import _parser, EVALUATE_OPTIONS
    from tumortrace.evaluate import evaluate
    args = vars(_parser().parse_args(['evaluate', '--model', 'm', '--data', 'd', '--out', 'o']))
    assert all(args[k] is None for k in EVALUATE_OPTIONS)
    job = _job_params('evaluate')
    assert all(job[k] is None for k in EVALUATE_OPTIONS)
    assert {k:inspect.signature(evaluate).parameters[k].default for k in EVALUATE_OPTIONS} == dict(postprocess='auto', tta=False, patients='auto', precision='auto', generation=None)

def test_predict_defaults_are_the_library_defaults():
    from tumortrace.cli import _parser, PREDICT_OPTIONS
    from tumortrace.inference import predict_paths
    args = vars(_parser().parse_args(['predict', '--model', 'm', 'x.png', '--out', 'o']))
    assert all(args[k] is None for k in PREDICT_OPTIONS)        # predict_paths' own defaults apply
    assert _parser().parse_args(['predict', '--model', 'm', 'x.png', '--out', 'o', '--postprocess', 'fill']).postprocess_spec == 'fill'   # evaluate's name too
    sig = inspect.signature(predict_paths).parameters
    assert {k:sig[k].default for k in PREDICT_OPTIONS} == dict(tta=False, postprocess_spec=None, uncertainty=False, probabilities=False, part=None, skip_done=False)

@pytest.mark.parametrize('argv,msg', [
    (['--epochs', '0'], '--epochs must be at least 1'), (['--epochs', '-3'], '--epochs must be at least 1'),
    (['--bs', '0'], '--bs must be at least 1'), (['--size', '100'], '--size must be a multiple of 32'),
    (['--size', '16'], '--size must be a multiple of 32'), (['--lr', '0'], '--lr must be positive'),
    (['--group', '.+_[0-9]+'], 'capture group'),
    (['--patch', '48'], '--patch must be a multiple of 32'), (['--patch', '160'], '--patch must be smaller than the training size (160)'),
    (['--valid-pct', '0.9'], '--valid-pct/--test-pct: 6 patients are too few for valid_pct=0.9'),
])
def test_train_refuses_bad_numbers(tmp_path, argv, msg):
    r = subprocess.run(CLI + ['train', '--data', str(DATA/'lgg'), '--out', str(tmp_path/'r'), '--quiet'] + argv,
                       capture_output=True, text=True)
    assert r.returncode == 1 and msg in r.stderr and 'Traceback' not in r.stderr, r.stderr[-1500:]
    assert len(r.stderr.strip().splitlines()) == 1 and not (tmp_path/'r').exists()

def test_cv_refuses_jobs_0_before_its_job(tmp_path):
    r = subprocess.run(CLI + ['cv', '--data', str(DATA/'lgg'), '--out', str(tmp_path/'cv'), '--jobs', '0', '--quiet'], capture_output=True, text=True)
    assert r.returncode == 1 and '--jobs must be at least 1, not 0' in r.stderr and not (tmp_path/'cv').exists(), r.stderr[-1500:]

@pytest.mark.parametrize('cmd', ['train', 'predict'])
def test_out_inside_the_data_is_refused(tmp_path, cmd):
    import shutil
    data = tmp_path/'lgg'; shutil.copytree(DATA/'lgg'/'TCGA_CS_4942_19970222', data/'TCGA_CS_4942_19970222')
    before = sorted((p.name, p.stat().st_size) for p in data.rglob('*'))
    pat = data/'TCGA_CS_4942_19970222'
    for out in (data, pat, data/'runs'/'r') if cmd == 'train' else (data, pat, pat/'preds'):
        argv = (['train', '--data', str(data), '--out', str(out), '--epochs', '1', '--quiet'] if cmd == 'train' else
                ['predict', '--model', str(SAMPLE_MODEL), str(data/'TCGA_CS_4942_19970222'), '--out', str(out), '--quiet'])
        r = subprocess.run(CLI + argv, capture_output=True, text=True)
        assert r.returncode == 1 and ('inside' in r.stderr or 'holds the input folder' in r.stderr) and 'Traceback' not in r.stderr, r.stderr[-1500:]
    assert sorted((p.name, p.stat().st_size) for p in data.rglob('*')) == before

def test_out_an_existing_file_is_refused(tmp_path):
    (tmp_path/'f').write_text('x')
    r = subprocess.run(CLI + ['train', '--data', str(DATA/'lgg'), '--out', str(tmp_path/'f'), '--quiet'], capture_output=True, text=True)
    assert r.returncode == 1 and 'is an existing file' in r.stderr and 'Traceback' not in r.stderr, r.stderr

KILLER = textwrap.dedent('''
    import os, sys
    from pathlib import Path
    import torch
    real, n = torch.save, [0]
    def dying(obj, file, *a, **k):
        if Path(file).name.startswith('.last') or Path(file).name.startswith('last'):
            n[0] += 1
            if n[0] == 2:                       # the second epoch's last.pth: half written, then the process dies
                Path(file).write_bytes(b'PK' + bytes(100)); os._exit(9)
        return real(obj, file, *a, **k)
    torch.save = dying
    from tumortrace.train import train
    train(sys.argv[1], sys.argv[2], preset='tiny', epochs=3, size=32)
''')

def test_kill_while_saving_a_checkpoint_then_resume(tmp_path):
    from tumortrace.synthetic import write_lgg
    from tumortrace.train import train
    data = write_lgg(tmp_path/'data', n_patients=5, size=48, n_slices=6)
    run = tmp_path/'run'
    r = subprocess.run([sys.executable, '-c', KILLER, str(data), str(run)], capture_output=True, text=True)
    assert r.returncode == 9, r.stderr[-2000:]
    assert json.loads((run/'checkpoints'/'last.json').read_text())['epoch'] == 0      # the checkpoint of epoch 0 is whole
    assert list(pd.read_csv(run/'history.csv')['epoch']) == [0, 1]                   # epoch 1 was logged, not saved
    train(data, run, preset='tiny', epochs=3, size=32, resume=True)                  # loses epoch 1 only
    assert list(pd.read_csv(run/'history.csv')['epoch']) == [0, 1, 2]                # no duplicate rows

def test_killed_job_says_one_line(tmp_path, monkeypatch, capsys):
    import nbformat, tumortrace.cli as cli
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('import os, signal; os.kill(os.getpid(), signal.SIGKILL)'),
                                         nbformat.v4.new_code_cell('print("never runs")')])
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'python3', 'language': 'python'}
    f = tmp_path/'kill.ipynb'; nbformat.write(nb, str(f))
    monkeypatch.setattr(cli, 'job_path', lambda name: f)
    rc = cli.run_job('train', tmp_path/'out'/'train.ipynb', {}, progress=False)
    err = capsys.readouterr().err
    assert rc == 1 and 'the train job stopped: its kernel died' in err and str(tmp_path/'out'/'train.ipynb') in err, err
    assert len(err.strip().splitlines()) == 1

def test_lab_finds_its_own_jupyterlab_and_runs_as_root():
    import os
    r = subprocess.run(CLI + ['lab', '--dry-run'], capture_output=True, text=True, env={**os.environ, 'PATH': '/usr/bin:/bin'})
    assert r.returncode == 0 and Path(r.stdout.split()[0]).resolve() == (Path(sys.executable).parent/'jupyter-lab').resolve(), r.stdout + r.stderr
    assert ('--allow-root' in r.stdout) == (os.geteuid() == 0)

def test_report_refuses_an_incomplete_evaluation(tmp_path, sample_eval):
    import shutil
    ev = tmp_path/'eval'; shutil.copytree(sample_eval, ev)
    (ev/'report.html').unlink(missing_ok=True)            # another test may have rendered the shared evaluation
    (ev/'INCOMPLETE').write_text('an evaluation started but has not finished (killed or failed): its files may be partial\n')
    r = subprocess.run(CLI + ['report', str(ev)], capture_output=True, text=True)
    assert r.returncode == 1 and 'is incomplete' in r.stderr and not (ev/'report.html').exists(), r.stderr[-1500:]
    assert not (sample_eval/'INCOMPLETE').exists()       # a finished evaluation carries no marker

def test_demo_scores_its_unseen_test_patient_and_writes_the_report(tmp_path):
    "`tumortrace demo` (here the tiny recipe, 1 epoch) prints the test patient's Dice, not only the validation one's."
    r = subprocess.run(CLI + ['demo', '--out', str(tmp_path/'demo'), '--preset', 'tiny', '--epochs', '1', '--size', '96'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    run = tmp_path/'demo'/'train'
    assert json.loads((run/'model'/'config.json').read_text())['size'] == 96     # --size trains at that size (tiny's own: 64)
    test = json.loads((run/'split.json').read_text())['test']
    s = json.loads((run/'eval'/'summary.json').read_text())
    assert s['patients'] == 'test' and s['n_patients'] == len(test) == 1
    assert f"unseen test patient ({test[0]}): per-patient Dice {s['dice_mean']:.3f}" in r.stdout, r.stdout[-2000:]
    assert 'the last epoch kept: one validation patient is too few to choose one' in r.stdout      # (metrics.json: epoch_kept)
    assert json.loads((run/'metrics.json').read_text())['epoch_kept'] == 'last'
    # beside it, the bundled model (trained on 65 other patients) scored on the same patient and on all six it never saw
    b = pd.read_csv(tmp_path/'demo'/'bundled_model'/'per_patient.csv').set_index('patient')['dice']
    assert len(b) == 6 and b[test[0]] > 0.7, b
    assert f"the bundled model (the cpu preset trained on 65 other patients; data/models/README.md): Dice {b[test[0]]:.3f} on the same patient, mean {b.mean():.3f} on all 6" in r.stdout, r.stdout[-2000:]
    assert (run/'report.html').stat().st_size > 10_000 and str(run/'report.html') in r.stdout
    html = (run/'report.html').read_text()
    assert html.index('Per patient, worst first') < html.index('Learning curves')    # the result leads
    assert '<details><summary>training log' in html                                 # the per-epoch log is folded away

def test_time_budget_fits_the_schedule_and_resume_keeps_it(tmp_path, capsys):
    "A budget spent by the first epoch ends the schedule there; resuming (even asking for more epochs) keeps that schedule."
    from tumortrace.synthetic import write_lgg
    from tumortrace.train import train
    from tumortrace.cli import main
    data = write_lgg(tmp_path/'data', n_patients=5, size=48, n_slices=6)
    run = tmp_path/'run'
    train(data, run, preset='tiny', epochs=4, size=32, max_minutes=1e-4)
    state = json.loads((run/'checkpoints'/'last.json').read_text())
    assert (state['epoch'], state['n_epoch'], state['fitted']) == (0, 1, True) and state['budget_used_s'] > 0
    assert json.loads((run/'metrics.json').read_text())['schedule_epochs'] == 1
    assert main(['train', '--data', str(data), '--out', str(run), '--resume', '--epochs', '6', '--quiet']) == 0
    assert 'fitted to its time budget (--max-minutes) and cannot be extended' in capsys.readouterr().out   # not "pass a larger --epochs"
    train(data, run, preset='tiny', epochs=6, size=32, resume=True)
    assert list(pd.read_csv(run/'history.csv')['epoch']) == [0]
    run2 = tmp_path/'run2'                                                           # no budget: the schedule as asked
    train(data, run2, preset='tiny', epochs=2, size=32)
    assert json.loads((run2/'checkpoints'/'last.json').read_text())['fitted'] is False
    train(data, run2, preset='tiny', epochs=3, size=32, resume=True)                 # and a resume may extend it
    assert list(pd.read_csv(run2/'history.csv')['epoch']) == [0, 1, 2]
