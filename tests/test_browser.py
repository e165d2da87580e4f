"""The viewer in a real JupyterLab, driven in headless Chromium by Playwright.

JupyterLab runs on 127.0.0.1 with a token; Playwright drives Debian's `chromium` (it cannot download its own
browser here). The test opens a notebook that shows `tumortrace.viewer` on the bundled sample, runs it, drags
the slice slider and checks that the picture in the page changed, toggles a layer, and turns the mouse wheel over the picture. Screenshots go to test-artifacts/.
Skipped (with this reason printed by `pytest -rs`) only when no Chromium is installed; `.ci/run` installs it."""
import io, json, os, secrets, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import numpy as np
import pytest
from conftest import ROOT, DATA, SAMPLE_MODEL, ARTIFACTS

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--disable-quic']

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine: `apt-get install chromium` "
                                "(Debian's package; .ci/run installs it) to run the real-browser viewer test")

def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _notebook(path:Path):
    src = ("import tumortrace\n"
           f"v = tumortrace.viewer({str(DATA/'lgg')!r}, model={str(SAMPLE_MODEL)!r},"
           " patients=['TCGA_HT_7693_19950520', 'TCGA_CS_4942_19970222', 'TCGA_HT_7860_19960513'],"
           " layers=('truth', 'prediction'), opacity=0.6)\n"
           "v")
    nb = {'cells': [{'cell_type': 'code', 'execution_count': None, 'id': 'viewer', 'metadata': {}, 'outputs': [], 'source': src}],
          'metadata': {'kernelspec': {'display_name': 'Python 3', 'language': 'python', 'name': 'python3'}},
          'nbformat': 4, 'nbformat_minor': 5}
    path.write_text(json.dumps(nb))

@pytest.fixture
def lab(tmp_path):
    "A JupyterLab server on 127.0.0.1 with a token, serving a folder holding the viewer notebook."
    _notebook(tmp_path/'viewer.ipynb')
    news = tmp_path/'settings'/'@jupyterlab'/'apputils-extension'/'notification.jupyterlab-settings'
    news.parent.mkdir(parents=True); news.write_text('{"fetchNews": "false"}')   # no "get Jupyter news?" toast
    port,token = _free_port(),secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path/'cfg'), JUPYTER_RUNTIME_DIR=str(tmp_path/'rt'),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path/'settings'), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path/'ws'))
    log = open(tmp_path/'lab.log', 'w')
    proc = subprocess.Popen([sys.executable, '-m', 'jupyterlab', '--no-browser', '--ServerApp.ip=127.0.0.1', f'--port={port}',
                             f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={tmp_path}',
                             '--LabApp.expose_app_in_browser=True', '--allow-root', '--LabApp.news_url=None',
                             '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'],
                            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    url = f'http://127.0.0.1:{port}'
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f'{url}/api/status?token={token}', timeout=2); break
            except OSError:
                if proc.poll() is not None: break
                time.sleep(0.5)
        else: pytest.fail(f"JupyterLab did not start: {(tmp_path/'lab.log').read_text()[-2000:]}")
        yield url, token
    finally:
        proc.terminate()
        try: proc.wait(10)
        except subprocess.TimeoutExpired: proc.kill()
        log.close()

def _pixels(png:bytes)->np.ndarray:
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert('RGB')).astype(int)

