"An nnU-Net / Medical Segmentation Decathlon data set end to end through the CLI: inspect, train, predict imagesTs/, evaluate."
import json, re, subprocess, sys
import nibabel as nib, numpy as np, pandas as pd, pytest

CLI = [sys.executable, '-m', 'tumortrace.cli']

def run(*args):
    r = subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    return r

@pytest.fixture(scope='module')
def nn(tmp_path_factory):
    from tumortrace.synthetic import write_nnunet
    root = tmp_path_factory.mktemp('nn')
    return write_nnunet(root/'v2', 'v2', n_cases=6, n_test=2), write_nnunet(root/'msd', 'msd', n_cases=6, n_test=2)

def test_inspect_reads_both_storages_alike(nn):
    a,b = (json.loads(run('inspect', d, '--json').stdout) for d in nn)
    assert a['layout'] == b['layout'] == 'nnunet' and a['channels'] == b['channels'] == ['FLAIR', 'T1w', 't1gd', 'T2w']
    assert (a['n_cases'], a['n_slices'], a['n_tumour_slices']) == (b['n_cases'], b['n_slices'], b['n_tumour_slices']) == (6, 60, a['n_tumour_slices'])

def test_train_predict_evaluate(nn, tmp_path):
    "A model of two of the four sequences, trained on nnU-Net's files, predicts either storage's imagesTs/ in each input's own grid, and evaluates."
    v2,msd = nn
    run('train', '--data', v2, '--out', tmp_path/'run', '--preset', 'tiny', '--epochs', '1', '--size', '32', '--modalities', 'FLAIR,T2w', '--quiet')
    cfg = json.loads((tmp_path/'run'/'model'/'config.json').read_text())
    assert (cfg['layout'], cfg['channel_names'], cfg['voxel_order']) == ('nnunet', ['FLAIR', 'T2w'], 'PLS')
    for data,first in ((v2, '{}_0000.nii.gz'), (msd/'imagesTs', '{}.nii.gz')):   # a data set's root: its imagesTs/; or the folder itself
        out = tmp_path/'pred'/data.parts[-2 if data.name == 'imagesTs' else -1]
        run('predict', '--model', tmp_path/'run'/'model', data, '--out', out, '--quiet')
        s = pd.read_csv(out/'summary.csv')
        assert list(s['status']) == ['ok', 'ok'] and sorted(s['output'].map(lambda p: p.split('/')[-1])) == ['BRATS_007_seg.nii.gz', 'BRATS_008_seg.nii.gz']
        for cid in ('BRATS_007', 'BRATS_008'):
            m,i = nib.load(str(out/f'{cid}_seg.nii.gz')), nib.load(str((v2 if data == v2 else msd)/'imagesTs'/first.format(cid)))
            assert m.shape == i.shape[:3] and np.allclose(m.affine, i.affine) and set(np.unique(np.asarray(m.dataobj))) <= {0, 1}
    pv2,pmsd = (np.asarray(nib.load(str(tmp_path/'pred'/d/'BRATS_007_seg.nii.gz')).dataobj) for d in ('v2', 'msd'))
    assert np.array_equal(pv2, pmsd)                          # the same case stored either way: the same mask
    from tumortrace.model import load_model
    m = load_model(tmp_path/'run'/'model')                    # the library reads a case's file as the CLI does
    assert np.array_equal(m.predict(v2/'imagesTs'/'BRATS_007_0000.nii.gz'), pv2) and np.array_equal(m.predict(msd/'imagesTs'/'BRATS_007.nii.gz'), pv2)
    run('predict', '--model', tmp_path/'run'/'model', *sorted((v2/'imagesTs').glob('*.nii.gz')), '--out', tmp_path/'pred'/'glob', '--quiet')
    s = pd.read_csv(tmp_path/'pred'/'glob'/'summary.csv')     # a shell glob over imagesTs/: each case once, by its _0000 file
    assert sorted(s['input'].map(lambda p: p.split('/')[-1])) == ['BRATS_007_0000.nii.gz', 'BRATS_008_0000.nii.gz'] and set(s['status']) == {'ok'}
    run('evaluate', '--model', tmp_path/'run'/'model', '--data', v2, '--out', tmp_path/'ev', '--patients', 'all', '--quiet')
    s = json.loads((tmp_path/'ev'/'summary.json').read_text())
    assert s['n_patients'] == 6 and s['hd95_unit'] == 'mm'

