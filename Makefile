# rppsync — `make help` lists the targets.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)

BIN        ?= bin/rppsync
GO         ?= go
BENCH_DIR  ?= /tmp/rppsync-bench
FIXTURE_DIR := fixtures/directory
AGENCIES   := $(wildcard fixtures/agencies/*.xlsx fixtures/agencies/*.csv)
# make run tells the sample data's story as of today: copies with their
# mission and card dates moved from the day they were written for.
SAMPLE_DIR := bin/sample
SAMPLE_DAY := 2026-11-25

.PHONY: help build run test bench lint db fuzz fixtures clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## Build bin/rppsync
	$(GO) build -o $(BIN) ./cmd/rppsync

db: ## Make a PostgreSQL server reachable (start or install it) and create the databases
	@bash scripts/db.sh >/dev/null

run: build ## The main job end to end on the sample data in fixtures/ (dates moved to today)
	@rm -rf $(SAMPLE_DIR) && \
	$(GO) run ./fixtures/cmd/shiftdates -from $(SAMPLE_DAY) -since 2026-01-01 -out $(SAMPLE_DIR) $(AGENCIES) && \
	$(GO) run ./fixtures/cmd/shiftdates -from $(SAMPLE_DAY) -out $(SAMPLE_DIR) $(FIXTURE_DIR)/Porteurs_CPS_CPF_202611200800.txt
	@url=$$(FRESH_DB=rppsync_sample bash scripts/db.sh) && export DATABASE_URL=$$url && set -x && \
	$(BIN) migrate && \
	$(BIN) directory load --force $(FIXTURE_DIR)/PS_LibreAcces_Personne_activite_202611200800.txt && \
	$(BIN) directory load --force $(SAMPLE_DIR)/Porteurs_CPS_CPF_202611200800.txt && \
	$(BIN) check --format table $(addprefix $(SAMPLE_DIR)/,$(notdir $(AGENCIES))) && \
	$(BIN) import --agency fixtures $(addprefix $(SAMPLE_DIR)/,$(notdir $(AGENCIES))) && \
	$(BIN) queue list --format table && \
	$(BIN) status --format table

test: db ## Run every test against the real PostgreSQL, with the race detector
	$(GO) vet ./...
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/rppsync_test?sslmode=disable} \
	  $(GO) test -race -count=1 -timeout 20m ./...

bench: build ## Benchmarks: Go benchmarks, then the scripted full-size runs (see README)
	$(GO) test -run '^$$' -bench . -benchmem ./...
	bash scripts/bench.sh $(BENCH_DIR)

lint: ## gofmt, go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fuzz: ## Run every fuzz target for 20 s each
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 20s $$pkg || exit 1; done; done

fixtures: ## Regenerate the sample agency files in fixtures/agencies
	$(GO) run ./fixtures/cmd/genagencies

clean: ## Remove build output
	rm -rf bin
