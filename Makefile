# pollscope: a KVM-backed x86_64 emulator that shows an async executor live.
#   make run     the emulator on the embedded demo kernel (ARGS="..." adds flags)
#   make test    vet, the committed-kernel check and every test
#   make kernel  rebuild guest/kernel.elf from guest/kernel (needs cargo)
#   make bench   the benchmark suite

GO      ?= go
ARGS    ?=
export PATH := /usr/local/go/bin:$(PATH)

.PHONY: run test kernel bench setup-run setup-test check-kernel vet fuzz

run: setup-run
	$(GO) run ./cmd/pollscope $(ARGS)

test: setup-test vet check-kernel
	$(GO) test -count=1 -timeout 12m ./...

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

kernel:
	guest/kernel/build.sh

# The committed guest/kernel.elf must be what the committed source builds.
check-kernel:
	@scripts/check-kernel.sh

bench: setup-test
	$(GO) test -run '^$$' -bench . -benchtime 3x -count 1 ./benchmarks/

setup-run:
	@scripts/setup.sh run

setup-test:
	@scripts/setup.sh test
