"""Random shapes and dtypes into the readers and `predict_volume`: each works, or raises the project's own error.

"The project's own error" is a `DataError` (a file: named, with what is wrong) or a `ValueError` raised by
tumortrace's code itself (an array handed to the API), never an exception from deep inside numpy, PIL, tifffile,
nibabel, OpenCV or torch.
"""
import traceback
from pathlib import Path
import numpy as np, nibabel as nib, pytest, tifffile
from hypothesis import given, settings, HealthCheck, strategies as st
from conftest import SAMPLE_MODEL
from tumortrace.core import DataError
from tumortrace.io import read_image, read_nifti, read_cases

DTYPES = [np.uint8, np.uint16, np.int16, np.int32, np.float32, np.float64, np.bool_]
FUZZ = settings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", 40)), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

def ours(e:BaseException)->bool:
    "A DataError, or a ValueError raised in tumortrace's own code."
    if isinstance(e, DataError): return True
    last = traceback.extract_tb(e.__traceback__)[-1].filename
    return isinstance(e, ValueError) and f'{Path("tumortrace")}' in last and 'site-packages' not in last

def array(draw, ndim_lo=1, ndim_hi=4, side_hi=40):
    shape = tuple(draw(st.lists(st.integers(0, side_hi), min_size=ndim_lo, max_size=ndim_hi)))
    dt = draw(st.sampled_from(DTYPES))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    a = (rng.standard_normal(shape) * draw(st.sampled_from([0, 1, 1e3, 1e6]))).astype(dt)
    if np.issubdtype(a.dtype, np.floating) and a.size and draw(st.booleans()): a.flat[0] = draw(st.sampled_from([np.nan, np.inf]))
    return a

@st.composite
def arrays(draw, **kw): return array(draw, **kw)

@FUZZ
@given(a=arrays(), ext=st.sampled_from(['tif', 'png']))
def test_read_image_random_files(tmp_path, a, ext):
    f = tmp_path/f'x.{ext}'
    try:
        if ext == 'tif': tifffile.imwrite(f, a)
        else:
            from PIL import Image
            Image.fromarray(a).save(f)
    except Exception: return                  # the writer itself cannot make this file: nothing to read
    try: r = read_image(f)
    except Exception as e:
        assert ours(e), ''.join(traceback.format_exception(e)); return
    assert r.ndim == 3 and 1 <= r.shape[-1] <= 3 and r.size > 0

@FUZZ
@given(a=arrays(ndim_lo=1, ndim_hi=5, side_hi=12))
def test_read_nifti_random_volumes(tmp_path, a):
    f = tmp_path/'x.nii.gz'
    try: nib.save(nib.Nifti1Image(a if a.dtype != np.bool_ else a.astype(np.uint8), np.eye(4)), str(f))
    except Exception: return
    try: v,aff,sp = read_nifti(f)
    except Exception as e:
        assert ours(e), ''.join(traceback.format_exception(e)); return
    assert v.ndim == 3 and np.isfinite(v.astype(float)).all() and aff.shape == (4, 4)

@FUZZ
@given(img=arrays(ndim_lo=2, ndim_hi=3, side_hi=24), msk=arrays(ndim_lo=2, ndim_hi=3, side_hi=24))
def test_read_cases_random_folder(tmp_path, img, msk):
    d = tmp_path/'data'
    (d/'images').mkdir(parents=True, exist_ok=True); (d/'masks').mkdir(exist_ok=True)
    try: tifffile.imwrite(d/'images'/'s1.tif', img); tifffile.imwrite(d/'masks'/'s1.tif', msk)
    except Exception: return
    try:
        c = read_cases(d)[0]
        v, m = c.volume(), c.mask_volume()
    except Exception as e:
        assert ours(e), ''.join(traceback.format_exception(e)); return
    assert v.shape[:3] == m.shape and set(np.unique(m)) <= {0, 1}

@pytest.fixture(scope='module')
def model():
    from tumortrace.model import load_model
    return load_model(SAMPLE_MODEL)

@FUZZ
@given(n=st.integers(0, 3), h=st.integers(0, 80), w=st.integers(0, 80), c=st.sampled_from([1, 2, 3, 4]),
       dt=st.sampled_from(DTYPES), scale=st.sampled_from([0, 1, 255, 1e5]), bad=st.sampled_from([None, np.nan, np.inf]))
def test_predict_volume_random_volumes(model, n, h, w, c, dt, scale, bad):
    v = (np.random.default_rng(n * 1000 + h * 10 + w).random((n, h, w, c)) * scale).astype(dt)
    if bad is not None and np.issubdtype(v.dtype, np.floating) and v.size: v.flat[0] = bad
    try: m = model.predict_volume(v)
    except Exception as e:
        assert ours(e), ''.join(traceback.format_exception(e)); return
    assert m.shape == (n, h, w) and set(np.unique(m)) <= {0, 1}
