"BraTS regions across label generations: a model trained on BraTS 2021 labels scored on the same cases with BraTS 2015 names and labels."
import json, subprocess, sys
import pandas as pd, pytest

CLI = [sys.executable, '-m', 'tumortrace.cli']

def run(*args, ok=True):
    r = subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, timeout=900)
    assert (r.returncode == 0) == ok, (r.stdout + r.stderr)[-3000:]
    return r

def test_brats_generations_scored_by_regions(tmp_path):
    "Each side's labels give the regions: the 2015 copy of the cases scores as the 2021 one, region by region; a missing sequence is refused before the job."
    from tumortrace.synthetic import write_brats
    for i in range(6):                                       # oedema outside, necrosis, enhancing inside: labels 2, 1, 4 in both generations
        write_brats(tmp_path/'b21', f'BraTS_{i:04d}', (48, 48, 12), 'modern', (2, 1, 4), seed=i)
        write_brats(tmp_path/'b15', f'BraTS_{i:04d}', (48, 48, 12), '2015', (2, 1, 4), seed=i)   # FLAIR and T1c only
    run('train', '--data', tmp_path/'b21', '--out', tmp_path/'run', '--preset', 'tiny', '--epochs', '15', '--target', 'multiclass',
        '--modalities', 'flair,t1ce', '--quiet')
    assert json.loads((tmp_path/'run'/'model'/'config.json').read_text())['regions'] == {'WT':[1, 2, 4], 'TC':[1, 4], 'ET':[4]}
    for d in ('b21', 'b15'):
        run('evaluate', '--model', tmp_path/'run', '--data', tmp_path/d, '--out', tmp_path/f'ev_{d}', '--patients', 'all', '--postprocess', 'none', '--quiet')
    a,b = (pd.read_csv(tmp_path/f'ev_{d}'/'per_patient.csv').set_index('patient') for d in ('b21', 'b15'))
    cols = ['dice', 'dice_WT', 'dice_TC', 'dice_ET', 'hd95_ET_mm']
    assert a['dice_ET'].mean() > .5 and a[cols].round(6).equals(b[cols].round(6))   # 2015's non-enhancing (3) would have been ET by 2021's numbers
    run('train', '--data', tmp_path/'b21', '--out', tmp_path/'run4', '--preset', 'tiny', '--epochs', '1', '--target', 'multiclass', '--quiet')
    r = run('evaluate', '--model', tmp_path/'run4', '--data', tmp_path/'b15', '--out', tmp_path/'ev4', '--patients', 'all', '--quiet', ok=False)
    assert "has no 't1' modality" in r.stderr and not (tmp_path/'ev4'/'evaluate.ipynb').exists()   # refused before the job