def test_multiclass_regions(nn, tmp_path):
    "A multi-class model of a Decathlon brain-tumour set is scored by BraTS's regions (WT, TC, ET, from dataset.json's label names) in evaluate and cv; region-based labels train a class per value."
    from tumortrace.synthetic import write_nnunet
    v2,msd = nn[0], write_nnunet(tmp_path/'msd48', 'msd', n_cases=6, n_test=1, shape=(48, 48, 12))   # enhancing tumour of 30-100 voxels
    run('train', '--data', msd, '--out', tmp_path/'run', '--preset', 'tiny', '--epochs', '15', '--target', 'multiclass', '--quiet')
    cfg = json.loads((tmp_path/'run'/'model'/'config.json').read_text())
    assert cfg['regions'] == {'WT':[1, 2, 3], 'TC':[2, 3], 'ET':[3]} and cfg['n_out'] == 4
    r = run('evaluate', '--model', tmp_path/'run', '--data', msd, '--out', tmp_path/'ev', '--patients', 'all', '--quiet')
    assert 'by region (mean Dice): WT' in r.stdout
    pp,s = pd.read_csv(tmp_path/'ev'/'per_patient.csv'), json.loads((tmp_path/'ev'/'summary.json').read_text())
    assert np.allclose(pp['dice_WT'], pp['dice']) and s['regions'] == cfg['regions']          # the whole tumour is WT
    assert s['dice_mean'] > .85 and s['dice_TC_mean'] > .6 and s['dice_ET_mean'] > .5 and s['hd95_ET_n'] >= 5   # learnt, and each region scored
    assert (pp['dice_ET'] <= pp['dice_WT'] + .5).all() and not np.allclose(pp['dice_ET'], pp['dice_WT'])   # ... as a region of its own
    run('predict', '--model', tmp_path/'run', msd, '--out', tmp_path/'pred', '--quiet')
    assert set(np.unique(np.asarray(nib.load(str(tmp_path/'pred'/'BRATS_007_seg.nii.gz')).dataobj))) == {0, 1, 2, 3}   # the label values
    run('predict', '--model', tmp_path/'run', msd/'imagesTr', '--out', tmp_path/'predtr', '--quiet')   # scored without the model: as evaluate scored
    run('predict', '--model', tmp_path/'run', msd/'imagesTs', '--out', tmp_path/'pprob', '--probabilities', '--no-postprocess', '--quiet')
    pr,sg = (nib.load(str(tmp_path/'pprob'/f'BRATS_007_{k}.nii.gz')) for k in ('probs', 'seg'))
    a = pr.get_fdata()                                            # (X, Y, Z, K), each class's probability, 0-1 in steps of 1/255
    assert a.shape == sg.shape + (4,) and np.allclose(pr.affine, sg.affine) and np.abs(a.sum(-1) - 1).max() < .01
    assert (a.argmax(-1) == np.asarray(sg.dataobj)).mean() > .999        # the mask is their argmax (label values 0-3 here)
    r = run('score', '--pred', tmp_path/'predtr', '--data', msd, '--out', tmp_path/'sc', '--target', 'multiclass')
    sc = pd.read_csv(tmp_path/'sc'/'per_patient.csv').set_index('patient').loc[pp['patient']]
    for k in ('dice', 'dice_TC', 'dice_ET', 'hd95_ET_mm'): assert np.allclose(sc[k], pp[k], equal_nan=True), k
    assert 'by region (mean Dice): WT' in r.stdout
    r = run('cv', '--data', msd, '--out', tmp_path/'cv', '--folds', '2', '--preset', 'tiny', '--epochs', '15', '--target', 'multiclass', '--quiet')
    cv,cs = pd.read_csv(tmp_path/'cv'/'cv_per_patient.csv'), json.loads((tmp_path/'cv'/'cv_summary.json').read_text())
    assert len(cv) == 6 and np.allclose(cv['dice_WT'], cv['dice']) and sorted(cs['regions']) == ['ET', 'TC', 'WT'] and 'by region: WT' in r.stdout
    assert cs['regions']['ET']['dice']['n'] == 6 and cs['regions']['ET']['hd95_unit'] == 'mm'
    sj = tmp_path/'cv'/'fold_0'/'scores.json'; j = json.loads(sj.read_text())   # a fold scored before regions were: scored again by --resume
    j['rows'] = [{k:v for k,v in r.items() if not re.search(r'_(WT|TC|ET)(_|$)', k)} for r in j['rows']]; sj.write_text(json.dumps(j))
    run('cv', '--data', msd, '--out', tmp_path/'cv', '--resume', '--quiet')
    assert json.loads((tmp_path/'cv'/'cv_summary.json').read_text())['regions']['ET']['dice']['n'] == 6 and 'dice_ET' in json.loads(sj.read_text())['rows'][0]
    js = json.loads((v2/'dataset.json').read_text())                 # nnU-Net v2's region-based labels: a class per label value, the regions as given
    rg = tmp_path/'rg'; import shutil; shutil.copytree(v2, rg)
    (rg/'dataset.json').write_text(json.dumps(dict(js, labels={'background':0, 'whole tumor':[1, 2, 3], 'tumor core':[2, 3], 'enhancing tumor':3})))
    run('train', '--data', rg, '--out', tmp_path/'rgrun', '--preset', 'tiny', '--epochs', '1', '--size', '32', '--target', 'multiclass', '--quiet')
    cfg = json.loads((tmp_path/'rgrun'/'model'/'config.json').read_text())
    assert cfg['regions'] == {'WT':[1, 2, 3], 'TC':[2, 3], 'ET':[3]} and cfg['labels']['3'] == 'label 3 (whole tumor, tumor core, enhancing tumor)'

