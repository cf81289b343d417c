# Two commands: `make start` (set up, list lessons, check the first unfinished one) and `make test`
# (set up, then the whole suite: checker tests, every lesson verified, notebooks, the course site).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: start test check watch site clean

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

clean:
	rm -rf $(VENV) site .awaitlings
