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
