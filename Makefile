# Two commands do all the set-up on a fresh machine (see README.md):
#   make serve   — install, load the demo content into SQLite, serve on http://127.0.0.1:5000
#   make test    — install, run the whole test suite
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: serve test install bench

$(STAMP): pyproject.toml package.json
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	@# Front-end assets come from the npm registry at set-up time, never from a CDN at run time.
	npm ci --no-audit --no-fund --silent
	rm -rf register/static/vendor && mkdir -p register/static/vendor
	cp -r node_modules/leaflet/dist register/static/vendor/leaflet
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	STADSREGISTER_ENV=$${STADSREGISTER_ENV:-development} $(VENV)/bin/stadsregister demo
	STADSREGISTER_ENV=$${STADSREGISTER_ENV:-development} $(VENV)/bin/stadsregister run --host 127.0.0.1 --port 5000

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q

bench: $(STAMP)
	$(VENV)/bin/python bench/run.py
