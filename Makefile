# incubot: `make demo` runs the console chat on the embedded defaults,
# `make test` runs every test (the embedded database starts by itself).
GO      ?= go
BIN     := bin/incubot
DEVDB   := deploy/devdb/node_modules/.package-lock.json

# Debian packages the tests use as users have them: LibreOffice, poppler and
# Tesseract for documents, Chromium for the console's browser test. Optional
# at run time; `make test` installs them when missing (apt, as root or sudo).
TEST_PKGS := libreoffice-writer-nogui libreoffice-calc-nogui tesseract-ocr tesseract-ocr-chi-sim \
             poppler-utils fonts-noto-cjk chromium

.PHONY: all build demo test race vet bench eval deps tools clean

all: build

$(DEVDB): deploy/devdb/package.json deploy/devdb/package-lock.json
	npm ci --prefix deploy/devdb --no-audit --no-fund

deps: $(DEVDB)
	$(GO) mod download

build:
	$(GO) build -o $(BIN) ./cmd/incubot

demo: deps build
	$(BIN) chat --demo

tools:
	@dpkg -s $(TEST_PKGS) >/dev/null 2>&1 || { \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing the Debian packages the tests need: $(TEST_PKGS)"; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEST_PKGS) >/dev/null; }

test: deps tools
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

eval: deps build
	$(BIN) eval --corpus ../shared/eval/corpus --questions ../shared/eval/dev.jsonl

clean:
	rm -rf bin
