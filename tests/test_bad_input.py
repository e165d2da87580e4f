"Every kind of bad input named in the spine issue gives a DataError naming the file and the problem."
import shutil
import numpy as np, nibabel as nib, pytest
from PIL import Image
from tumortrace.core import DataError
from tumortrace.io import read_cases, summarize, read_brats_case
from tumortrace.synthetic import write_lgg, write_brats, write_folder
from tumortrace.data import save_split, load_split, split_patients

def check(fn, fname, words):
    with pytest.raises(DataError) as e: fn()
    msg = str(e.value)
    assert fname in msg and words in msg, msg
    return msg

def test_corrupt_image(tmp_path, lgg_patient):
    d = tmp_path/lgg_patient.name; shutil.copytree(lgg_patient, d)
    (d/f'{d.name}_12.tif').write_bytes(b'\x00' * 100)
    check(lambda: summarize(read_cases(tmp_path)), f'{d.name}_12.tif', 'cannot be read as an image')

def test_corrupt_png_in_folder(tmp_path):
    write_folder(tmp_path)
    (tmp_path/'images'/'scan02.png').write_bytes(b'\x89PNG\r\n\x1a\n broken')
    check(lambda: summarize(read_cases(tmp_path)), 'scan02.png', 'cannot be read as an image')

@pytest.mark.parametrize('layout', ['lgg', 'images_masks', 'pairs'])
def test_image_without_mask(tmp_path, layout):
    if layout == 'lgg':
        write_lgg(tmp_path, n_patients=1); next(tmp_path.glob('*/*_4_mask.tif')).unlink(); name = '_4.tif'
    else:
        write_folder(tmp_path, style=layout)
        (tmp_path/'masks'/'scan01.png').unlink() if layout == 'images_masks' else (tmp_path/'scan01_mask.png').unlink()
        name = 'scan01.png'
    check(lambda: read_cases(tmp_path), name, 'has no mask')

def test_mask_without_image(tmp_path):
    write_lgg(tmp_path, n_patients=1); next(tmp_path.glob('*/*_2.tif')).unlink()
    check(lambda: read_cases(tmp_path), '_2_mask.tif', 'mask without an image')

def test_mask_size_differs(tmp_path):
    write_folder(tmp_path)
    Image.fromarray(np.zeros((20, 24), np.uint8)).save(tmp_path/'masks'/'scan03.png')
    check(lambda: summarize(read_cases(tmp_path)), 'scan03.png', 'mask size 24x20 differs from its image')

def test_mask_bad_values(tmp_path):
    write_lgg(tmp_path, n_patients=1)
    m = next(tmp_path.glob('*/*_3_mask.tif'))
    import tifffile
    a = tifffile.imread(m); a[0, :4] = [0, 7, 128, 255]; tifffile.imwrite(m, a)
    check(lambda: summarize(read_cases(tmp_path)), '_3_mask.tif', 'are not class labels {0,1} or {0,255}')

def test_brats_unknown_label(tmp_path):
    d = write_brats(tmp_path, 'BraTS_0002', labels=(1, 2, 7))
    check(lambda: read_brats_case(d).mask(5), 'BraTS_0002_seg.nii.gz', 'not among the known labels')

def test_empty_folder(tmp_path):
    check(lambda: read_cases(tmp_path), tmp_path.name, 'is an empty folder')

def test_missing_path(tmp_path):
    check(lambda: read_cases(tmp_path/'nope'), 'nope', 'does not exist')

def test_unknown_layout(tmp_path):
    (tmp_path/'notes.txt').write_text('x'); (tmp_path/'sub').mkdir(); (tmp_path/'sub'/'a.csv').write_text('1')
    check(lambda: read_cases(tmp_path), tmp_path.name, 'unknown layout')

def _replace(path, arr):
    old = nib.load(str(path)); nib.save(nib.Nifti1Image(arr, old.affine), str(path))

