# Two commands do all the set-up on a fresh machine:  `make demo`  and  `make test`.
# Both create .venv (Python 3.10+) and install tumortrace with its pinned dependencies first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= runs/demo

.PHONY: venv demo test test-nbs test-py sync-check export readme lab clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name 'Python 3 (tumortrace)'
	touch $(STAMP)

venv: $(STAMP)

## Run the demo on the bundled sample (data/): writes $(OUT)/
demo: venv
	$(BIN)/tumortrace demo --out $(OUT)

## Run every test: notebooks in sync with the library, the notebooks themselves, then pytest.
test: venv sync-check test-nbs test-py

sync-check: venv
	$(BIN)/nbdev-export
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git diff --exit-code --stat -- tumortrace || { echo 'tumortrace/ is out of sync with nbs/: commit the notebooks and the export together'; exit 1; }; fi
	@for f in nbs/jobs/*.ipynb; do cmp -s $$f tumortrace/jobs/$$(basename $$f) || { echo "$$f differs from tumortrace/jobs: run make export"; exit 1; }; done
	$(BIN)/python tools/nb2readme.py --check

## Export the library from nbs/ (and copy the papermill jobs into the package)
export: venv
	$(BIN)/nbdev-export
	mkdir -p tumortrace/jobs && cp nbs/jobs/*.ipynb tumortrace/jobs/

# Each test run writes its scratch files (trained models, checkpoints: gigabytes) under a folder of its own,
# removed when the run ends, passed or failed: runs must not fill the disk one after another.
SCRATCH = scratch=$$(mktemp -d "$${TMPDIR:-/tmp}/tumortrace-test.XXXXXX") && trap 'rm -rf "$$scratch"' EXIT INT TERM && export TMPDIR=$$scratch

test-nbs: venv
	@$(SCRATCH); \
	$(BIN)/nbdev-test --n-workers 2 --timing --skip-folder-re '^jobs$$'

test-py: venv
	@$(SCRATCH); \
	$(BIN)/python -m pytest -q tests

readme: venv
	$(BIN)/python tools/nb2readme.py

## JupyterLab on nbs/ (tutorials, library notebooks) with tumortrace installed; the viewer works there
lab: venv
	$(BIN)/jupyter lab nbs

clean:
	rm -rf $(VENV) runs _proc
