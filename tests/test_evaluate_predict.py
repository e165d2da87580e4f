"Evaluate and predict end to end on the bundled sample, with a model trained by `tumortrace train`."
import json, shutil, subprocess, sys
from pathlib import Path
import numpy as np, pandas as pd, pytest, nibabel as nib
from PIL import Image
from conftest import DATA, SAMPLE_MODEL
from tumortrace.evaluate import PER_PATIENT_COLS

CLI = [sys.executable, '-m', 'tumortrace.cli']
def cli(*args): return subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, timeout=900)

@pytest.fixture(scope='module')
def model_dir(trained_run): return trained_run/'model'

def s_units(df): return {c for c in df.columns if c.endswith(('_mm', '_ml', '_px'))}

def test_evaluate_job(model_dir, tmp_path):
    r = cli('evaluate', '--model', model_dir, '--data', DATA/'lgg', '--out', tmp_path/'eval', '--quiet')
    assert r.returncode == 0, r.stderr[-3000:]
    df = pd.read_csv(tmp_path/'eval'/'per_patient.csv')
    assert list(df.columns[:10]) == [c for c in PER_PATIENT_COLS if not c.endswith(('_mm', '_ml'))]   # LGG: no spacing, units named
    assert s_units(df) == {'hd95_px', 'volume_true_px', 'volume_pred_px'}
    assert sorted(p.stem for p in (tmp_path/'eval'/'predictions').glob('*.npz')) == sorted(df['patient'])   # kept for the gallery
    split = json.loads((model_dir.parent/'split.json').read_text())
    assert sorted(df['patient']) == sorted(split['test'])                     # the run's unseen patients
    s = json.loads((tmp_path/'eval'/'summary.json').read_text())
    for k in ('n_patients', 'dice_mean', 'dice_median', 'iou_mean', 'hd95_mean', 'postprocess', 'raw'):
        assert k in s, k
    assert s['n_patients'] == len(df) and 0 <= s['dice_mean'] <= 1 and 'dice_mean' in s['raw']
    assert np.isclose(s['dice_mean'], df['dice'].mean())
    cfg = json.loads((model_dir/'config.json').read_text())
    assert cfg['postprocess'] == s['postprocess'] and 'none' in cfg['decision']['postprocess_scores']   # chosen by train, on valid
    assert 0 < cfg['threshold'] < 1 and cfg['decision']['patients'] == split['valid']
    t = cfg['tta_decision']                                                    # and the rule for TTA predictions, chosen with TTA
    assert 0 < t['threshold'] < 1 and t['postprocess'] in t['postprocess_scores'] and s['rule'] == 'chosen without TTA'
    before = (model_dir/'config.json').read_bytes()
    r = cli('evaluate', '--model', model_dir, '--data', DATA/'lgg', '--out', tmp_path/'eval2', '--patients', 'all', '--quiet')
    assert r.returncode == 0 and (model_dir/'config.json').read_bytes() == before          # evaluation never rewrites the model
    assert (tmp_path/'eval'/'evaluate.ipynb').exists()

def test_evaluate_counts_tumour_lesions(sample_eval):
    "Each patient's tumour lesions (3-D components, those within 3 voxels one lesion): counted again here from the kept masks and the truth."
    df,s = pd.read_csv(sample_eval/'per_patient.csv'), json.loads((sample_eval/'summary.json').read_text())
    from scipy import ndimage
    from tumortrace.io import read_lgg
    from tumortrace.evaluate import load_prediction
    cube = np.ones((3, 3, 3), bool)
    truth = {c.case_id:c.mask_volume() > 0 for c in read_lgg(DATA/'lgg')}
    for _,r in df.iterrows():
        t,p = truth[r['patient']], load_prediction(sample_eval/'predictions', r['patient']) > 0
        near,nt = ndimage.label(ndimage.binary_dilation(t, cube, iterations=3), cube)
        lp,n_p = ndimage.label(p, cube)
        assert (r['lesions_true'], r['lesions_pred']) == (nt, n_p)
        assert r['lesions_found'] == sum((p & t & (near == i)).any() for i in range(1, nt + 1))
        assert r['lesions_fp'] == sum(not near[lp == j].any() for j in range(1, n_p + 1))
    assert (s['lesions_true'], s['lesions_found']) == (df['lesions_true'].sum(), df['lesions_found'].sum()) == (6, 6)   # one tumour each, every one found
    assert s['raw']['lesions_fp_total'] > s['lesions_fp_total']                # the post-processing chosen removes false specks (rel30: 15 -> 0)

def test_evaluate_tta_applies_the_tta_rule(model_dir, tmp_path):
    "With TTA, evaluate applies the threshold and post-processing `train` chose with TTA; the masks follow that threshold."
    from tumortrace.evaluate import evaluate
    from tumortrace.model import load_model, decide
    from tumortrace.io import read_cases
    m = tmp_path/'model'; shutil.copytree(model_dir, m)
    cfg = json.loads((m/'config.json').read_text())
    cfg['tta_decision'] = dict(threshold=0.2, grow=None, postprocess='fill'); (m/'config.json').write_text(json.dumps(cfg))
    s = evaluate(m, DATA/'lgg', tmp_path/'eval', tta=True, patients='all')
    assert (s['threshold'], s['grow'], s['postprocess'], s['rule']) == (0.2, None, 'fill', 'chosen with TTA')
    sm = load_model(m); c = read_cases(DATA/'lgg')[0]
    mask,p = sm.predict_case(c, tta=True, probs=True)
    assert (mask == decide(p, 0.2)).all()                                      # TTA masks: the TTA rule's threshold

def test_predict_lgg_folder_keeps_geometry(model_dir, tmp_path):
    patient = DATA/'lgg'/'TCGA_HT_7860_19960513'
    r = cli('predict', '--model', model_dir, patient, '--out', tmp_path/'pred', '--tta')   # no --quiet: output into a pipe
    assert r.returncode == 0, r.stderr[-2000:]
    assert '\r' not in r.stdout + r.stderr and '%' not in r.stdout, r.stdout   # no progress bar but on a terminal
    masks = sorted((tmp_path/'pred'/patient.name).glob('*_mask.png'))
    assert len(masks) == len(list(patient.glob('*_mask.tif')))
    m = np.asarray(Image.open(masks[0]))
    assert m.shape == (256, 256) and set(np.unique(m)) <= {0, 1}
    assert (tmp_path/'pred'/f'{patient.name}_overlay.png').exists()
    s = pd.read_csv(tmp_path/'pred'/'summary.csv')
    assert list(s['status']) == ['ok'] and s['n_slices'][0] == len(masks)