def test_label_values_above_255(nn, tmp_path):
    "nnU-Net allows any label values: a set whose enhancing tumour is 300 is read, trained, and predicted back in its own values (uint16), not wrapped to 44."
    import shutil
    d = tmp_path/'nn300'; shutil.copytree(nn[0], d)
    js = json.loads((d/'dataset.json').read_text())
    js['labels'] = {k:(300 if v == 3 else v) for k,v in js['labels'].items()}; (d/'dataset.json').write_text(json.dumps(js))
    for f in (d/'labelsTr').glob('*.nii.gz'):
        x = nib.load(str(f)); a = np.asarray(x.dataobj).astype(np.int16); a[a == 3] = 300
        nib.save(nib.Nifti1Image(a, x.affine), str(f))
    assert json.loads(run('inspect', d, '--json', '--target', 'multiclass').stdout)['n_cases'] == 6
    run('train', '--data', d, '--out', tmp_path/'run', '--preset', 'tiny', '--epochs', '1', '--size', '32', '--target', 'multiclass', '--quiet')
    assert json.loads((tmp_path/'run'/'model'/'config.json').read_text())['label_values'] == [0, 1, 2, 300]
    run('predict', '--model', tmp_path/'run', d, '--out', tmp_path/'pred', '--quiet')
    for f in (tmp_path/'pred').glob('*_seg.nii.gz'):
        m = nib.load(str(f)); assert m.get_data_dtype() == np.uint16 and set(np.unique(np.asarray(m.dataobj))) <= {0, 1, 2, 300}, f

def test_inspect_names_every_bad_case(tmp_path):
    "`inspect` reads an nnU-Net data set on past a case it cannot read: each bad case named with its file, the others checked."
    from tumortrace.synthetic import write_nnunet
    d = write_nnunet(tmp_path/'v2', 'v2', n_cases=4, n_test=0)
    for cid in ('BRATS_002', 'BRATS_004'):                      # a label map one voxel short
        f = d/'labelsTr'/f'{cid}.nii.gz'; x = nib.load(str(f))
        nib.save(nib.Nifti1Image(np.asarray(x.dataobj)[:-1], x.affine), str(f))
    r = subprocess.run(CLI + ['inspect', str(d)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and 'Traceback' not in r.stderr, r.stderr[-2000:]
    assert '2 cases refused' in r.stderr and all(f'BRATS_00{k}_0000.nii.gz: shape' in r.stderr for k in (2, 4)), r.stderr[-2000:]
    assert 'BRATS_001' not in r.stderr and 'BRATS_003' not in r.stderr
    r = subprocess.run(CLI + ['inspect', str(d), '--modalities', 'dwi'], capture_output=True, text=True, timeout=300)   # the data set's error: said once
    assert r.returncode == 1 and r.stderr.count("has no 'dwi' channel") == 1 and 'cases refused' not in r.stderr, r.stderr[-2000:]