def test_viewer_in_jupyterlab(lab, tmp_path):
    from playwright.sync_api import sync_playwright
    url,token = lab
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={'width': 1280, 'height': 900})
            page.goto(f'{url}/lab/tree/viewer.ipynb?token={token}')
            page.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell')", timeout=90_000)
            page.wait_for_function("() => { const s = window.jupyterapp.shell.currentWidget?.sessionContext?.session;"
                                   " return s && s.kernel && s.kernel.status === 'idle'; }", timeout=90_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            img = page.locator('.jp-OutputArea img.widget-image').first
            img.wait_for(state='visible', timeout=180_000)
            page.wait_for_function("() => { const i = document.querySelector('.jp-OutputArea img.widget-image');"
                                   " return i && i.complete && i.naturalWidth > 0; }", timeout=60_000)
            page.wait_for_function("() => !document.querySelector('.jp-OutputArea').innerText.includes('predicting')",
                                   timeout=120_000)            # the prediction arrives from the viewer's worker thread
            page.wait_for_timeout(500)
            slider = page.locator('.jp-OutputArea .widget-hslider', has=page.locator('label', has_text='slice')).first
            readout = slider.locator('.widget-readout')
            before_value, before = readout.inner_text(), _pixels(img.screenshot())
            page.screenshot(path=str(ARTIFACTS/'viewer_before.png'))
            handle = slider.locator('.noUi-handle')
            box = handle.bounding_box()
            page.mouse.move(box['x'] + box['width']/2, box['y'] + box['height']/2)
            page.mouse.down(); page.mouse.move(box['x'] - 12, box['y'] + box['height']/2, steps=6); page.mouse.up()
            deadline, after = time.time() + 60, before
            while time.time() < deadline:
                page.wait_for_timeout(500)
                after = _pixels(img.screenshot())
                if after.shape != before.shape or (after != before).any(): break
            after_value = readout.inner_text()
            page.screenshot(path=str(ARTIFACTS/'viewer_after.png'))
            assert after_value != before_value, f"the slider did not move ({before_value})"
            assert after.shape != before.shape or (after != before).mean() > 0.01, "the picture did not change with the slice"
            # the picture shows the MRI in grey and the prediction/truth colours, not a blank or error box
            assert after.std() > 20
            # a layer toggle, clicked: the error map replaces the prediction fill (TP in bluish green #009E73)
            page.locator('.jp-OutputArea button.widget-toggle-button', has_text='errors').click()
            deadline, errors = time.time() + 60, after
            while time.time() < deadline and not (errors != after).any():
                page.wait_for_timeout(300); errors = _pixels(img.screenshot())
            page.screenshot(path=str(ARTIFACTS/'viewer_errors.png'))
            def greenish(a):   # TP bluish green blended at opacity 0.6 over grey: G well above R and above B
                a = a[int(.1 * len(a)):int(.88 * len(a))].astype(int)          # the slice, not the legend under it
                return int(((a[..., 1] > a[..., 0] + 40) & (a[..., 1] > a[..., 2])).sum())
            assert greenish(errors) > greenish(after) + 200, (greenish(errors), greenish(after))
            # the mouse wheel over the picture steps through the slices (ipyevents), as in ITK-SNAP
            wheel_before = readout.inner_text()
            img.hover(); page.mouse.wheel(0, 120)
            deadline = time.time() + 30
            while time.time() < deadline and readout.inner_text() == wheel_before: page.wait_for_timeout(300)
            page.screenshot(path=str(ARTIFACTS/'viewer_wheel.png'))
            assert readout.inner_text() != wheel_before, "the mouse wheel over the picture did not change the slice"
            def wait_until(cond, what, timeout=60):
                deadline = time.time() + timeout
                while time.time() < deadline and not cond(): page.wait_for_timeout(300)
                assert cond(), what
            # an arrow key over the picture steps back
            key_before = readout.inner_text(); img.hover(); page.keyboard.press('ArrowDown')
            wait_until(lambda: readout.inner_text() != key_before, "the arrow key did not change the slice", 30)
            # the size control makes the picture wider
            w0 = img.evaluate('i => i.naturalWidth')
            handle = page.locator('.jp-OutputArea .widget-hslider', has=page.locator('label', has_text='size px')).first.locator('.noUi-handle')
            b = handle.bounding_box()
            page.mouse.move(b['x'] + b['width']/2, b['y'] + b['height']/2)
            page.mouse.down(); page.mouse.move(b['x'] + 50, b['y'] + b['height']/2, steps=6); page.mouse.up()
            wait_until(lambda: img.evaluate('i => i.naturalWidth') > w0, "the size control did not widen the picture", 30)
            page.screenshot(path=str(ARTIFACTS/'viewer_size.png'))
            # "save view" writes the picture as PNG (and SVG) beside the notebook
            page.locator('.jp-OutputArea button', has_text='save view').click()
            wait_until(lambda: list((tmp_path/'viewer-snapshots').glob('*.png')), "save view wrote no PNG", 30)
            # the per-patient table: "score all" fills it, sorted worst first; choosing the best row opens that patient
            page.locator('.jp-OutputArea button', has_text='score all').click()
            out = page.locator('.jp-OutputArea').first
            wait_until(lambda: 'all 3 patients scored' in out.inner_text(), "score all did not finish", 180)
            table = page.locator('.tumortrace-table select').first
            rows = table.evaluate('s => [...s.options].map(o => o.text)')
            dices = [float(r.split()[1]) for r in rows]
            assert len(rows) == 3 and dices == sorted(dices), rows
            table.select_option(index=2)
            patient = page.locator('.jp-OutputArea .widget-dropdown select').first
            best = rows[2].split()[0]
            wait_until(lambda: patient.evaluate('s => s.options[s.selectedIndex].text').startswith(best), f"the row did not open {best}", 60)
            page.screenshot(path=str(ARTIFACTS/'viewer_table.png'))
            # JupyterLab's dark theme: the picture's background is the theme's (transparent figure), so it stays dark
            page.evaluate("window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
            wait_until(lambda: page.evaluate("document.body.dataset.jpThemeLight") == 'false', "the dark theme did not apply", 30)
            page.wait_for_timeout(1000)
            dark = _pixels(img.screenshot())
            page.screenshot(path=str(ARTIFACTS/'viewer_dark.png'))
            assert dark[:12, :12].mean() < 80, dark[:12, :12].mean()            # the corner: no white figure box
        finally: browser.close()

def test_report_opens_offline(sample_eval):
    "report.html shows its figures in Chromium with every network request refused."
    from playwright.sync_api import sync_playwright
    from tumortrace.report import report
    html = report(sample_eval)
    ARTIFACTS.mkdir(exist_ok=True)
    asked = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={'width': 1100, 'height': 1400})
            def refuse(route):
                if not route.request.url.startswith(('file:', 'data:')): asked.append(route.request.url); route.abort()
                else: route.continue_()
            page.route('**/*', refuse)
            page.goto(html.resolve().as_uri())
            page.wait_for_load_state('load')
            imgs = page.evaluate("() => [...document.images].map(i => [i.complete, i.naturalWidth])")
            page.screenshot(path=str(ARTIFACTS/'report.png'), full_page=False)
        finally: browser.close()
    assert asked == [], f"the report asked the network for {asked[:3]}"
    assert len(imgs) >= 3 and all(ok and w > 0 for ok,w in imgs), imgs