def test_predict_warns_of_identical_sequences(model_dir, tmp_path):
    "A patient whose pre-contrast is a copy of FLAIR (the LGG data's filling of a missing sequence) is predicted, with a warning."
    import tifffile
    src = DATA/'lgg'/'TCGA_HT_7860_19960513'; dst = tmp_path/src.name
    shutil.copytree(src, dst)
    for f in dst.glob('*.tif'):
        if not f.name.endswith('_mask.tif'): a = tifffile.imread(f); a[..., 0] = a[..., 1]; tifffile.imwrite(f, a)
    r = cli('predict', '--model', model_dir, dst, '--out', tmp_path/'pred', '--quiet')
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'warning: ' in r.stderr and f'{dst.name}: pre-contrast = FLAIR: the same image' in r.stderr, r.stderr[-2000:]
    s = pd.read_csv(tmp_path/'pred'/'summary.csv')
    assert list(s['status']) == ['ok'] and s['warning'][0].startswith('pre-contrast = FLAIR: the same image')

def test_predict_reports_bad_inputs_and_goes_on(model_dir, tmp_path):
    (tmp_path/'junk.png').write_bytes(b'not a png')
    img = DATA/'lgg'/'TCGA_HT_7860_19960513'/'TCGA_HT_7860_19960513_10.tif'
    r = cli('predict', '--model', model_dir, tmp_path/'junk.png', img, DATA/'brats2015'/'brats_2013_pat0006_1',
            '--out', tmp_path/'pred', '--quiet')
    assert r.returncode == 1
    s = pd.read_csv(tmp_path/'pred'/'summary.csv')
    assert list(s['status'].str[:5]) == ['error', 'ok', 'error']
    assert 'cannot be read' in s['status'][0] and "has no 'pre-contrast' modality" in s['status'][2]
    assert (tmp_path/'pred'/'TCGA_HT_7860_19960513_10_mask.png').exists()

def test_predict_unwritable_output(model_dir, tmp_path):
    (tmp_path/'afile').write_text('x')
    r = cli('predict', '--model', model_dir, DATA/'lgg'/'TCGA_HT_7860_19960513', '--out', tmp_path/'afile'/'out', '--quiet')
    assert r.returncode == 1 and 'afile' in r.stderr

def test_model_folder_errors(tmp_path):
    r = cli('predict', '--model', tmp_path/'nomodel', DATA/'lgg', '--out', tmp_path/'o', '--quiet')
    assert r.returncode == 1 and 'is not a TumorTrace model folder' in r.stderr

def test_predict_wrong_dimensionality(model_dir, tmp_path):
    "A 2-D NIfTI is refused with its file named; a 4-D volume given to the API is refused too."
    aff = np.diag([1., 1., 1., 1.])
    nib.save(nib.Nifti1Image(np.zeros((32, 32), np.float32), aff), str(tmp_path/'flat.nii.gz'))
    r = cli('predict', '--model', model_dir, tmp_path/'flat.nii.gz', '--out', tmp_path/'pred', '--quiet')
    assert r.returncode == 1
    s = pd.read_csv(tmp_path/'pred'/'summary.csv')
    assert 'flat.nii.gz' in s['input'][0] and 'volume is 2-D' in s['status'][0]
    from tumortrace.model import load_model
    with pytest.raises(ValueError, match=r'expected an \(N, H, W, C\) volume'):
        load_model(model_dir).predict_volume(np.zeros((4, 32, 32), np.float32))

def test_evaluate_a_run_on_patients_it_never_had(trained_run, tmp_path):
    "A run's split names patients the new data lacks: the split still chooses nothing here, and every new patient is scored."
    from tumortrace.synthetic import write_lgg
    from tumortrace.evaluate import evaluate
    write_lgg(tmp_path/'other', n_patients=2, size=48, n_slices=4)
    s = evaluate(trained_run, tmp_path/'other', tmp_path/'ev')
    assert s['n_patients'] == 2 and s['patients'] == 'all'
    with pytest.raises(Exception, match="does not hold the run's test patients"):
        evaluate(trained_run, tmp_path/'other', tmp_path/'ev2', patients='test')

def test_evaluate_auto_scores_only_patients_the_run_never_saw(trained_run, tmp_path):
    "Data holding the run's test patients and one it trained on: 'auto' scores the test patients alone; only seen ones: refused."
    from tumortrace.evaluate import evaluate
    from tumortrace.core import DataError
    split = json.loads((trained_run/'split.json').read_text())
    def folder(name, ids):
        d = tmp_path/name; d.mkdir()
        for i in ids: (d/i).symlink_to((DATA/'lgg'/i).resolve())
        return d
    s = evaluate(trained_run, folder('mixed', split['test'] + split['train'][:1]), tmp_path/'ev')
    assert s['patients'] == 'test' and s['n_patients'] == len(split['test'])
    with pytest.raises(DataError, match='holds only patients this model was trained or validated on'):
        evaluate(trained_run, folder('seen', split['train'][:2]), tmp_path/'ev2')
    assert not (tmp_path/'ev2').exists()
    assert evaluate(trained_run, tmp_path/'seen', tmp_path/'ev3', patients='all')['n_patients'] == 2

def test_mask_made_on_the_device_equals_the_cpu_path():
    "The GPU path's decision (`restore_decide`: resize and argmax where the probabilities are) gives the CPU path's masks, on real patients with the bundled model."
    from tumortrace import load_model
    from tumortrace.io import read_cases
    sm = load_model(SAMPLE_MODEL, device='cpu')
    for c in read_cases(DATA/'lgg')[:3]:
        x = sm.prepare_volume(c.volume(), c.brain_volume())
        for tta in (False, True):
            dev,cpu = (sm.predict_volume(None, prepared=x, tta=tta, on_device=o) for o in (True, False))
            assert cpu.any() and dev.shape == cpu.shape == c.mask_volume().shape
            assert (dev != cpu).mean() <= 1e-5, (c.case_id, tta, int((dev != cpu).sum()))  # float rounding at p = 0.5 only (1 pixel in 1.7 M seen)

