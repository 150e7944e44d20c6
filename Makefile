# Two commands do everything from a fresh clone: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: run serve-prod export-site loadtest test test-sqlite test-postgres ci check load migrate install install-test clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(PY) manage.py migrate --noinput -v0

load: migrate
	$(PY) manage.py load_content

check: install
	$(PY) manage.py check_content

run: load
	@echo "Serving http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver $(HOST):$(PORT)

# axe-core for the browser tests' accessibility checks (package-lock.json).
# Without npm the axe checks skip locally (and fail under CI=true).
node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the axe-core checks of tests/browser will be skipped"; fi

test: install-test node_modules/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

# Production mode (issue #7; README "Production"): settings from the
# environment, DJANGO_SECRET_KEY required. Checks the deployment settings,
# collects static files (hashed, gzipped), migrates, loads content/, then runs
# gunicorn with WORKERS processes of THREADS threads on HOST:PORT (127.0.0.1:
# put a TLS proxy or load balancer in front). Threaded workers keep the
# proxy's connections alive: 3x the requests/s of sync workers on 2 cores
# (BENCHMARKS.md). One worker per core: on 2 cores, 2 workers gave more
# requests/s and a shorter p99 than 3, 4 or 6 (fewer processes contending for
# the cores; BENCHMARKS.md, "Load test"). Rendered pages are shared by the workers in KB_PAGE_CACHE_DIR,
# and each worker keeps the most read ones in memory, bounded in bytes
# (kb/conditional.py); kb/wsgi.py answers a page it has already sent, unchanged
# since, before Django. Workers are recycled after ~1,000,000 requests: a safety
# net only, since memory no longer grows with pages served; every restart
# stalls its connections for a second or two (p99 of bench/loadtest.sh), and
# at ~2,500 requests/s the former 50,000 came every 40 s, inside each run.
WORKERS ?= 2
THREADS ?= 4
serve-prod: export DJANGO_DEBUG = 0
serve-prod: export KB_PAGE_CACHE_DIR ?= $(CURDIR)/var/page-cache
serve-prod: install
	$(PY) manage.py check --deploy
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_content
	@echo "Serving http://$(HOST):$(PORT)/ with $(WORKERS)x$(THREADS) gunicorn workers (production settings)"
	exec $(VENV)/bin/gunicorn kb.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--worker-class gthread --threads $(THREADS) --keep-alive 5 $(if $(wildcard /dev/shm),--worker-tmp-dir /dev/shm) \
		--timeout 30 --graceful-timeout 20 --max-requests 1000000 --max-requests-jitter 100000 $(GUNICORN_ARGS)

# The whole site as static files for any host or CDN: make export-site BASE_URL=https://...
EXPORT_DIR ?= export
export-site: load
	$(PY) manage.py export_site $(EXPORT_DIR) --base-url "$(BASE_URL)" --check

# 64 connections for 60 s per scenario against serve-prod on 127.0.0.1 (bench/loadtest.sh).
loadtest: install
	bash bench/loadtest.sh

# The suite on the default SQLite database, whatever DATABASE_URL says.
test-sqlite:
	env -u DATABASE_URL $(MAKE) test

# The suite on a throwaway PostgreSQL server (.ci/pg.sh): needs the server
# binaries (apt-get install postgresql); as root it runs them as user kbci.
test-postgres: install-test
	.ci/with-postgres $(MAKE) test

# Exactly what CI runs: installs, both databases, summary.
ci:
	bash .ci/run

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles test-artifacts node_modules

# The performance suite of issue 8 (bench/run.py; figures go to BENCHMARKS.md).
# `make bench BENCH_N=1000` for one size; `make bench BENCH_QUICK=1` for a
# smoke run on 300 articles that leaves BENCHMARKS.md alone; BENCH_ARGS for
# more (e.g. --skip pg,mkdocs --nice -5; see bench/run.py --help).
BENCH_N ?=
.PHONY: bench
bench: install
	$(PY) bench/run.py $(if $(BENCH_N),--sizes "$(BENCH_N)") $(if $(BENCH_QUICK),--quick,--report BENCHMARKS.md) $(BENCH_ARGS)
