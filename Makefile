# rppsync — `make help` lists the targets.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)

BIN        ?= bin/rppsync
GO         ?= go
BENCH_DIR  ?= /tmp/rppsync-bench
FIXTURE_DIR := fixtures/directory
AGENCIES   := $(wildcard fixtures/agencies/*.xlsx fixtures/agencies/*.csv)

.PHONY: help build run test bench lint db fuzz fixtures clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## Build bin/rppsync
	$(GO) build -o $(BIN) ./cmd/rppsync

db: ## Make a PostgreSQL server reachable (start or install it) and create the databases
	@bash scripts/db.sh >/dev/null

run: build ## The main job end to end on the sample data in fixtures/ (dates moved to today; digests to a local sink)
	@BIN=$(BIN) bash scripts/run-sample.sh

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
