"Readers and `tumortrace inspect` on real data: the bundled sample, and ../shared/data when it is there."
import json, subprocess, sys
import numpy as np, pytest
from conftest import DATA, SHARED
from tumortrace.io import read_cases, read_lgg_case
from tumortrace.cli import main

def inspect_json(path, *extra, capsys=None):
    rc = main(['inspect', str(path), '--json', *extra])
    out = capsys.readouterr().out
    assert rc == 0
    return json.loads(out)

def test_lgg_numeric_slice_order(lgg_patient):
    c = read_lgg_case(lgg_patient)
    assert c.slice_ids == list(range(1, c.n_slices + 1))
    assert [f[0].name for f in c.files[8:11]] == [f'{lgg_patient.name}_{i}.tif' for i in (9, 10, 11)]
    # in numeric order the tumour slices form one contiguous run; sorted as text they would not
    has = c.mask_volume().any((1, 2)).astype(int)
    runs = lambda h: int(np.sum(np.diff(np.r_[0, h]) == 1))
    assert runs(has) == 1
    text_order = sorted(range(c.n_slices), key=lambda i: str(c.slice_ids[i]))
    assert runs(has[text_order]) > 1

def test_inspect_bundled(capsys):
    s = inspect_json(DATA/'lgg', capsys=capsys)
    assert (s['layout'], s['n_cases'], s['image_shape'], s['mask_values']) == ('lgg', 6, [256, 256, 3], [0, 1])
    b = inspect_json(DATA/'brats2015', '--target', 'multiclass', capsys=capsys)
    assert (b['n_cases'], b['n_slices'], b['mask_values'], b['spacing']) == (1, 155, [0, 1, 2, 3, 4], [1.0, 1.0, 1.0])
    assert b['regions'] == {'WT':[1, 2, 3, 4], 'TC':[1, 3, 4], 'ET':[4]} and b['classes']['3'] == 'non-enhancing'   # BraTS 2015's labels
    assert s['regions'] is None and s['classes'] == {'0':'background', '1':'tumour'}
    assert s['blank_sequences'] == b['blank_sequences'] == {}

def test_inspect_names_blank_sequences(tmp_path, capsys):
    "A sequence of one value in every voxel (a blank or failed export) is reported, by case, in the summary and as a warning."
    import nibabel as nib
    from tumortrace.synthetic import write_brats
    for cid in ('BraTS_0001', 'BraTS_0002'): write_brats(tmp_path, cid, shape=(24, 24, 6))
    f = tmp_path/'BraTS_0002'/'BraTS_0002_t1.nii.gz'; x = nib.load(str(f))
    nib.save(nib.Nifti1Image(np.full(x.shape, 7, np.float32), x.affine), str(f))
    assert main(['inspect', str(tmp_path), '--json']) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)['blank_sequences'] == {'BraTS_0002':['t1']}
    assert 'warning: 1 case with a sequence of one value in every voxel (a blank or failed export?): BraTS_0002: t1' in out.err

@pytest.mark.skipif(not (SHARED/'lgg').exists(), reason='../shared/data/lgg is not beside this checkout')
def test_inspect_shared_lgg(capsys):
    s = inspect_json(SHARED/'lgg', capsys=capsys)
    assert (s['n_cases'], s['n_slices'], s['n_tumour_slices']) == (71, 2548, 886)   # ../shared/data/README.md

@pytest.mark.skipif(not (SHARED/'brats2015').exists(), reason='../shared/data/brats2015 is not beside this checkout')
def test_inspect_shared_brats(capsys):
    s = inspect_json(SHARED/'brats2015', capsys=capsys)
    assert s['n_cases'] == 4 and all(c['n_slices'] == 155 for c in s['cases'])

def test_inspect_console_script_exit_code(tmp_path):
    "The installed command exits non-zero and prints file + problem on bad input."
    (tmp_path/'x.txt').write_text('hi')
    r = subprocess.run([sys.executable, '-m', 'tumortrace.cli', 'inspect', str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 1 and 'unknown layout' in r.stderr and str(tmp_path) in r.stderr
