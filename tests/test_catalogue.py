"""The bad-input catalogue: one row per bad input or option a user can give the `tumortrace` command.

Every row must end with exit status 1 or 2, one `error:` line (or argparse's usage + error) naming the file or
option and the problem, no traceback, and nothing written: the output folder is absent, or (for `predict`, which
reports each bad input and goes on) holds no prediction, only `summary.csv`. Commands run in-process
(`tumortrace.cli.main`), so the table costs seconds, not a Python start-up per row.
"""
import json, shutil
import numpy as np, nibabel as nib, pytest, tifffile
from PIL import Image
from conftest import DATA, SAMPLE_MODEL
from tumortrace.synthetic import write_lgg, write_brats, write_folder

PATIENT = 'TCGA_CS_4942_19970222'

def lgg1(t):
    "One real LGG patient, copied (so rows may damage it)."
    shutil.copytree(DATA/'lgg'/PATIENT, t/'lgg'/PATIENT); return t/'lgg'

def lgg_damaged(how):
    def setup(t):
        d = lgg1(t); p = d/PATIENT
        if how == 'corrupt': (p/f'{PATIENT}_12.tif').write_bytes(b'\x00' * 100)
        if how == 'no_mask': (p/f'{PATIENT}_12_mask.tif').unlink()
        if how == 'no_image': (p/f'{PATIENT}_12.tif').unlink()
        if how == 'bad_values':
            m = p/f'{PATIENT}_12_mask.tif'; a = tifffile.imread(m); a[0, :3] = [7, 128, 3]; tifffile.imwrite(m, a)
        if how == 'rgb_mask':
            m = p/f'{PATIENT}_12_mask.tif'; a = np.zeros((256, 256, 3), np.uint8); a[0, 0, 1] = 255; tifffile.imwrite(m, a)
        if how == 'mask_size': tifffile.imwrite(p/f'{PATIENT}_12_mask.tif', np.zeros((128, 128), np.uint8))
        if how == 'huge': tifffile.imwrite(p/f'{PATIENT}_12.tif', np.zeros((4100, 16, 3), np.uint8))
        if how == 'five_channels': tifffile.imwrite(p/f'{PATIENT}_12.tif', np.zeros((256, 256, 5), np.uint8))
        if how == 'inf': a = np.ones((256, 256, 3), np.float32); a[5, 5, 1] = np.inf; tifffile.imwrite(p/f'{PATIENT}_12.tif', a)
        if how == 'nan_mask': a = np.zeros((256, 256), np.float32); a[5, 5] = np.nan; tifffile.imwrite(p/f'{PATIENT}_12_mask.tif', a)
        return d
    return setup

def folder(how):
    def setup(t):
        d = write_folder(t/'plain', style='pairs' if how in ('twin', 'group') else 'images_masks')
        if how == 'corrupt': (d/'images'/'scan02.png').write_bytes(b'\x89PNG\r\n\x1a\n broken')
        if how == 'no_mask': (d/'masks'/'scan01.png').unlink()
        if how == 'mask_size': Image.fromarray(np.zeros((20, 24), np.uint8)).save(d/'masks'/'scan03.png')
        if how == 'twin': Image.open(d/'scan01.png').save(d/'scan01.tif')
        if how == 'channels': Image.new('RGB', (32, 32)).save(d/'images'/'scan03.png')
        if how == 'huge': Image.new('L', (5000, 10)).save(d/'images'/'scan02.png'); Image.new('L', (5000, 10)).save(d/'masks'/'scan02.png')
        return d
    return setup

def brats(how):
    def setup(t):
        d = write_brats(t/'brats', 'BraTS_0001')
        def replace(name, a):
            old = nib.load(str(d/name)); nib.save(nib.Nifti1Image(a, old.affine), str(d/name))
        if how == 'no_seg': (d/'BraTS_0001_seg.nii.gz').unlink()
        if how == 'inf':
            a = np.asarray(nib.load(str(d/'BraTS_0001_t2.nii.gz')).dataobj).copy(); a[3, 4, 5] = np.inf
            replace('BraTS_0001_t2.nii.gz', a)
        if how == 'flat': replace('BraTS_0001_flair.nii.gz', np.zeros((32, 32), np.float32))
        if how == 'shape': replace('BraTS_0001_t1.nii.gz', np.zeros((30, 32, 10), np.float32))
        if how == 'label': d = write_brats(t/'brats2', 'BraTS_0001', labels=(1, 2, 7)).parent
        if how == 'garbage': (d/'BraTS_0001_t1.nii.gz').write_bytes(b'not a nifti file at all')
        if how == 'mixed': (write_brats(t/'brats', 'BraTS_0002')/'BraTS_0002_t1.nii.gz').unlink()
        return d if how in ('label',) else t/'brats'
    return setup

