# diaoyan — `make run` and `make test` work on a fresh clone with only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORPUS ?= corpus
OUT    ?= outputs
SHARED ?= ../shared
SEEDS  := $(SHARED)/corpus/seeds
GOLD   := $(SHARED)/gold/seeds-partial.json
REAL   := $(SHARED)/corpus
# themes-second-annotator / themes-adjudicated group the same items again: scored apart
GOLD_FILES := $(filter-out tests/gold/split-% tests/gold/synthetic-% tests/gold/themes-second-% \
                tests/gold/themes-adjudicated%,$(wildcard tests/gold/*.json))
REAL_GOLD := $(foreach f,$(GOLD_FILES),--gold $(f))
SPLITS := $(foreach f,$(wildcard tests/gold/split-*.json),--split $(f))

.PHONY: install run test eval eval-real bench nightly lint screenshot clean distclean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/diaoyan run $(CORPUS) --out $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Score the pipeline on the real seeds against the shared gold labels, then on all the
# real reports in ../shared/corpus against our own gold (development and held-out parts).
eval: $(STAMP)
	@test -d $(SEEDS) || { echo "no seeds at $(SEEDS)"; exit 1; }
	$(BIN)/diaoyan run $(SEEDS) --out $(OUT)/eval-seeds
	$(BIN)/diaoyan eval $(OUT)/eval-seeds --gold $(GOLD)
	@$(MAKE) --no-print-directory eval-real

eval-real: $(STAMP)
	@test -d $(REAL) || { echo "no real corpus at $(REAL)"; exit 1; }
	$(BIN)/diaoyan run $(REAL) --out $(OUT)/eval-real
	$(BIN)/diaoyan eval $(OUT)/eval-real $(REAL_GOLD) $(SPLITS)
	@echo "themes against the adjudicated theme gold (tests/gold/README.md):"
	@$(BIN)/diaoyan eval $(OUT)/eval-real --gold tests/gold/themes-adjudicated.json $(SPLITS) \
	    | grep -E "^  themes|^\[" | sed -E 's/^(\[[^]]+\]).*/\1/'
	@echo "how far a second, blind annotation agrees with the theme gold, and each with the adjudicated one:"
	@$(BIN)/python scripts/theme_agreement.py tests/gold/themes-provinces.json,tests/gold/seeds-more.json tests/gold/themes-second-annotator.json
	@$(BIN)/python scripts/theme_agreement.py tests/gold/themes-adjudicated.json tests/gold/themes-provinces.json,tests/gold/seeds-more.json
	@$(BIN)/python scripts/theme_agreement.py tests/gold/themes-adjudicated.json tests/gold/themes-second-annotator.json

# Every stage against raw jieba on a generated corpus (see bench/README.md);
# BENCH_ARGS="--docs 300" or "--large" (10,000 reports) for other sizes.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

# For a lab server's cron: waits up to an hour for a run still holding the folder,
# processes only what changed, then scores against gold when it is there.
nightly: $(STAMP)
	$(BIN)/diaoyan run $(CORPUS) --out $(OUT) --wait 3600
	@if [ -d $(SEEDS) ]; then $(MAKE) --no-print-directory eval; fi

# PNGs of the HTML report (headless Chromium from Debian: apt-get install chromium
# chromium-driver fonts-noto-cjk), written to $(OUT)/screenshots/.
screenshot: $(STAMP)
	$(BIN)/python scripts/screenshot_report.py $(OUT)

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench scripts

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache bench/out

distclean: clean
	rm -rf $(VENV) *.egg-info
