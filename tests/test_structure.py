"Imports run one way, along the pipeline: no module imports a module of a later stage."
import ast, subprocess, sys
from conftest import ROOT

# the pipeline's order: each module may import only modules before it
STAGES = ['core', 'synthetic', 'io', 'data', 'augment', 'stats', 'metrics', 'postprocess', 'model', 'decision', 'train', 'evaluate', 'crossval',
          'viz', 'inference', 'widgets', 'report', 'cli']

def _imports(f):
    "tumortrace modules a file imports, at the top or inside functions."
    found = set()
    for n in ast.walk(ast.parse(f.read_text())):
        if isinstance(n, ast.ImportFrom):
            mod = n.module or ''
            if n.level == 1: found.add(mod.split('.')[0] if mod else None)
            elif mod.startswith('tumortrace.'): found.add(mod.split('.')[1])
            elif mod == 'tumortrace': found |= {a.name for a in n.names}
        elif isinstance(n, ast.Import):
            found |= {a.name.split('.')[1] for a in n.names if a.name.startswith('tumortrace.')}
    return found - {None, '_modidx', '__init__'}

def test_every_module_has_a_stage():
    mods = {f.stem for f in (ROOT/'tumortrace').glob('*.py')} - {'__init__', '_modidx'}
    assert mods == set(STAGES), mods ^ set(STAGES)

def test_imports_run_one_way():
    bad = []
    for m in STAGES:
        for dep in _imports(ROOT/'tumortrace'/f'{m}.py'):
            if dep in STAGES and STAGES.index(dep) > STAGES.index(m): bad.append(f'{m} imports {dep}')
    assert not bad, bad

def test_a_loaded_model_predicts_without_importing_inference():
    code = ("import sys, tumortrace.model as m; assert hasattr(m.SegModel, 'predict_volume') and hasattr(m.SegModel, 'predict_case'); "
            "assert 'tumortrace.inference' not in sys.modules; print('ok')")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert r.stdout.strip() == 'ok', r.stderr[-2000:]