def write_file(t):
    (t/'afile.txt').write_text('x'); return t/'afile.txt'

def unknown_layout(t):
    (t/'odd').mkdir(); (t/'odd'/'notes.txt').write_text('x'); return t/'odd'

def empty(t):
    (t/'empty').mkdir(); return t/'empty'

def model(how):
    "A copy of the bundled model, damaged `how`."
    def setup(t):
        m = t/'model'; shutil.copytree(SAMPLE_MODEL, m)
        cfg = json.loads((m/'config.json').read_text())
        if how == 'pickle':
            import torch; torch.save({'a': 1}, m/'model.safetensors')
        if how == 'truncated': (m/'model.safetensors').write_bytes((m/'model.safetensors').read_bytes()[:1000])
        if how == 'encoder': cfg['encoder'] = 'resnet9000'
        if how == 'no_size': del cfg['size']
        if how == 'extra': cfg['colour'] = 'blue'
        if how == 'not_json': (m/'config.json').write_text('{oops'); return m
        if how == 'no_weights': (m/'model.safetensors').unlink()
        if how == 'size': cfg['size'] = 100
        (m/'config.json').write_text(json.dumps(cfg))
        return m
    return setup

LGG = lambda t: DATA/'lgg'
def nothing(t): return None

def inspect_row(setup, *extra): return (setup, lambda p, t: ['inspect', str(p), *extra])
def train_row(*opts, data=LGG, out=lambda t: t/'run'):
    return (data, lambda p, t: ['train', '--data', str(p), '--out', str(out(t)), '--quiet', *opts])
def cv_row(*opts, out=lambda t: t/'cv'):
    return (LGG, lambda p, t: ['cv', '--data', str(p), '--out', str(out(t)), '--quiet', *opts])
def predict_row(setup_model, inputs=lambda t: [str(DATA/'lgg'/PATIENT)], out=lambda t: t/'pred', *opts):
    return (setup_model, lambda m, t: ['predict', '--model', str(m), *inputs(t), '--out', str(out(t)), '--quiet', *opts])
def predict_input_row(setup_input, *opts):
    return (setup_input, lambda p, t: ['predict', '--model', str(SAMPLE_MODEL), str(p), '--out', str(t/'pred'), '--quiet', *opts])
def evaluate_row(setup_model, data=lambda t: str(DATA/'lgg'), out=lambda t: t/'eval', *opts):
    return (setup_model, lambda m, t: ['evaluate', '--model', str(m), '--data', data(t), '--out', str(out(t)), '--quiet', *opts])

