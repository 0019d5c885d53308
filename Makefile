# Gongzhi: `make run` serves the platform on SQLite with demo data; `make test` installs and runs the suite.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000
PYTEST_ARGS ?= -n auto

.PHONY: run test install install-test translations messages vendor lint check-deploy browser-deps pdf-deps

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(PY)
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt $(PY)
	$(PIP) install --quiet -r requirements-test.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

translations: install
	$(PY) manage.py compile_translations

run: install pdf-deps translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py run_platform $(HOST)

# Pango and a CJK font for certificate PDFs (WeasyPrint); without them certificates cannot be printed.
pdf-deps:
	@if ldconfig -p 2>/dev/null | grep -q libpangoft2 && fc-list 2>/dev/null | grep -qiE "wqy|noto sans cjk"; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-zenhei >/dev/null 2>&1 || \
		 (apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-zenhei)) ; \
	else echo "Note: install Pango and fonts-wqy-zenhei (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-zenhei) to print certificates."; fi

# Debian's chromium and a CJK font for the browser tests; skipped (tests then skip) where apt is not usable.
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qiE "wqy|noto sans cjk"; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null 2>&1 || \
		 (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-zenhei)) ; \
	else echo "Note: Debian chromium not installed; browser tests will be skipped."; fi

test: install-test pdf-deps browser-deps translations
	$(VENV)/bin/pytest $(PYTEST_ARGS)

messages: install-test
	$(PY) manage.py makemessages -l zh_Hans -l en --no-location --no-obsolete --ignore=.venv/* --ignore=node_modules/* --ignore=staticfiles/* --ignore=static/vendor/* --ignore=tests/* --ignore=media/*
	$(PY) manage.py sync_english_catalogue
	$(PY) manage.py compile_translations

vendor:
	npm ci --no-audit --no-fund --ignore-scripts
	mkdir -p static/vendor/htmx && cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE static/vendor/htmx/

lint: install-test
	$(VENV)/bin/ruff check .

check-deploy: install
	DJANGO_ENV=production DJANGO_SECRET_KEY=$$($(PY) -c "import secrets;print(secrets.token_urlsafe(50))") \
	DJANGO_ALLOWED_HOSTS=gongzhi.example.gov.cn \
	GONGZHI_PII_KEY=$$($(PY) -c "import base64,os;print(base64.b64encode(os.urandom(32)).decode())") \
	GONGZHI_PII_HASH_KEY=$$($(PY) -c "import secrets;print(secrets.token_urlsafe(48))") \
	$(PY) manage.py check --deploy --fail-level WARNING
