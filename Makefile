# Two commands do everything from a fresh clone: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: run test test-sqlite test-postgres ci check load migrate install install-test clean

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

test: install-test
	$(PY) -m pytest $(PYTEST_ARGS)

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
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles test-artifacts
