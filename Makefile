# Two commands: `make start` (set up, list lessons, check the first unfinished one) and `make test`
# (set up, then the whole suite: checker tests, every lesson verified, notebooks, the course site).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: start test check watch site i18n clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "awaitlings needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	@touch $(STAMP)

start: $(STAMP)
	@$(BIN)/awaitlings list
	@echo
	@$(BIN)/awaitlings check || true
	@echo
	@echo "Next: edit the file named above, then run '$(BIN)/awaitlings check' (or 'make watch')."

test: $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider checker/tests notebooks --nbval-lax --nbval-current-env

check: $(STAMP)
	@$(BIN)/awaitlings check

watch: $(STAMP)
	@$(BIN)/awaitlings watch

site: $(STAMP)
	$(BIN)/mkdocs serve

# The CLI's messages in Korean: extract the marked messages, merge them into the .po, compile the .mo
# (shipped in the package, so the CLI needs only the standard library's gettext at run time).
i18n: $(STAMP)
	cd checker && ../$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 --no-default-keywords \
		--no-location --sort-output --omit-header -o awaitlings/locale/awaitlings.pot .
	$(BIN)/pybabel update -i checker/awaitlings/locale/awaitlings.pot -d checker/awaitlings/locale -D awaitlings \
		-l ko --no-fuzzy-matching --ignore-obsolete --width 100
	$(BIN)/pybabel compile -d checker/awaitlings/locale -D awaitlings -l ko --statistics

clean:
	rm -rf $(VENV) site .awaitlings