CATALOGUE = {
    # reading data (inspect reads every slice)
    'missing path':            (*inspect_row(lambda t: t/'nope'), 'does not exist'),
    'empty folder':            (*inspect_row(empty), 'is an empty folder'),
    'a file, not a folder':    (*inspect_row(write_file), 'is a file'),
    'unknown layout':          (*inspect_row(unknown_layout), 'unknown layout'),
    'lgg corrupt tif':         (*inspect_row(lgg_damaged('corrupt')), '_12.tif: cannot be read as an image'),
    'lgg image without mask':  (*inspect_row(lgg_damaged('no_mask')), '_12.tif: has no mask'),
    'lgg mask without image':  (*inspect_row(lgg_damaged('no_image')), '_12_mask.tif: is a mask without an image'),
    'lgg mask values':         (*inspect_row(lgg_damaged('bad_values')), 'are not class labels {0,1} or {0,255}'),
    'lgg mask channels':       (*inspect_row(lgg_damaged('rgb_mask')), 'mask has 3 differing channels'),
    'lgg mask size':           (*inspect_row(lgg_damaged('mask_size')), 'mask size 128x128 differs from its image'),
    'lgg huge image':          (*inspect_row(lgg_damaged('huge')), 'larger than 4096 a side'),
    'lgg five channels':       (*inspect_row(lgg_damaged('five_channels')), 'is not a 2-D grey or RGB image'),
    'lgg infinite pixels':     (*inspect_row(lgg_damaged('inf')), '_12.tif: image contains 1 infinite pixels'),
    'lgg NaN in a mask':       (*inspect_row(lgg_damaged('nan_mask')), '_12_mask.tif: mask contains 1 NaN pixels'),
    'folder corrupt png':      (*inspect_row(folder('corrupt')), 'scan02.png: cannot be read as an image'),
    'folder image no mask':    (*inspect_row(folder('no_mask')), 'scan01.png: has no mask'),
    'folder mask size':        (*inspect_row(folder('mask_size')), 'scan03.png: mask size 24x20 differs'),
    'folder png beside tif':   (*inspect_row(folder('twin')), 'shares its name with'),
    'folder channel counts':   (*inspect_row(folder('channels')), 'scan03.png: has 3 channels where most images have 1 (e.g. scan00.png)'),
    'folder huge image':       (*inspect_row(folder('huge')), 'scan02.png: is 5000x10 pixels'),
    'folder bad layout name':  (*inspect_row(folder('none'), '--layout', 'brats'), 'has no NIfTI files'),
    'folder group not a regex': (*inspect_row(folder('group'), '--group', '(('), '--group must be a valid regular expression'),
    'folder group without group': (*inspect_row(folder('group'), '--group', '.+_[0-9]+$'), '--group must be a regex with a capture group'),
    'folder group id empty':   (*inspect_row(folder('group'), '--group', '(x)?scan[0-9]+'), 'scan00.png: name matches the patient pattern'),
    'brats no segmentation':   (*inspect_row(brats('no_seg')), 'has no segmentation'),
    'brats infinite voxels':   (*inspect_row(brats('inf')), 'BraTS_0001_t2.nii.gz: t2 volume contains 1 infinite voxels'),
    'brats 2-D volume':        (*inspect_row(brats('flat')), 'BraTS_0001_flair.nii.gz: flair volume is 2-D'),
    'brats shapes differ':     (*inspect_row(brats('shape')), "BraTS_0001_t1.nii.gz: shape (30, 32, 10) differs from the segmentation's"),
    'brats unknown label':     (*inspect_row(brats('label')), 'not among the known labels'),
    'brats not NIfTI':         (*inspect_row(brats('garbage')), 'BraTS_0001_t1.nii.gz: cannot be read as NIfTI'),
    'brats modality sets':     (*inspect_row(brats('mixed')), "BraTS_0002: has modalities ['flair', 't1ce', 't2'] where BraTS_0001 has"),
    'brats unknown modality':  (*inspect_row(brats('none'), '--modalities', 'dwi'), "has no 'dwi' modality"),
    # training options, refused before any job starts
    'epochs 0':                (*train_row('--epochs', '0'), '--epochs must be at least 1'),
    'epochs negative':         (*train_row('--epochs', '-3'), '--epochs must be at least 1'),
    'bs 0':                    (*train_row('--bs', '0'), '--bs must be at least 1'),
    'size not /32':            (*train_row('--size', '100'), '--size must be a multiple of 32'),
    'size below 32':           (*train_row('--size', '16'), '--size must be a multiple of 32'),
    'lr 0':                    (*train_row('--lr', '0'), '--lr must be positive'),
    'lr negative':             (*train_row('--lr', '-0.1'), '--lr must be positive'),
    'max-minutes negative':    (*train_row('--max-minutes', '-1'), '--max-minutes must be positive (or 0: no budget)'),
    'valid-pct 1.5':           (*train_row('--valid-pct', '1.5'), '--valid-pct must be'),
    'group without group':     (*train_row('--group', '.+_[0-9]+'), 'capture group'),
    'group not a regex':       (*train_row('--group', '(unclosed'), '--group must be a valid regular expression'),
    'unknown preset':          (*train_row('--preset', 'huge'), "invalid choice: 'huge'"),
    'epochs not a number':     (*train_row('--epochs', 'ten'), "invalid int value: 'ten'"),
    'train data missing':      (*train_row(data=lambda t: t/'nodata'), 'does not exist'),
    'train out is a file':     (*train_row(out=write_file), 'is an existing file'),
    'train out = data':        (*train_row(out=lambda t: DATA/'lgg'), 'inside'),
    'train out in a patient':  (*train_row(out=lambda t: DATA/'lgg'/PATIENT/'run'), 'inside'),
    'cv 1 fold':               (*cv_row('--folds', '1'), '--folds must be at least 2'),
    'cv more folds than patients': (*cv_row('--folds', '7'), '--folds 7: 6 patients allow 2 to 3 folds'),
    # models
    'model folder missing':    (*predict_row(lambda t: t/'nomodel'), 'is not a TumorTrace model folder'),
    'weights a pickle':        (*predict_row(model('pickle')), 'not a safetensors file'),
    'weights truncated':       (*predict_row(model('truncated')), 'model.safetensors'),
    'weights missing':         (*predict_row(model('no_weights')), 'model.safetensors'),
    'config unknown encoder':  (*predict_row(model('encoder')), "config.json: key 'encoder': unknown encoder 'resnet9000'"),
    'config without size':     (*predict_row(model('no_size')), "config.json: key 'size' is missing"),
    'config extra key':        (*predict_row(model('extra')), "config.json: key 'colour' is not a model config key"),
    'config not JSON':         (*predict_row(model('not_json')), 'config.json'),
    'config size not /32':     (*predict_row(model('size')), "config.json: key 'size' must be a multiple of 32"),
    'evaluate model missing':  (*evaluate_row(lambda t: t/'nomodel'), 'is not a TumorTrace model folder'),
    'evaluate out = data':     (*evaluate_row(lambda t: SAMPLE_MODEL, out=lambda t: DATA/'lgg'/'ev'), 'inside'),
    # predict inputs: reported per input, nothing predicted for them
    'predict input missing':   (*predict_input_row(lambda t: t/'nope.tif'), 'does not exist'),
    'predict corrupt image':   (*predict_input_row(lambda t: (t/'x.png').write_bytes(b'\x89PNG broken') and t/'x.png'), 'x.png: cannot be read as an image'),
    'predict huge image':      (*predict_input_row(lambda t: Image.new('RGB', (6000, 6000)).save(t/'big.png') or t/'big.png'), 'larger than 4096 a side'),
    'predict out = input':     (*predict_row(lambda t: SAMPLE_MODEL, out=lambda t: DATA/'lgg'/PATIENT), 'inside'),
    'predict bad part':        (*predict_row(lambda t: SAMPLE_MODEL, lambda t: [str(DATA/'lgg'/PATIENT)], lambda t: t/'pred', '--part', '4/3'), '--part'),
    'predict part not K/N':    (*predict_row(lambda t: SAMPLE_MODEL, lambda t: [str(DATA/'lgg'/PATIENT)], lambda t: t/'pred', '--part', 'half'), '--part'),
    # reports
    'report of no run':        (empty, lambda p, t: ['report', str(p)], 'holds no executed job notebook'),
}