def test_a_scan_wider_than_high_is_predicted_whole():
    "A real patient's rows cut to 100 of 256 (the brain now wider than the image is high): the crop box reaches past the short side instead of cutting the brain, so the tumour (columns 159-194) is still found, on both decision paths; the cut box gave Dice 0.04."
    from tumortrace import load_model
    from tumortrace.io import read_cases
    sm = load_model(SAMPLE_MODEL, device='cpu')
    c = next(c for c in read_cases(DATA/'lgg') if c.case_id == 'TCGA_HT_7860_19960513')
    vol,t = c.volume(), c.mask_volume() > 0
    def dice(p, t): p = p > 0; return 2 * (p & t).sum() / (p.sum() + t.sum())
    whole = dice(sm.predict_volume(vol), t)
    cut,tc = np.ascontiguousarray(vol[:, 70:170]), t[:, 70:170]
    assert tc.sum() == t.sum()                                       # the cut keeps all the tumour
    x = sm.prepare_volume(cut)
    assert x[1][0] < 0 and x[1][1] > 100 and x[1][3] - x[1][2] == x[1][1] - x[1][0]   # a square box reaching past both edges
    for on_device in (False, True):
        p = sm.predict_volume(None, prepared=x, on_device=on_device)
        assert p.shape == tc.shape and set(np.unique(p)) <= {0, 1}
        assert dice(p, tc) > max(0.8, whole - 0.05), (on_device, dice(p, tc), whole)

def test_predicting_into_a_used_folder_never_takes_another_inputs_name(tmp_path):
    "Two runs into one folder, each with an input named `scan.tif` from another folder: the second gets `scan-2`, the first's mask is kept; predicting the first again keeps its own name; a bad input's error names its file once."
    from tumortrace import load_model
    from tumortrace.inference import predict_paths
    sm,src = load_model(SAMPLE_MODEL, device='cpu'), DATA/'lgg'/'TCGA_HT_7860_19960513'
    for d,k in (('ra', 10), ('rb', 12)): (tmp_path/d).mkdir(); shutil.copy(src/f'{src.name}_{k}.tif', tmp_path/d/'scan.tif')
    out = tmp_path/'pred'
    predict_paths(sm, [tmp_path/'ra'/'scan.tif'], out, progress=False)
    first = np.asarray(Image.open(out/'scan_mask.png'))
    predict_paths(sm, [tmp_path/'rb'/'scan.tif'], out, progress=False)
    assert (np.asarray(Image.open(out/'scan_mask.png')) == first).all() and (out/'scan-2_mask.png').exists()
    predict_paths(sm, [tmp_path/'ra'/'scan.tif'], out, progress=False)
    s = pd.read_csv(out/'summary.csv').set_index('input')
    assert s.loc[str(tmp_path/'ra'/'scan.tif'), 'output'] == str(out/'scan_mask.png')
    assert s.loc[str(tmp_path/'rb'/'scan.tif'), 'output'] == str(out/'scan-2_mask.png') and len(s) == 2
    (tmp_path/'bad.nii.gz').write_bytes(b'junk')
    r = predict_paths(sm, [tmp_path/'bad.nii.gz'], out, progress=False)
    assert r[0]['status'].startswith('error: cannot be read as NIfTI') and r[0]['status'].count('bad.nii.gz') <= 1   # nibabel's own words name it

def test_predict_lgg_uncertainty_per_slice(tmp_path):
    "`--uncertainty` on an LGG patient folder writes one TTA-disagreement PNG per slice beside its mask."
    from tumortrace import load_model
    from tumortrace.inference import predict_paths
    src = DATA/'lgg'/'TCGA_HT_7860_19960513'
    predict_paths(load_model(SAMPLE_MODEL, device='cpu'), [src], tmp_path/'pred', uncertainty=True, progress=False)
    u = sorted((tmp_path/'pred'/src.name).glob('*_uncertainty.png'))
    assert len(u) == len(list(src.glob('*_mask.tif'))) == len(list((tmp_path/'pred'/src.name).glob('*_mask.png')))
    a = np.stack([np.asarray(Image.open(f)) for f in u])
    assert a.shape[1:] == (256, 256) and a.dtype == np.uint8 and a.any()

@pytest.mark.parametrize('version', [1, 2])
def test_nifti_output_header_is_the_masks(tmp_path, version):
    "A mask written from a scan's header keeps its affine, codes and NIfTI version, not its display window or description, without nibabel warnings."
    import warnings
    from tumortrace.inference import _save_nifti
    aff = np.array([[0., -1.2, 0, 90], [0.9, 0, 0, -120], [0, 0, 3., -40], [0, 0, 0, 1]])
    cls = nib.Nifti2Image if version == 2 else nib.Nifti1Image
    scan = cls(np.random.default_rng(0).random((8, 9, 4)).astype(np.float32) * 3000, aff)
    scan.header['cal_max'], scan.header['descrip'] = 3000, b'T1 scan'; scan.set_qform(aff, 1); scan.set_sform(aff, 2)
    m = np.zeros((8, 9, 4), np.uint8); m[2:5, 3:6, 1:3] = 1
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        _save_nifti(m, aff, scan.header, tmp_path/'m_seg.nii.gz')
        out = nib.load(str(tmp_path/'m_seg.nii.gz'))
        assert isinstance(out, cls) and np.allclose(out.affine, aff) and (np.asarray(out.dataobj) == m).all()
    h = out.header
    assert (h['cal_min'], h['cal_max']) == (0, 1) and h['descrip'].item() == b'TumorTrace segmentation'
    assert (int(h['qform_code']), int(h['sform_code'])) == (1, 2) and out.get_data_dtype() == np.uint8
    scan4 = cls(np.zeros((8, 9, 4, 1), np.float32), aff)                  # (X, Y, Z, 1), as some converters write: kept 4-D
    _save_nifti(m, aff, scan4.header, tmp_path/'m4_seg.nii.gz')
    assert (np.asarray(nib.load(str(tmp_path/'m4_seg.nii.gz')).dataobj) == m[..., None]).all()
    assert nib.load(str(tmp_path/'m4_seg.nii.gz')).shape == (8, 9, 4, 1)

def test_predict_a_data_set_root_and_a_folder_of_volumes(tmp_path):
    "`predict` on the LGG root predicts each patient folder; a folder of NIfTI volumes without BraTS names is one case per volume (nnU-Net's naming), affine kept."
    from tumortrace import load_model
    from tumortrace.inference import predict_paths
    from tumortrace.io import read_inputs, expand_inputs
    pats = sorted(d.name for d in (DATA/'lgg').iterdir() if d.is_dir())
    assert [p.name for p in expand_inputs(DATA/'lgg')] == pats
    r = predict_paths(load_model(SAMPLE_MODEL, device='cpu'), [DATA/'lgg'], tmp_path/'pred', progress=False)
    assert [Path(x['input']).name for x in r] == pats and all(x['status'] == 'ok' for x in r)
    assert all(len(list((tmp_path/'pred'/p).glob('*_mask.png'))) == len(list((DATA/'lgg'/p).glob('*_mask.tif'))) for p in pats)
    v = tmp_path/'vols'; v.mkdir(); aff = np.diag([1., 1., 2., 1.])
    for n in ('case_001_0000', 'case_002_0000'): nib.save(nib.Nifti1Image(np.zeros((16, 16, 3), np.float32), aff), str(v/f'{n}.nii.gz'))
    cs = read_inputs(v)
    assert [(c.case_id, c.layout) for c in cs] == [('case_001_0000', 'nifti'), ('case_002_0000', 'nifti')]
    from tumortrace.io import voxel_order
    assert np.allclose(cs[0].affine, voxel_order(aff, (16, 16, 3))[2])      # read in `io.VOXEL_ORDER` (the same place in space) ...
    assert np.allclose(cs[0].affine[:3, :3] @ [0, 0, 1], [0, 0, 2])          # ... the slices still 2 mm apart along z

