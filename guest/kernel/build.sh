#!/bin/sh
# Build the demo kernel and copy it to guest/kernel.elf, or to the path
# given as the first argument; its debug-info twin goes to
# guest/kernel/target/kernel-debug.elf, or to the second argument.
#
# One build, with full debug info; the kernel is that ELF with its debug
# sections stripped (objcopy --strip-debug), the twin is the ELF as built.
# So the twin's code and data are the kernel's byte for byte, and gdb can
# load it for the embedded kernel (README, "Debugging with gdb"). (A
# build without debug info is not the same code: rustc's output differs.)
#
# Reproducible: the same source gives the same bytes. Cargo's environment
# overrides are cleared so only .cargo/config.toml and Cargo.toml decide the
# flags; source and cargo-home paths are remapped; the linker writes no build
# id; codegen-units=1 and no incremental state.
set -eu

kernel_dir=$(cd "$(dirname "$0")" && pwd -P)
repo_root=$(cd "$kernel_dir/../.." && pwd -P)
cargo_home=${CARGO_HOME:-$HOME/.cargo}
out=${1:-$repo_root/guest/kernel.elf}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
debug_out=${2:-$kernel_dir/target/kernel-debug.elf}
case "$debug_out" in /*) ;; *) debug_out="$PWD/$debug_out" ;; esac

if ! command -v objcopy >/dev/null 2>&1; then
    echo "build.sh: objcopy not found (Debian package binutils): it strips the kernel's debug info" >&2
    exit 1
fi

unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_BUILD_TARGET \
    CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR CARGO_INCREMENTAL RUSTC_WRAPPER CARGO_BUILD_RUSTC_WRAPPER

# Cargo finds .cargo/config.toml from the working directory, and the linker
# resolves -Tlinker.ld there too.
cd "$kernel_dir"
cargo rustc --release --offline --target-dir "$kernel_dir/target" -- \
    --remap-path-prefix="$kernel_dir=/pollscope/guest/kernel" \
    --remap-path-prefix="$cargo_home=/cargo"

elf=target/release/pollscope-kernel

# Where the hypervisor emulates the kernel's instructions, an SSE
# instruction other than a move is fatal (see .cargo/config.toml and the
# README's "Hosts"). FXSAVE/FXRSTOR in the interrupt path are fine: they
# name no xmm register.
if command -v objdump >/dev/null 2>&1; then
    if objdump -d "$elf" | grep -q '%xmm'; then
        echo "build.sh: $elf contains SSE instructions:" >&2
        objdump -d "$elf" | grep '%xmm' | head >&2
        exit 1
    fi
else
    echo "build.sh: objdump not found, SSE check skipped" >&2
fi

objcopy --strip-debug "$elf" "$out.tmp"
mv "$out.tmp" "$out"
if [ "$debug_out" != "$elf" ]; then
    cp "$elf" "$debug_out.tmp"
    mv "$debug_out.tmp" "$debug_out"
fi
echo "built $out ($(wc -c < "$out") bytes) and its debug-info twin $debug_out ($(wc -c < "$debug_out") bytes)"
