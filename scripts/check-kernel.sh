#!/usr/bin/env bash
# Checks that the committed guest/kernel.elf is what the committed source in
# guest/kernel builds, whenever cargo is present. The build is reproducible
# (guest/kernel/build.sh), so the bytes must match exactly.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1; then
	echo "check-kernel: cargo not found; not checking guest/kernel.elf against its source"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! guest/kernel/build.sh "$tmp/kernel.elf" >"$tmp/build.log" 2>&1; then
	echo "check-kernel: building guest/kernel failed:" >&2
	tail -30 "$tmp/build.log" >&2
	exit 1
fi
if ! cmp -s "$tmp/kernel.elf" guest/kernel.elf; then
	echo "check-kernel: guest/kernel.elf is not what guest/kernel builds; run 'make kernel' and commit it" >&2
	exit 1
fi
echo "check-kernel: guest/kernel.elf matches its source"
