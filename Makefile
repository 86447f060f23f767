# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-dates install install-dev migrate seed serve services worker beat messages check bench clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Re-install only when a requirements file changed.
$(VENV)/.installed: requirements.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# The whole portal on http://127.0.0.1:8000: with REDIS_URL set, the real worker and beat
# run beside the web server (honcho and the Procfile); without it tasks run in-process.
run: seed
	@if [ -n "$$REDIS_URL" ]; then \
		HOST=$(HOST) $(VENV)/bin/honcho start -f Procfile --port $(PORT); \
	else \
		$(PY) manage.py runserver $(HOST):$(PORT); \
	fi

# honcho gives each process its own PORT counting from --port (else from 5000): the web
# server is the first, so it gets $(PORT) like `make serve`.
services: seed
	HOST=$(HOST) $(VENV)/bin/honcho start -f Procfile --port $(PORT)

serve: install
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=2

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule

# The whole suite; browser tests included (they skip loudly without Chromium, and fail in CI).
# lint-imports checks the arrows between the apps (.importlinter, docs/architecture.md).
test: install-dev
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(VENV)/bin/pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

# The suite on days that have broken date-dependent tests before: a Sunday that is a public
# holiday (6.12.), Christmas Eve, New Year's Day, and a late evening, when Helsinki's date is
# already the next day's or a deadline a few days ahead crosses one more midnight than it
# would in the morning. PORTAL_TEST_NOW sets the clock of the whole run
# (config/settings/test.py); browser, worker and cluster tests are left to `test`.
TEST_DATES ?= 2026-12-06T10:00 2026-12-24T10:00 2027-01-01T10:00 2026-12-04T23:30
test-dates: install-dev
	@for moment in $(TEST_DATES); do \
		echo "== the suite at $$moment"; \
		PORTAL_TEST_NOW=$$moment $(VENV)/bin/pytest -n $${PYTEST_WORKERS:-2} -q -p no:cacheprovider \
			-m "not browser and not worker and not cluster" || exit 1; \
	done

# Regenerate the translation catalogues (needs GNU gettext) and compile them.
messages: install
	for dir in consortium procurement newsletters louna; do \
		(cd $$dir && ../$(PY) ../manage.py makemessages -l fi -l sv --no-obsolete); \
	done
	(cd stats && ../$(PY) ../manage.py makemessages -l fi -l sv --no-obsolete --ignore='sushi/*')
	(cd stats/sushi && ../../$(PY) ../../manage.py makemessages -l fi -l sv --no-obsolete)
	$(PY) manage.py makemessages -l fi -l sv --no-obsolete --ignore='*/*' --ignore='.venv'
	$(PY) manage.py compile_catalogues

bench: install-dev
	$(PY) bench/pages.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