def test_nifti_not_3d(tmp_path):
    d = write_brats(tmp_path, 'BraTS_0003')
    _replace(d/'BraTS_0003_flair.nii.gz', np.zeros((32, 32), np.float32))
    check(lambda: read_brats_case(d).image(0), 'BraTS_0003_flair.nii.gz', 'volume is 2-D')

def test_nifti_nan_warns_and_reads_background_inf_and_nan_labels_refused(tmp_path):
    d = write_brats(tmp_path, 'BraTS_0004')
    a = np.asarray(nib.load(str(d/'BraTS_0004_t2.nii.gz')).dataobj).copy(); a[3, 4, 5] = np.nan
    _replace(d/'BraTS_0004_t2.nii.gz', a)
    c = read_brats_case(d)
    with pytest.warns(UserWarning, match=r'BraTS_0004_t2\.nii\.gz: t2 volume contains 1 NaN voxels, read as its background \(0,'):
        v = c.volume()
    assert np.isfinite(v).all() and v[5, 3, 4, c.channel_names.index('t2')] == 0
    a[3, 4, 5] = np.inf; _replace(d/'BraTS_0004_t2.nii.gz', a)
    check(lambda: read_brats_case(d).image(0), 'BraTS_0004_t2.nii.gz', 't2 volume contains 1 infinite voxels')
    s = np.asarray(nib.load(str(d/'BraTS_0004_seg.nii.gz')).dataobj).astype(np.float32); s[1, 1, 1] = np.nan
    _replace(d/'BraTS_0004_seg.nii.gz', s)
    check(lambda: read_brats_case(d, modalities=['flair']).mask(0), 'BraTS_0004_seg.nii.gz', 'segmentation volume contains 1 NaN voxels')

def test_nan_padding_of_a_zscored_volume_reads_as_its_background(tmp_path):
    "A z-scored scan (background -3.2) padded with NaN reads exactly as the unpadded scan: NaN as 0 would be mean brain there, and the brain mask and crop grew."
    from conftest import DATA
    from tumortrace.io import read_nifti, _edge_value
    from tumortrace.data import brain_mask
    src = DATA/'brats2015'/'brats_2013_pat0006_1'/'Flair_subtrMeanDivStd.nii.gz'
    img = nib.load(str(src)); a = np.asarray(img.dataobj).astype(np.float32)
    bg = _edge_value(a); assert bg < -1                      # the z-scored background, not 0
    assert (a[:20] == bg).all()                                  # the first 20 rows hold only background ...
    p = a.copy(); p[:20] = np.nan                                # ... padded with NaN, as registration tools do
    nib.save(nib.Nifti1Image(p, img.affine), str(tmp_path/'padded.nii.gz'))
    with pytest.warns(UserWarning, match=r'padded\.nii\.gz: image volume contains \d+ NaN voxels, read as its background \(-'):
        got = read_nifti(tmp_path/'padded.nii.gz')[0]
    np.testing.assert_array_equal(got, a)
    v = lambda x: x.transpose(2, 0, 1)[..., None]
    np.testing.assert_array_equal(brain_mask(v(got)), brain_mask(v(a)))

def test_nifti_shape_mismatch(tmp_path):
    d = write_brats(tmp_path, 'BraTS_0005')
    _replace(d/'BraTS_0005_t1.nii.gz', np.zeros((30, 32, 10), np.float32))
    check(lambda: read_brats_case(d).image(0), 'BraTS_0005_t1.nii.gz', 'differs from the segmentation')

def test_brats_missing_seg(tmp_path):
    d = write_brats(tmp_path, 'BraTS_0006'); (d/'BraTS_0006_seg.nii.gz').unlink()
    check(lambda: read_cases(tmp_path), 'BraTS_0006', 'has no segmentation')