def test_one_slice_alone_to_a_volume_model_warns(tmp_path):
    "A model trained on whole LGG volumes given one slice on its own (an image file) says that its input is not what it learned from."
    import warnings
    from tumortrace import load_model, model as tm
    from tumortrace.io import read_inputs
    sm = load_model(SAMPLE_MODEL, device='cpu'); tm._said.clear()
    one = read_inputs(DATA/'lgg'/'TCGA_HT_7860_19960513'/'TCGA_HT_7860_19960513_10.tif')[0]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); sm.predict_volume(one.volume())
    assert any('one slice on its own' in str(x.message) and '2.5D neighbours are the slice itself' in str(x.message) for x in w), [str(x.message) for x in w]
    from tumortrace.inference import predict_paths                          # and in summary.csv's warning column, beside its mask
    rows = predict_paths(sm, [one.source, DATA/'lgg'/'TCGA_HT_7860_19960513'], tmp_path/'p', progress=False)
    assert 'one slice on its own' in rows[0]['warning'] and 'one slice' not in rows[1]['warning'], rows   # (the patient's folder: none)

def test_predict_groups_images_as_the_model_was_trained(tmp_path):
    "A model trained on images grouped into patients (`--group`) predicts a folder of such images patient by patient: the masks of the patient read whole."
    import tifffile
    from tumortrace import load_model
    from tumortrace.inference import predict_paths
    src = DATA/'lgg'/'TCGA_HT_7860_19960513'
    sm = load_model(SAMPLE_MODEL, device='cpu')
    predict_paths(sm, [src], tmp_path/'ref', progress=False)
    imgs = tmp_path/'imgs'; imgs.mkdir()
    nums = sorted(int(f.stem.rsplit('_', 1)[1]) for f in src.glob('*.tif') if not f.stem.endswith('_mask'))
    for n in nums: Image.fromarray(tifffile.imread(src/f'{src.name}_{n}.tif')).save(imgs/f'ht-{n}.png')
    sm.cfg.reader = dict(sm.cfg.reader or {}, group=r'(ht)-\d+')
    r = predict_paths(sm, [imgs], tmp_path/'pred', progress=False)
    assert [(x['status'], x['n_slices']) for x in r] == [('ok', len(nums))]
    got = np.stack([np.asarray(Image.open(tmp_path/'pred'/'ht'/f'ht-{n}_mask.png')) for n in nums])
    want = np.stack([np.asarray(Image.open(tmp_path/'ref'/src.name/f'{src.name}_{n}_mask.png')) for n in nums])
    assert want.sum() > 1000 and (got == want).all()

def test_predict_refuses_a_bad_spec_and_an_out_inside_the_data_set(tmp_path):
    "A malformed --postprocess-spec is refused before anything is predicted or written; so is --out beside a patient folder, inside its data set (it would be read as a patient)."
    import shutil
    from tumortrace import load_model
    from tumortrace.inference import predict_paths
    from tumortrace.core import DataError, OptionError
    from tumortrace.io import read_cases
    sm = load_model(SAMPLE_MODEL, device='cpu')
    data = tmp_path/'lgg'; pat = data/'TCGA_HT_7693_19950520'
    for n in (pat.name, 'TCGA_CS_4942_19970222'): shutil.copytree(DATA/'lgg'/n, data/n)
    with pytest.raises(OptionError, match=r"--postprocess-spec \(--postprocess\): post-processing step 'min50.5'"):
        predict_paths(sm, [pat], tmp_path/'o1', postprocess_spec='min50.5', progress=False)
    assert not (tmp_path/'o1').exists()
    with pytest.raises(DataError, match='lies inside the data set'): predict_paths(sm, [pat], data/'preds', progress=False)
    assert not (data/'preds').exists() and len(read_cases(data)) == 2
    row = predict_paths(sm, [pat], tmp_path/'pred', progress=False)[0]; assert row['status'] == 'ok'   # beside the data set: fine
    auto = predict_paths(sm, [pat], tmp_path/'auto', postprocess_spec='auto', progress=False)[0]      # evaluate's name for the default
    assert auto['postprocess'] == row['postprocess'] == sm.decision_rule(False)['postprocess'] != 'none'
    assert auto['tumour_pixels'] == row['tumour_pixels'] > 0
    alone = tmp_path/'alone'; shutil.copytree(pat, alone/pat.name)                                 # a patient alone in a folder is no data set
    assert predict_paths(sm, [alone/pat.name], alone/'pred', progress=False)[0]['status'] == 'ok'

def test_overlay_names_the_slice_as_its_file(tmp_path, monkeypatch):
    "The overlay of a prediction is titled with the slice's own number (LGG files count from 1), not its index."
    import tumortrace.viz as V
    from tumortrace.inference import _overlay_png
    from tumortrace.io import read_lgg_case
    c = read_lgg_case(DATA/'lgg'/'TCGA_HT_7693_19950520')
    vol,m = c.volume(), c.mask_volume()
    seen = {}
    monkeypatch.setattr(V, 'save_figure', lambda fig, path, **k: seen.update(title=fig.axes[0].get_title()))
    _overlay_png(vol, m, tmp_path/'x_overlay.png', 1, c)
    i = int(np.argmax(m.reshape(len(m), -1).sum(1)))
    assert seen['title'] == f'x slice {i + 1}' and c.slice_ids[i] == i + 1

@pytest.mark.parametrize('extra,data,msg', [
    (['--postprocess', 'bogus'], 'lgg', "--postprocess: unknown post-processing step 'bogus'"),
    (['--patients', 'test'], 'lgg', "split.json: the run has no test patients"),   # the bundled model's own split: trained with none
    ([], 'brats2015', 'holds brats data; the model was trained on lgg data')])
