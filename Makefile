# pollscope: a KVM-backed x86_64 emulator that shows an async executor live.
#   make build   ./pollscope, with the GUI; it runs headless too (-display none)
#   make run     the emulator on the embedded demo kernel (ARGS="..." adds flags)
#   make test    vet, the committed-kernel check and every test
#   make kernel  rebuild guest/kernel.elf from guest/kernel (needs cargo)
#   make bench   the benchmark suite

GO      ?= go
ARGS    ?=
export PATH := /usr/local/go/bin:$(PATH)

.PHONY: build run test kernel bench setup-run setup-test check-kernel vet fuzz

# One binary for both: built with the GUI (-tags gui) in a Go workspace
# where ebiten opens the display at first use instead of at program start
# (scripts/ebitenlazy), so ./pollscope also runs headless (-display none, or
# terminal mode by itself where there is no display).
GUI_WORK = .gui-work

build: setup-run
	@$(GO) run ./scripts/ebitenlazy -o $(GUI_WORK)
	GOWORK=$(CURDIR)/$(GUI_WORK)/go.work $(GO) build -tags gui,ebitenlazy -o pollscope ./cmd/pollscope

run: build
	./pollscope $(ARGS)

test: setup-test vet check-kernel
	$(GO) test -count=1 -timeout 12m ./...

STATICCHECK = $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

vet:
	$(GO) vet ./...
	$(GO) test -count=1 -run 'TestKernelModules|TestKernelCore|TestModuleGraph' ./guest/
	$(GO) vet -tags gui ./cmd/pollscope ./ui/...
	$(STATICCHECK) ./... && $(STATICCHECK) -tags gui ./cmd/pollscope ./ui/...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

kernel:
	guest/kernel/build.sh

# The committed guest/kernel.elf must be what the committed source builds.
check-kernel:
	@scripts/check-kernel.sh

# Each benchmark runs BENCH_COUNT times; the report prints medians, spreads
# and ratios. The raw output stays in artifacts/bench.txt for benchstat.
BENCH_COUNT ?= 3
bench: setup-test
	@mkdir -p artifacts
	$(GO) test -run '^$$' -bench . -benchtime 1x -count $(BENCH_COUNT) -timeout 30m ./benchmarks/ | tee artifacts/bench.txt
	$(GO) test -run '^$$' -bench Frame -benchtime 60x -count $(BENCH_COUNT) ./ui/view/ | tee -a artifacts/bench.txt
	$(GO) test -run '^$$' -bench 'BackendComparison|Kernel|Loop' -benchtime 1x -count $(BENCH_COUNT) ./cpu/interp/ | tee -a artifacts/bench.txt
	@echo
	$(GO) run ./benchmarks/report artifacts/bench.txt artifacts/switch-costs.svg

setup-run:
	@scripts/setup.sh run

setup-test:
	@scripts/setup.sh test