def test_bad_split_file(tmp_path):
    ids = [f'p{i}' for i in range(10)]
    sp = split_patients(ids, seed=0); sp['valid'].append(sp['train'][0]); save_split(sp, tmp_path/'split.json')
    check(lambda: load_split(tmp_path/'split.json', ids), 'split.json', 'patients in both train/valid')
    (tmp_path/'bad.json').write_text('{not json')
    check(lambda: load_split(tmp_path/'bad.json'), 'bad.json', 'is not a readable split file')

def test_nothing_half_written(tmp_path):
    "A failing write leaves neither the file nor a temporary behind."
    with pytest.raises(Exception): save_split({'x': object()}, tmp_path/'split.json')
    assert list(tmp_path.iterdir()) == []

@pytest.mark.parametrize('shape', [(200, 256, 3), (256, 256, 1)])
def test_slices_of_one_patient_differ(tmp_path, lgg_patient, shape):
    "One slice of a real patient smaller, or grey where the others are colour (with its mask resized alike): inspect and the volume name that slice."
    import tifffile
    d = tmp_path/lgg_patient.name; shutil.copytree(lgg_patient, d)
    a = tifffile.imread(d/f'{d.name}_7.tif')
    tifffile.imwrite(d/f'{d.name}_7.tif', np.ascontiguousarray(a[:shape[0]] if shape[2] == 3 else a[..., 1]))
    tifffile.imwrite(d/f'{d.name}_7_mask.tif', np.ascontiguousarray(tifffile.imread(d/f'{d.name}_7_mask.tif')[:shape[0]]))
    words = f"image slice 7 is {'x'.join(map(str, shape))} where the first is 256x256x3"
    check(lambda: summarize(read_cases(tmp_path)), f'{d.name}_7.tif', words)
    check(lambda: read_cases(tmp_path)[0].volume(), f'{d.name}_7.tif', words)

def test_slice_of_another_bit_depth(tmp_path, lgg_patient):
    "One 16-bit slice among 8-bit ones (np.stack widened it, and its intensities 257x the others' changed the prediction): named, refused."
    import tifffile
    d = tmp_path/lgg_patient.name; shutil.copytree(lgg_patient, d)
    tifffile.imwrite(d/f'{d.name}_7.tif', tifffile.imread(d/f'{d.name}_7.tif').astype(np.uint16) * 257)
    words = "image slice 7 is uint16 where the first is uint8: the slices of one case must share one bit depth"
    check(lambda: summarize(read_cases(tmp_path)), f'{d.name}_7.tif', words)
    check(lambda: read_cases(tmp_path)[0].volume(), f'{d.name}_7.tif', words)

def test_nifti_modalities_on_different_grids(tmp_path):
    "A modality of the right shape but shifted 25 mm (another grid in space) is refused, for training and for prediction, naming its file."
    from tumortrace.io import read_inputs
    d = write_brats(tmp_path, 'BraTS_0007')
    f = d/'BraTS_0007_t1.nii.gz'; img = nib.load(str(f)); aff = img.affine.copy(); aff[0, 3] += 25
    nib.save(nib.Nifti1Image(np.asarray(img.dataobj), aff), str(f))
    check(lambda: read_brats_case(d).image(0), 'BraTS_0007_t1.nii.gz', 'affine differs from the segmentation')
    check(lambda: read_inputs(d)[0].image(0), 'BraTS_0007_t1.nii.gz', 'not on one voxel grid')

def test_inspect_reads_the_brain_mask(tmp_path):
    "A truncated brainmask.nii.gz of a real BraTS case is found by `summarize` (inspect), not first inside a training job."
    from conftest import DATA
    d = tmp_path/'brats_2013_pat0006_1'; shutil.copytree(DATA/'brats2015'/d.name, d)
    b = (d/'brainmask.nii.gz').read_bytes(); (d/'brainmask.nii.gz').write_bytes(b[:len(b) // 2])
    check(lambda: summarize(read_cases(tmp_path)), 'brainmask.nii.gz', 'cannot be read as NIfTI')
