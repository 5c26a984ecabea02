# Convenience targets; the README's two commands need none of this (only python3).
PY := .venv/bin/python
FUZZ_SECONDS ?= 600

.venv/bin/python:
	python3 -m venv .venv
	.venv/bin/pip install -q -e '.[test]'

.PHONY: test fuzz
test: .venv/bin/python
	$(PY) -m pytest -q

# Not part of CI: coverage-guided fuzzing of the readers and gap for FUZZ_SECONDS.
fuzz: .venv/bin/python
	.venv/bin/pip install -q atheris
	mkdir -p fuzz/findings fuzz/scratch
	cp -n fuzz/corpus/* fuzz/scratch/
	$(PY) fuzz/fuzz_inputs.py -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 \
		-artifact_prefix=fuzz/findings/ fuzz/scratch