def snapshot(*roots):
    return sorted((str(p), p.stat().st_size) for r in roots if r.exists() for p in r.rglob('*'))

@pytest.mark.parametrize('name', list(CATALOGUE))
def test_bad_input_is_refused_clearly(name, tmp_path, capsys):
    from tumortrace.cli import main
    setup, argv, fragment = CATALOGUE[name]
    inp = setup(tmp_path)
    args = argv(inp, tmp_path)
    before = snapshot(DATA, tmp_path)
    try: rc = main(args)
    except SystemExit as e: rc = e.code          # argparse's own refusals
    err = capsys.readouterr().err
    assert rc in (1, 2), f'{name}: exit {rc}\n{err}'
    assert fragment in err, f'{name}: {fragment!r} not in\n{err[-2000:]}'
    assert 'Traceback' not in err, err[-2000:]
    lines = [l for l in err.splitlines() if l.strip()]
    assert sum(l.startswith('error:') or ': error:' in l for l in lines) >= 1, err
    if args[0] != 'predict': assert len([l for l in lines if not l.startswith('usage:') and not l.startswith('  ')]) == 1, err
    after = snapshot(DATA, tmp_path)
    new = sorted(set(after) - set(before))
    written = [p for p,_ in new if not p.endswith('summary.csv') and '__pycache__' not in p]
    assert written == [] or (args[0] == 'predict' and written == [str(tmp_path/'pred')]), f'{name} wrote {written}'

def test_the_catalogue_is_large_enough():
    assert len(CATALOGUE) >= 40

@pytest.mark.parametrize('how', ['lgg', 'brats'])
def test_nan_padding_is_read_as_background_with_one_warning_line(how, tmp_path, capsys):
    "NaN in an image (registration tools pad with it) is not an error: inspect goes on, with one `warning:` line naming the file."
    from tumortrace.cli import main
    if how == 'lgg':
        d = lgg1(tmp_path)
        for f in (d/PATIENT).glob(f'{PATIENT}_*[0-9].tif'):          # a float patient (one bit depth for all its slices) ...
            tifffile.imwrite(f, tifffile.imread(f).astype(np.float32))
        a = np.ones((256, 256, 3), np.float32); a[5, 5, 1] = np.nan   # ... with one NaN pixel
        tifffile.imwrite(d/PATIENT/f'{PATIENT}_12.tif', a); name = f'{PATIENT}_12.tif: image contains 1 NaN pixels, read as its background'
    else:
        d = write_brats(tmp_path/'brats', 'BraTS_0001'); f = d/'BraTS_0001_t2.nii.gz'; old = nib.load(str(f))
        a = np.asarray(old.dataobj).astype(np.float32); a[3, 4, 5] = np.nan; nib.save(nib.Nifti1Image(a, old.affine), str(f))
        d = d.parent; name = 'BraTS_0001_t2.nii.gz: t2 volume contains 1 NaN voxels, read as its background'
    assert main(['inspect', str(d)]) == 0
    err = [l for l in capsys.readouterr().err.splitlines() if l.strip()]
    assert len(err) == 1 and err[0].startswith('warning: ') and name in err[0], err
