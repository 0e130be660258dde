# pollscope: a KVM-backed x86_64 emulator that shows an async executor live.
#   make build   ./pollscope, with the GUI; it runs headless too (-display none)
#   make run     the emulator on the embedded demo kernel (ARGS="..." adds flags)
#   make test    vet, the committed-kernel check and every test
#   make kernel  rebuild guest/kernel.elf from guest/kernel (needs cargo)
#   make bench   the benchmark suite
#   make linux-demo  Debian's kernel and a busybox shell on the software CPU
#                    (fetched by scripts/linux-kit.sh; ARGS="-display gui")
#   make linux-qemu  the same kernel, initramfs and command line under QEMU
#   make test-linux  the Linux kit's tests (boots it; not part of make test)
#   make bench-linux time to the kit's shell on each backend and on QEMU

GO      ?= go
ARGS    ?=
export PATH := /usr/local/go/bin:$(PATH)

.PHONY: build run test kernel bench setup-run setup-test check-kernel vet fuzz \
	linux-kit linux-demo linux-qemu test-linux bench-linux

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
	$(GO) test -run '^$$' -bench 'BackendComparison|Kernel' -benchtime 1x -count $(BENCH_COUNT) ./cpu/interp/ | tee -a artifacts/bench.txt
	$(GO) test -run '^$$' -bench 'Loop' -count $(BENCH_COUNT) ./cpu/interp/ | tee -a artifacts/bench.txt
	$(GO) test -run '^$$' -bench 'Record|Open5M|Model5M' -benchtime 3x -count $(BENCH_COUNT) ./session/ | tee -a artifacts/bench.txt
	@echo
	$(GO) run ./benchmarks/report artifacts/bench.txt artifacts/switch-costs.svg

setup-run:
	@scripts/setup.sh run

setup-test:
	@scripts/setup.sh test

# A stock Linux on pollscope's PC (docs/linux.md). The kit (Debian's kernel
# as an ELF vmlinux and a busybox initramfs) is built by scripts/linux-kit.sh
# into ~/.cache/pollscope/linux with apt-get download; nothing is installed.
# The demo boots it on the software CPU in the terminal, what you type going
# to the PS/2 keyboard (-keys stdin), which the kit's shell on tty1 reads;
# both shells print on the serial port. Ctrl-C ends it.
LINUX_KIT = scripts/linux-kit.sh
linux-kit:
	@$(LINUX_KIT) build

linux-demo: build linux-kit
	@eval "$$($(LINUX_KIT) env)" && ./pollscope -display none -keys stdin -accel tcg -m 512 \
		-kernel "$$KIT_VMLINUX" -initrd "$$KIT_INITRD" -append "$$KIT_APPEND" $(ARGS)

linux-qemu: linux-kit
	@$(LINUX_KIT) qemu

# Boots the kit on every backend this host can run it on (KVM is skipped
# where the host emulates CPL0, saying why) and types into its shell.
test-linux: setup-test linux-kit
	POLLSCOPE_LINUX=1 $(GO) test -count=1 -v -timeout 20m ./linuxkit/

# One boot per backend and per QEMU accelerator, each a fresh process:
# about 10 s here, plus any boot that has to time out.
bench-linux: setup-test linux-kit
	POLLSCOPE_LINUX=1 $(GO) test -run '^$$' -bench BootToShell -benchtime 1x -count $(BENCH_COUNT) -timeout 60m -v ./linuxkit/