def test_brats_2024_cavity_not_tumour(tmp_path):
    "BraTS 2024 post-treatment gliomas (`--generation 2024`): the resection cavity is learnt as a class of its own and left out of every tumour number (evaluate, cv, predict, score, inspect)."
    import numpy as np
    from tumortrace.synthetic import write_brats
    from tumortrace.io import read_brats_case
    from tumortrace.evaluate import load_prediction
    d = tmp_path/'b24'
    for i in range(6): write_brats(d, f'BraTS-GLI-{i:05d}-100', (48, 48, 12), '2023', (2, 1, 3), seed=i, cavity=4)
    assert "a label 4 is one of BraTS 2024's" in run('inspect', d, '--target', 'multiclass', ok=False).stderr   # its meaning is asked for
    r = run('inspect', d, '--target', 'multiclass', '--generation', '2024')
    truth = {c.case_id:c.mask_volume() for c in (read_brats_case(p, target='multiclass', generation='2024') for p in sorted(d.iterdir()))}
    n_wt = sum(int(np.isin(t, [1, 2, 3]).any((1, 2)).sum()) for t in truth.values())
    assert n_wt < sum(int((t > 0).any((1, 2)).sum()) for t in truth.values()) and f"({n_wt} with tumour)" in r.stdout   # the cavity's own slices are not tumour slices
    run('train', '--data', d, '--out', tmp_path/'run', '--preset', 'tiny', '--epochs', '15', '--target', 'multiclass', '--generation', '2024', '--quiet')
    cfg = json.loads((tmp_path/'run'/'model'/'config.json').read_text())
    assert cfg['reader'] == {'target':'multiclass', 'generation':'2024'} and cfg['regions'] == {'WT':[1, 2, 3], 'TC':[1, 3], 'ET':[3]}
    run('evaluate', '--model', tmp_path/'run', '--data', d, '--out', tmp_path/'ev', '--patients', 'all', '--postprocess', 'none', '--quiet')   # read as the run read
    ev = pd.read_csv(tmp_path/'ev'/'per_patient.csv').set_index('patient')
    pred = {c:load_prediction(tmp_path/'ev'/'predictions', c) for c in ev.index}
    assert sum(int((p == 4).sum()) for p in pred.values()) > 100      # the cavity is predicted: counted as tumour, the checks below fail
    ml = .9 * .9 * 3 / 1000
    assert (ev['dice'] == ev['dice_WT']).all() and ev['dice'].mean() > .7
    for c in ev.index:
        assert ev.loc[c, 'volume_true_ml'] == pytest.approx(np.isin(truth[c], [1, 2, 3]).sum() * ml)
        assert ev.loc[c, 'volume_pred_ml'] == pytest.approx(np.isin(pred[c], [1, 2, 3]).sum() * ml)
    run('predict', d, '--model', tmp_path/'run', '--out', tmp_path/'pr', '--no-postprocess', '--quiet')
    pr = pd.read_csv(tmp_path/'pr'/'summary.csv')
    pr.index = [p.split('/')[-1] for p in pr['input']]
    assert all(pr.loc[c, 'tumour_pixels'] == np.isin(pred[c], [1, 2, 3]).sum() for c in ev.index)   # the tumour's volume, not the cavity's
    run('score', '--pred', tmp_path/'pr', '--data', d, '--out', tmp_path/'sc', '--target', 'multiclass', '--generation', '2024', '--quiet')
    sc = pd.read_csv(tmp_path/'sc'/'per_patient.csv').set_index('patient').loc[ev.index]
    cols = ['dice', 'dice_WT', 'dice_TC', 'dice_ET', 'volume_true_ml', 'volume_pred_ml']
    assert sc[cols].round(6).equals(ev[cols].round(6))
    run('score', '--pred', tmp_path/'pr', '--data', d, '--out', tmp_path/'scw', '--generation', '2024', '--quiet')   # one tumour class: labels 1-3
    scw = pd.read_csv(tmp_path/'scw'/'per_patient.csv').set_index('patient').loc[ev.index]
    assert np.allclose(scw['dice'], ev['dice']) and np.allclose(scw['volume_pred_ml'], ev['volume_pred_ml'])   # the predicted cavity is not tumour
    run('evaluate', '--model', tmp_path/'run', '--data', d, '--out', tmp_path/'evl', '--patients', 'all', '--postprocess', 'largest', '--quiet')
    for c in ev.index:                                                  # post-processing acts on the tumour: the cavity is left as predicted
        big = load_prediction(tmp_path/'evl'/'predictions', c)
        assert (big == 4).sum() == (pred[c] == 4).sum() > 0 and np.isin(big, [1, 2, 3]).sum() > 0
    for i in range(6): write_brats(tmp_path/'b23', f'BraTS-GLI-{i:05d}-000', (48, 48, 12), '2023', (2, 1, 3), seed=i)   # a 2023 set: no cavity
    run('train', '--data', tmp_path/'b23', '--out', tmp_path/'run23', '--preset', 'tiny', '--epochs', '10', '--target', 'multiclass', '--quiet')
    r = run('evaluate', '--model', tmp_path/'run23', '--data', d, '--out', tmp_path/'ev23', '--patients', 'all', '--quiet', ok=False)
    assert '--generation 2024' in r.stderr                               # the 2023 model's reading refuses label 4, and says how
    run('evaluate', '--model', tmp_path/'run23', '--data', d, '--out', tmp_path/'ev23', '--patients', 'all', '--generation', '2024', '--quiet')
    e23 = pd.read_csv(tmp_path/'ev23'/'per_patient.csv').set_index('patient')
    assert (e23['dice'] == e23['dice_WT']).all() and all(e23.loc[c, 'volume_true_ml'] == pytest.approx(np.isin(truth[c], [1, 2, 3]).sum() * ml) for c in truth)
    run('cv', '--data', d, '--out', tmp_path/'cv', '--folds', '2', '--preset', 'tiny', '--epochs', '20', '--target', 'multiclass', '--generation', '2024', '--quiet')
    cv = pd.read_csv(tmp_path/'cv'/'cv_per_patient.csv')
    assert json.loads((tmp_path/'cv'/'model'/'config.json').read_text())['reader']['generation'] == '2024'
    assert len(cv) == 6 and (cv['dice'] == cv['dice_WT']).all() and (cv['dice_raw'] == cv['dice_WT']).all()
    assert all(cv.set_index('patient').loc[c, 'volume_true_ml'] == pytest.approx(np.isin(truth[c], [1, 2, 3]).sum() * ml) for c in truth)