def test_evaluate_refuses_before_the_job(tmp_path, extra, data, msg):
    "Bad evaluate options, and data of another kind than the model's, are refused in one line before the job writes anything."
    r = subprocess.run(CLI + ['evaluate', '--model', str(SAMPLE_MODEL), '--data', str(DATA/data), '--out', str(tmp_path/'ev'), '--quiet', *extra],
                       capture_output=True, text=True)
    assert r.returncode == 1 and msg in r.stderr and 'Traceback' not in r.stderr, r.stderr[-1500:]
    assert not (tmp_path/'ev').exists()

def test_evaluate_a_run_folder_from_the_cli(trained_run, tmp_path):
    "`evaluate --model RUN` (the run folder, not its model/) runs the whole job, report figures included."
    r = subprocess.run(CLI + ['evaluate', '--model', str(trained_run), '--data', str(DATA/'lgg'), '--out', str(tmp_path/'ev'), '--quiet'],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (tmp_path/'ev'/'figures'/'gallery.png').exists() and not (tmp_path/'ev'/'INCOMPLETE').exists()
    r = subprocess.run(CLI + ['evaluate', '--model', str(trained_run), '--data', str(DATA/'lgg'), '--out', str(tmp_path/'ev'), '--quiet'],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0 and 'holds an evaluation: it is replaced once this one has finished' in r.stderr, r.stderr[-2000:]   # said, not silent

TERM_MID_WRITE = """import os, signal, sys
from PIL import Image
save = Image.Image.save
def save_then_term(self, fp, *a, **k):
    save(self, fp, *a, **k)
    if os.path.basename(str(fp)).startswith('.'): os.kill(os.getpid(), signal.SIGTERM)   # while a temporary file is being written
Image.Image.save = save_then_term
from tumortrace.cli import main
sys.exit(main())                                  # as the command runs it (a program calling main(argv) keeps its own SIGTERM)
"""

def test_sigterm_mid_write_leaves_no_temporary_file(tmp_path):
    "SIGTERM (a batch system's stop) cleans up as Ctrl-C does: one line, exit 143, no half-written temporary file, the inputs left pending."
    (tmp_path/'term.py').write_text(TERM_MID_WRITE)
    r = subprocess.run([sys.executable, str(tmp_path/'term.py'), 'predict', '--model', str(SAMPLE_MODEL), str(DATA/'lgg'/'TCGA_HT_7860_19960513'),
                        '--out', str(tmp_path/'o'), '--quiet'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 143 and r.stderr.strip().splitlines()[-1] == 'terminated' and 'Traceback' not in r.stderr, r.stderr[-2000:]
    assert not [f.name for f in (tmp_path/'o').rglob('.*')], sorted(f.name for f in (tmp_path/'o').rglob('*'))
    assert 'TCGA_HT_7860_19960513' in (tmp_path/'o'/'INCOMPLETE').read_text()

def test_unwritable_or_full_output_is_one_line(tmp_path, monkeypatch, capsys):
    "A job's output folder that cannot be written is refused before the job; an OSError mid-way (a full disk) is one line naming the file."
    import errno, tempfile
    import tumortrace.inference as inference
    from tumortrace.cli import main
    def denied(*a, **k): raise PermissionError(errno.EACCES, 'Permission denied')    # as a read-only folder (root writes anywhere)
    with monkeypatch.context() as m:
        m.setattr(tempfile, 'TemporaryFile', denied)
        assert main(['evaluate', '--model', str(SAMPLE_MODEL), '--data', str(DATA/'lgg'), '--out', str(tmp_path/'e'), '--quiet']) == 1
    err = capsys.readouterr().err
    assert f'error: {tmp_path}: is not writable (Permission denied)' in err and not (tmp_path/'e').exists(), err
    def full(vol, mask, path, *a): raise OSError(errno.ENOSPC, 'No space left on device', str(path))
    monkeypatch.setattr(inference, '_overlay_png', full)
    assert main(['predict', '--model', str(SAMPLE_MODEL), str(DATA/'lgg'/'TCGA_HT_7860_19960513'), '--out', str(tmp_path/'p'), '--quiet']) == 1
    err = capsys.readouterr().err
    assert 'TCGA_HT_7860_19960513_overlay.png: No space left on device' in err and 'Traceback' not in err, err

def test_evaluate_into_an_evaluation_replaces_it(tmp_path):
    "An evaluation written over another leaves none of the old one's results (a prediction of a patient no longer scored, say)."
    from tumortrace.evaluate import evaluate
    one = tmp_path/'one'; shutil.copytree(DATA/'lgg'/'TCGA_HT_7860_19960513', one/'TCGA_HT_7860_19960513')
    evaluate(SAMPLE_MODEL, DATA/'lgg', tmp_path/'ev', patients='all')
    assert len(list((tmp_path/'ev'/'predictions').iterdir())) == 6
    (tmp_path/'ev'/'figures').mkdir(); (tmp_path/'ev'/'figures'/'gallery.png').write_bytes(b'old')   # as the job draws them
    s = evaluate(SAMPLE_MODEL, one, tmp_path/'ev', patients='all')
    assert s['n_patients'] == 1 and [p.stem for p in (tmp_path/'ev'/'predictions').iterdir()] == ['TCGA_HT_7860_19960513']
    assert not (tmp_path/'ev'/'figures').exists() and len(pd.read_csv(tmp_path/'ev'/'per_patient.csv')) == 1
    bad = tmp_path/'bad'; shutil.copytree(one, bad)                          # a run that fails part-way (a damaged mask) ...
    m = sorted((bad/'TCGA_HT_7860_19960513').glob('*_mask.tif'))[10]; m.write_bytes(b'not a TIFF')
    before = {f: (tmp_path/'ev'/f).read_bytes() for f in ('summary.json', 'per_patient.csv')}
    with pytest.raises(Exception, match=m.name): evaluate(SAMPLE_MODEL, bad, tmp_path/'ev', patients='all')
    assert {f: (tmp_path/'ev'/f).read_bytes() for f in before} == before                   # ... leaves the earlier evaluation whole
    assert [p.name for p in (tmp_path/'ev').iterdir() if p.name.startswith('.') or p.name == 'INCOMPLETE'] == []
    assert [p.stem for p in (tmp_path/'ev'/'predictions').iterdir()] == ['TCGA_HT_7860_19960513']
    from tumortrace.core import INCOMPLETE                                   # one killed part-way (no summary yet): replaced too
    (tmp_path/'ev'/'summary.json').unlink(); (tmp_path/'ev'/'predictions'/'TCGA_OLD.npz').write_bytes(b'x')
    (tmp_path/'ev'/INCOMPLETE).write_text('an evaluation started but has not finished (killed or failed): its files may be partial\n')
    evaluate(SAMPLE_MODEL, one, tmp_path/'ev', patients='all')
    assert [p.stem for p in (tmp_path/'ev'/'predictions').iterdir()] == ['TCGA_HT_7860_19960513']
    mine = tmp_path/'mine'; (mine/'figures').mkdir(parents=True)             # someone else's files of those names: refused, kept
    (mine/'summary.json').write_text('{"project": "x"}'); (mine/'figures'/'plot.png').write_bytes(b'p')
    with pytest.raises(Exception, match='holds summary.json, figures of something other than an evaluation'):
        evaluate(SAMPLE_MODEL, one, mine, patients='all')
    assert (mine/'figures'/'plot.png').exists() and (mine/'summary.json').read_text() == '{"project": "x"}'

CHILD_GETS_SIGTERM = """import os, signal, sys, time
from pathlib import Path
import tumortrace.cli as cli
log = Path(sys.argv[1])
child = ("import signal, sys, time, pathlib\\n"
         "signal.signal(signal.SIGTERM, lambda *a: (pathlib.Path(sys.argv[1]).write_text('SIGTERM'), sys.exit(0)))\\n"
         "pathlib.Path(sys.argv[1] + '.up').write_text('up'); time.sleep(60)")
signal.signal(signal.SIGTERM, cli._on_sigterm)    # as main() installs it for the command
try: cli._run_child([sys.executable, '-c', child, str(log)])
except cli.Terminated: sys.exit(143)
"""

def test_sigterm_is_passed_on_to_a_child(tmp_path):
    "`lab` and `train --num-processes` run a child: SIGTERM reaches it as SIGTERM (subprocess would SIGKILL it), then the command stops."
    import signal, time
    (tmp_path/'parent.py').write_text(CHILD_GETS_SIGTERM)
    p = subprocess.Popen([sys.executable, str(tmp_path/'parent.py'), str(tmp_path/'child.log')])
    t0 = time.time()
    while not (tmp_path/'child.log.up').exists() and time.time() - t0 < 60: time.sleep(0.1)
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=60) == 143 and (tmp_path/'child.log').read_text() == 'SIGTERM'

def test_a_nifti_model_trained_before_one_voxel_order_is_said_so(tmp_path):
    "A BraTS/NIfTI model whose config records no `voxel_order` learned from slices as stored: loading it warns; one that records it does not."
    import warnings
    from tumortrace.model import unet_config, create_model, save_model, load_model, _said
    cfg = unet_config('xresnet18_w16', n_in=1, n_out=2, size=32); cfg.update(norm='percentile', crop=True, layout='brats')
    save_model(create_model(cfg), cfg, tmp_path/'old'); _said.clear()
    with pytest.warns(UserWarning, match=r'old: trained before NIfTI volumes were read in one voxel order'): load_model(tmp_path/'old', device='cpu')
    save_model(create_model(cfg), {**cfg, 'voxel_order':'PLS'}, tmp_path/'new')
    with warnings.catch_warnings(): warnings.simplefilter('error'); load_model(tmp_path/'new', device='cpu')

def test_evaluate_refuses_a_model_without_weights_before_its_job(model_dir, tmp_path):
    "Missing or damaged weights are named before the evaluation job starts: no failed notebook, no output folder."
    import shutil
    m = tmp_path/'m'; shutil.copytree(model_dir, m); (m/'model.safetensors').unlink()
    r = cli('evaluate', '--model', m, '--data', DATA/'lgg', '--out', tmp_path/'ev', '--quiet')
    assert r.returncode == 1 and 'has no model.safetensors' in r.stderr and not (tmp_path/'ev').exists(), r.stderr[-2000:]
    (m/'model.safetensors').write_bytes(b'\x10\x00\x00\x00\x00\x00\x00\x00{"a": 1}')
    r = cli('evaluate', '--model', m, '--data', DATA/'lgg', '--out', tmp_path/'ev', '--quiet')
    assert r.returncode == 1 and 'model.safetensors: is truncated or damaged' in r.stderr and not (tmp_path/'ev').exists(), r.stderr[-2000:]

def test_score_predict_outputs_as_evaluate(sample_eval, tmp_path):
    "`tumortrace score` of `predict`'s slice masks gives each patient the Dice `evaluate` gave it; cases without a prediction need --partial."
    pids = ['TCGA_CS_4942_19970222', 'TCGA_HT_7693_19950520']
    r = cli('predict', '--model', SAMPLE_MODEL, *[DATA/'lgg'/p for p in pids], '--out', tmp_path/'pred', '--quiet')   # the model's post-processing, as evaluate's
    assert r.returncode == 0, r.stderr[-3000:]
    r = cli('score', '--pred', tmp_path/'pred', '--data', DATA/'lgg', '--out', tmp_path/'sc')
    assert r.returncode == 1 and 'holds no prediction of 4 of the 6 cases' in r.stderr and '--partial' in r.stderr and not (tmp_path/'sc'/'summary.json').exists()
    r = cli('score', '--pred', tmp_path/'pred', '--data', DATA/'lgg', '--out', tmp_path/'sc', '--partial')
    assert r.returncode == 0 and '2 of 6 patients scored' in r.stdout and 'no prediction of 4 case(s)' in r.stderr, r.stderr[-3000:]
    got = pd.read_csv(tmp_path/'sc'/'per_patient.csv').set_index('patient')
    ev = pd.read_csv(sample_eval/'per_patient.csv').set_index('patient')
    assert sorted(got.index) == pids
    for k in ('dice', 'iou', 'sensitivity', 'precision', 'hd95_px', 'volume_pred_px'):
        assert np.allclose(got.loc[pids, k], ev.loc[pids, k], equal_nan=True), k
    s = json.loads((tmp_path/'sc'/'summary.json').read_text())
    assert (s['n_missing'], s['patients'], s['postprocess'][:8]) == (4, 'predicted', 'as given') and len(pd.read_csv(tmp_path/'sc'/'per_slice.csv')) == got['n_slices'].sum()
    from tumortrace.widgets import open_source                 # the viewer opens the scores: the masks as scored, no model
    src = open_source(tmp_path/'sc')
    d = src.predict(pids[0])
    assert src.ids == pids and (src.kept_loads, src.predictions) == (1, 0) and d['dice'] == got.loc[pids[0], 'dice'] and d['post'].shape == d['truth'].shape
    src = open_source(tmp_path/'sc', model=SAMPLE_MODEL)       # ... or, given a model, that model's predictions of the scored patients
    src.predict(pids[0]); assert src.ids == pids and (src.kept_loads, src.predictions) == (0, 1)
    png = next((tmp_path/'pred'/pids[0]).glob('*_mask.png'))    # a damaged prediction: named, nothing written
    Image.fromarray(np.zeros((10, 10), np.uint8)).save(png)
    r = cli('score', '--pred', tmp_path/'pred', '--data', DATA/'lgg', '--out', tmp_path/'sc2', '--partial')
    assert r.returncode == 1 and f'{png.name}: mask size 10x10 differs from its slice' in r.stderr and not (tmp_path/'sc2'/'summary.json').exists()
    r = cli('score', '--pred', tmp_path/'pred', '--data', DATA/'lgg', '--out', tmp_path/'sc', '--partial')   # over earlier scores: they stay whole
    assert r.returncode == 1 and sorted(p.name for p in (tmp_path/'sc').iterdir()) == ['per_patient.csv', 'per_slice.csv', 'predictions', 'summary.json']

def test_score_finds_predicts_renamed_outputs(sample_eval, tmp_path):
    "Two inputs of one name: `predict` writes the second as `<name>-2`; `score` takes each case's masks where predict's summary.csv says its input's went, not the first by name (another patient's)."
    pid = 'TCGA_CS_4942_19970222'
    a,b = tmp_path/'a'/pid, tmp_path/'b'/pid                  # b: another patient's slices under the same name
    shutil.copytree(DATA/'lgg'/pid, a); shutil.copytree(DATA/'lgg'/'TCGA_HT_7693_19950520', b)
    r = cli('predict', '--model', SAMPLE_MODEL, b, a, '--out', tmp_path/'pred', '--quiet')
    assert r.returncode == 0 and (tmp_path/'pred'/f'{pid}-2').is_dir(), r.stderr[-3000:]
    shutil.copytree(tmp_path/'pred', tmp_path/'moved')                     # summary.csv's paths name the old folder: names under the new one count
    ev = pd.read_csv(sample_eval/'per_patient.csv').set_index('patient')
    for pr in ('pred', 'moved'):
        r = cli('score', '--pred', tmp_path/pr, '--data', tmp_path/'a', '--out', tmp_path/f'sc_{pr}')
        assert r.returncode == 0 and 'predict no case' in r.stderr, r.stderr[-3000:]   # b's masks: no case of this data set
        assert np.isclose(pd.read_csv(tmp_path/f'sc_{pr}'/'per_patient.csv').set_index('patient').loc[pid, 'dice'], ev.loc[pid, 'dice'])
    summ = pd.read_csv(tmp_path/'moved'/'summary.csv')                      # a's row gone (failed there): b's masks, by a's name, are not a's
    summ[summ['input'] != str(a.resolve())].to_csv(tmp_path/'moved'/'summary.csv', index=False)
    r = cli('score', '--pred', tmp_path/'moved', '--data', tmp_path/'a', '--out', tmp_path/'sc_gone')
    assert r.returncode == 1 and 'gives such names to inputs at other paths' in r.stderr and not (tmp_path/'sc_gone'/'summary.json').exists(), r.stderr[-2000:]
    assert cli('predict', '--model', SAMPLE_MODEL, a, '--out', tmp_path/'solo', '--quiet').returncode == 0
    shutil.copytree(a, tmp_path/'copy'/pid)                                 # the data set copied: predict's paths name the original, still there
    r = cli('score', '--pred', tmp_path/'solo', '--data', tmp_path/'copy', '--out', tmp_path/'sc_copy')
    assert r.returncode == 1 and '--by-name' in r.stderr, r.stderr[-2000:]  # refused (it could be another data set of these names) ...
    r = cli('score', '--pred', tmp_path/'solo', '--data', tmp_path/'copy', '--out', tmp_path/'sc_copy', '--by-name')
    assert r.returncode == 0, r.stderr[-2000:]                             # ... unless the user says to match by name
    assert np.isclose(pd.read_csv(tmp_path/'sc_copy'/'per_patient.csv').set_index('patient').loc[pid, 'dice'], ev.loc[pid, 'dice'])
    r = cli('score', '--pred', tmp_path/'pred', '--data', tmp_path/'copy', '--out', tmp_path/'sc_two', '--by-name')   # two inputs of that name
    assert r.returncode == 1 and f'holds the predictions of 2 inputs named {pid} ({pid}, {pid}-2)' in r.stderr, r.stderr[-2000:]
    tifs = sorted(f for f in a.glob('*.tif') if not f.stem.endswith('_mask'))   # its slices predicted one by one: no prediction of the patient
    assert cli('predict', '--model', SAMPLE_MODEL, *tifs[:3], '--out', tmp_path/'slices', '--quiet').returncode == 0
    r = cli('score', '--pred', tmp_path/'slices', '--data', tmp_path/'a', '--out', tmp_path/'sc_slices')
    assert r.returncode == 1 and 'holds no prediction of 1 of the 1 cases' in r.stderr and 'Traceback' not in r.stderr, r.stderr[-2000:]

def test_predict_probabilities(tmp_path):
    "`predict --probabilities` writes each slice's tumour probability beside its mask (0-255 for 0-1): the mask is where it passes the model's rule; `--skip-done` does not keep a run made without them."
    pid = 'TCGA_CS_4942_19970222'
    r = cli('predict', '--model', SAMPLE_MODEL, DATA/'lgg'/pid, '--out', tmp_path/'p', '--quiet')
    assert r.returncode == 0, r.stderr[-3000:]
    assert not list((tmp_path/'p'/pid).glob('*_prob.png'))
    r = cli('predict', '--model', SAMPLE_MODEL, DATA/'lgg'/pid, '--out', tmp_path/'p', '--quiet', '--probabilities', '--skip-done')
    assert r.returncode == 0 and 'kept' not in r.stdout, r.stdout + r.stderr[-3000:]     # made without probabilities: predicted again
    cfg = json.loads((SAMPLE_MODEL/'config.json').read_text())
    low = cfg.get('grow') or cfg.get('threshold') or .5                # the lowest probability a tumour voxel can have (`decide`)
    masks = sorted((tmp_path/'p'/pid).glob('*_mask.png'))
    assert len(masks) == 20 and all(m.with_name(m.name.replace('_mask', '_prob')).exists() for m in masks)
    m = np.stack([np.asarray(Image.open(f)) for f in masks]); p = np.stack([np.asarray(Image.open(f.with_name(f.name.replace('_mask', '_prob')))) for f in masks])
    assert m.any() and p.dtype == np.uint8 and p.max() > 200 and (p[m > 0] >= np.floor(low * 255) - 1).all()
    assert pd.read_csv(tmp_path/'p'/'summary.csv')['probabilities'].tolist() == ['saved']
    probs = sorted((tmp_path/'p'/pid).glob('*_prob.png')); probs[0].unlink()
    r = cli('predict', '--model', SAMPLE_MODEL, DATA/'lgg'/pid, '--out', tmp_path/'p', '--quiet', '--probabilities', '--skip-done')
    assert 'kept' not in r.stdout and len(list((tmp_path/'p'/pid).glob('*_prob.png'))) == 20, r.stdout   # maps missing: predicted again
    r = cli('predict', '--model', SAMPLE_MODEL, DATA/'lgg'/pid, '--out', tmp_path/'p', '--quiet', '--skip-done')
    assert '1 by an earlier run, kept' in r.stdout, r.stdout                   # a row with maps serves a run without
    r = cli('predict', '--model', SAMPLE_MODEL, DATA/'lgg'/pid, '--out', tmp_path/'p', '--quiet')
    assert r.returncode == 0 and not list((tmp_path/'p'/pid).glob('*_prob.png'))   # predicted again without: no earlier maps beside the new masks

def test_failed_reevaluation_keeps_the_notebook(tmp_path):
    "`tumortrace evaluate` failing over an evaluation keeps its notebook beside its results; the failed run's is evaluate-new.ipynb; a good run replaces both."
    one = tmp_path/'one'; shutil.copytree(DATA/'lgg'/'TCGA_HT_7860_19960513', one/'TCGA_HT_7860_19960513')
    r = cli('evaluate', '--model', SAMPLE_MODEL, '--data', one, '--out', tmp_path/'ev', '--patients', 'all', '--quiet')
    assert r.returncode == 0, r.stderr[-3000:]
    nb = tmp_path/'ev'/'evaluate.ipynb'; before = nb.read_bytes()
    bad = tmp_path/'bad'; shutil.copytree(one, bad)
    m = sorted((bad/'TCGA_HT_7860_19960513').glob('*_mask.tif'))[10]; m.write_bytes(b'not a TIFF')
    r = cli('evaluate', '--model', SAMPLE_MODEL, '--data', bad, '--out', tmp_path/'ev', '--patients', 'all', '--quiet')
    assert r.returncode == 1 and m.name in r.stderr and 'evaluate-new.ipynb' in r.stderr, r.stderr[-3000:]
    assert nb.read_bytes() == before and (tmp_path/'ev'/'evaluate-new.ipynb').exists()      # the notebook of the results kept
    assert str(one) in nb.read_text() and str(bad) in (tmp_path/'ev'/'evaluate-new.ipynb').read_text()
    r = cli('evaluate', '--model', SAMPLE_MODEL, '--data', one, '--out', tmp_path/'ev', '--patients', 'all', '--quiet', '--tta')
    assert r.returncode == 0, r.stderr[-3000:]
    assert not (tmp_path/'ev'/'evaluate-new.ipynb').exists() and 'tta = True' in nb.read_text()   # (papermill's parameters cell)

def test_evaluate_refuses_the_data_folder(tmp_path):
    "evaluate() from Python (or its job run by papermill) refuses to write into the data set, as the CLI does; nothing is left there."
    from tumortrace.evaluate import evaluate
    from tumortrace.core import DataError
    data = tmp_path/'d'; shutil.copytree(DATA/'lgg'/'TCGA_HT_7860_19960513', data/'TCGA_HT_7860_19960513')
    for out in (data, data/'ev'):
        with pytest.raises(DataError, match='lies inside the data folder'): evaluate(SAMPLE_MODEL, data, out, patients='all')
    assert sorted(p.name for p in data.iterdir()) == ['TCGA_HT_7860_19960513']

def test_predict_names_a_bad_file_once(tmp_path, capsys):
    "A patient folder with a damaged slice: its error line names that file once (not the folder, then the file inside it); summary.csv keeps both."
    from tumortrace.cli import main
    p = tmp_path/'TCGA_HT_7860_19960513'; shutil.copytree(DATA/'lgg'/p.name, p)
    bad = sorted(p.glob('*_mask.tif'))[3].with_name(sorted(p.glob('*_mask.tif'))[3].name.replace('_mask', '')); bad.write_bytes(b'junk')
    assert main(['predict', '--model', str(SAMPLE_MODEL), str(p), '--out', str(tmp_path/'o'), '--quiet']) == 1
    err = [l for l in capsys.readouterr().err.splitlines() if l.startswith('error:')]
    assert err == [f"error: {bad}: cannot be read as an image (TiffFileError: not a TIFF file: header=b'junk')"], err
    row = pd.read_csv(tmp_path/'o'/'summary.csv').iloc[0]
    assert row['input'] == str(p) and row['status'].startswith(f'error: {bad}: ')

def test_predict_a_file_given_twice_once_and_notes_an_all_zero_image(tmp_path):
    "A file given twice (or also by its folder) is predicted once, with a warning; an all-zero image's note reaches summary.csv's warning column."
    from tumortrace import load_model
    from tumortrace.inference import predict_paths
    sm = load_model(SAMPLE_MODEL, device='cpu')
    img = next(f for f in sorted((DATA/'lgg'/'TCGA_HT_7693_19950520').glob('*.tif')) if not f.stem.endswith('_mask'))
    black = tmp_path/'black.png'; Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(black)
    with pytest.warns(UserWarning, match='given more than once, predicted once'):
        rows = predict_paths(sm, [img, black, img], tmp_path/'o', progress=False)
    assert [r['input'] for r in rows] == [str(img.resolve()), str(black.resolve())] and all(r['status'] == 'ok' for r in rows)
    assert not list((tmp_path/'o').glob('*-2*')) and len({r['output'] for r in rows}) == 2
    assert 'is all zero: there is nothing to segment' in rows[1]['warning'] and 'is all zero' not in rows[0]['warning']
    assert 'is all zero' in pd.read_csv(tmp_path/'o'/'summary.csv').set_index('input').loc[str(black.resolve()), 'warning']

def test_predict_says_each_warning_once(tmp_path):
    "`tumortrace predict` says a warning once: as it happens, or (what reading did not say: the summary's own) after the counts, not both."
    img = next(f for f in sorted((DATA/'lgg'/'TCGA_HT_7693_19950520').glob('*.tif')) if not f.stem.endswith('_mask'))
    black = tmp_path/'black.png'; Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(black)
    r = cli('predict', '--model', SAMPLE_MODEL, img, black, '--out', tmp_path/'o', '--quiet')
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stderr.count('is all zero: there is nothing to segment') == 1 and r.stderr.count('given one slice on its own') == 1, r.stderr[-3000:]
    s = pd.read_csv(tmp_path/'o'/'summary.csv').set_index('input')['warning']
    assert 'given one slice on its own' in s[str(img.resolve())] and 'is all zero' in s[str(black.resolve())]   # each row keeps its own
