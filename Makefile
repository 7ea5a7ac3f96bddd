# incubot: `make demo` runs the console chat on the embedded defaults,
# `make test` runs every test (the embedded database starts by itself).
GO      ?= go
BIN     := bin/incubot
DEVDB   := deploy/devdb/node_modules/.package-lock.json

.PHONY: all build demo test race vet bench eval deps clean

all: build

$(DEVDB): deploy/devdb/package.json deploy/devdb/package-lock.json
	npm ci --prefix deploy/devdb --no-audit --no-fund

deps: $(DEVDB)
	$(GO) mod download

build:
	$(GO) build -o $(BIN) ./cmd/incubot

demo: deps build
	$(BIN) chat --demo

test: deps
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

eval: deps build
	$(BIN) eval --corpus ../shared/eval/corpus --questions ../shared/eval/dev.jsonl

clean:
	rm -rf bin
