# pollscope: a KVM-backed x86_64 emulator that shows an async executor live.
#   make run     the emulator on the embedded demo kernel (ARGS="..." adds flags)
#   make test    vet, the committed-kernel check and every test
#   make kernel  rebuild guest/kernel.elf from guest/kernel (needs cargo)
#   make bench   the benchmark suite

GO      ?= go
ARGS    ?=
export PATH := /usr/local/go/bin:$(PATH)

.PHONY: run test kernel bench setup-run setup-test check-kernel vet fuzz

# The GUI is linked in only with -tags gui (ebiten needs a display from the
# moment the program starts); without a display, make run uses the terminal.
run: setup-run
	@if [ -n "$$DISPLAY" ] || [ -n "$$WAYLAND_DISPLAY" ]; then \
		echo "$(GO) run -tags gui ./cmd/pollscope $(ARGS)"; $(GO) run -tags gui ./cmd/pollscope $(ARGS); \
	else \
		echo "make run: no display available (\$$DISPLAY is not set): running the terminal mode; serial output follows, Ctrl-C stops"; \
		$(GO) run ./cmd/pollscope -display none $(ARGS); \
	fi

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
	@echo
	$(GO) run ./benchmarks/report artifacts/bench.txt artifacts/switch-costs.svg

setup-run:
	@scripts/setup.sh run

setup-test:
	@scripts/setup.sh test
