#!/usr/bin/env bash
# Builds a Linux kit for pollscope from Debian's packages only: a distribution
# kernel as an ELF vmlinux (the form a PVH loader boots) and a busybox
# initramfs whose /init mounts proc, sys and devtmpfs and starts a shell on
# the console. Everything goes to a cache directory outside the repository;
# running it again reuses what is there.
#
#   scripts/linux-kit.sh [build]   fetch and build the kit, print its paths
#   scripts/linux-kit.sh env       print the kit's paths as shell assignments
#   scripts/linux-kit.sh qemu      boot the kit in QEMU TCG on the terminal
#   scripts/linux-kit.sh check     boot it in QEMU TCG, wait for the shell's
#                                  prompt, type two commands, save the log
#
# Environment:
#   LINUX_KIT_DIR       cache directory (${XDG_CACHE_HOME:-$HOME/.cache}/pollscope/linux)
#   LINUX_KIT_PACKAGE   kernel package (default: what linux-image-amd64 depends on)
#   LINUX_KIT_APPEND    kernel command line (default: KIT_APPEND below)
#   LINUX_KIT_TIMEOUT   seconds `check` waits for the prompt (default 600)
#   LINUX_KIT_QEMU_ARGS more QEMU arguments for `qemu` and `check`, e.g.
#                       "-s -S" to wait for gdb on port 1234
#
# Network: apt-get download only (Debian's mirror as apt is configured). Tools:
# apt-get, dpkg-deb, the decompressor the kernel was packed with (xz for
# Debian), readelf (binutils) for the PVH check, gzip; qemu-system-x86_64 for
# `qemu` and `check`. The cpio archive is written by busybox's own cpio, and
# /dev/console is added as a hand-made newc entry, so no root is needed.
set -euo pipefail

KIT_DIR=${LINUX_KIT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pollscope/linux}
# The PC pollscope emulates: no IO-APIC, no local APIC, no ACPI tables, no
# PCI; the console on COM1.
KIT_APPEND=${LINUX_KIT_APPEND:-console=ttyS0 noapic nolapic acpi=off pci=off}
# What /init prints before the shell's first prompt, and the prompt itself:
# something a test can wait for.
KIT_READY="linux-kit: shell ready"
KIT_PROMPT="kit# "
# The prompt of the shell the PS/2 keyboard types into (tty1).
KIT_KBD_PROMPT="kbd# "

say() { echo "linux-kit: $*" >&2; }
die() {
	say "$*"
	exit 1
}
need() {
	command -v "$1" >/dev/null 2>&1 || die "needs '$1' ($2); install it and run again"
}

# kernel_package names the kernel image package to fetch: the override, or
# the versioned package Debian's linux-image-amd64 metapackage depends on.
kernel_package() {
	if [ -n "${LINUX_KIT_PACKAGE:-}" ]; then
		echo "$LINUX_KIT_PACKAGE"
		return
	fi
	local p
	p=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ {print $2; exit}')
	[ -n "$p" ] || die "apt knows no linux-image-amd64 here (run 'apt-get update' as root, or set LINUX_KIT_PACKAGE)"
	echo "$p"
}

# fetch_deb PACKAGE downloads PACKAGE's .deb into debs/ unless it is there,
# and prints its path.
fetch_deb() {
	local pkg=$1 deb
	mkdir -p "$KIT_DIR/debs"
	deb=$(ls "$KIT_DIR/debs/${pkg}_"*.deb 2>/dev/null | head -1 || true)
	if [ -z "$deb" ]; then
		say "downloading $pkg"
		local out
		out=$(cd "$KIT_DIR/debs" && apt-get download -q "$pkg" 2>&1) ||
			die "apt-get download $pkg failed (is the Debian mirror reachable, 'apt-get update' done, the name right?): $(echo "$out" | grep -v '^W:' | tail -2)"
		deb=$(ls "$KIT_DIR/debs/${pkg}_"*.deb | head -1)
	fi
	echo "$deb"
}

# payload_decompressors lists, for each compression a bzImage may carry,
# its magic bytes (as grep -P escapes) and the command that decompresses a
# stream starting there. Trailing bytes after the stream (the rest of the
# bzImage) make some tools complain; only the output counts.
payload_decompressors() {
	cat <<'EOF'
\xfd\x37\x7a\x58\x5a\x00|xz -dc --single-stream
\x1f\x8b\x08|gzip -dc
\x28\xb5\x2f\xfd|zstd -dc
\x02\x21\x4c\x18|lz4 -dc
\x5d\x00\x00\x00|xz -dc --format=lzma
\x42\x5a\x68|bzip2 -dc
\x89\x4c\x5a\x4f\x00\x0d\x0a\x1a\x0a|lzop -dc
EOF
}

# extract_vmlinux BZIMAGE OUT finds the compressed kernel inside a bzImage by
# its magic and decompresses it into OUT, keeping the first result that is an
# ELF file (what the kernel's scripts/extract-vmlinux does).
extract_vmlinux() {
	local bz=$1 out=$2 magic cmd off
	while IFS='|' read -r magic cmd; do
		command -v "${cmd%% *}" >/dev/null 2>&1 || continue
		for off in $(LC_ALL=C grep -obUaP "$magic" "$bz" 2>/dev/null | cut -d: -f1 | head -4); do
			tail -c "+$((off + 1))" "$bz" | $cmd >"$out.tmp" 2>/dev/null || true
			if [ "$(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				mv "$out.tmp" "$out"
				say "vmlinux: ${cmd%% *} payload at offset $off of $(basename "$bz")"
				return 0
			fi
		done
	done < <(payload_decompressors)
	rm -f "$out.tmp"
	die "found no compressed ELF kernel in $bz (tried xz, gzip, zstd, lz4, lzma, bzip2, lzo; is the tool for its compression installed?)"
}

# pvh_entry prints the 32-bit PVH entry point from vmlinux's ELF notes: a note
# of owner "Xen" and type XEN_ELFNOTE_PHYS32_ENTRY (18), the note a PVH loader
# (QEMU's -kernel, pollscope) looks for. Empty if there is none.
pvh_entry() {
	readelf -n "$1" 2>/dev/null | awk '
		$1 == "Xen" && $0 ~ /\(0x00000012\)|PHYS32_ENTRY/ { want = 1; next }
		want && /description data:/ {
			# Four little-endian bytes: the physical entry address.
			printf "0x%s%s%s%s\n", $6, $5, $4, $3; exit
		}
		{ want = 0 }'
}

# newc_entry NAME MODE MAJOR MINOR writes one header-only newc cpio entry (a
# directory or a device node) to stdout: "070701", thirteen 8-digit hex
# fields, the NUL-terminated name padded to a multiple of four bytes.
newc_entry() {
	local name=$1 mode=$2 major=$3 minor=$4 ino=$5
	local namesize=$((${#name} + 1)) hdr
	hdr=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$ino" "$mode" 0 0 1 0 0 0 0 "$major" "$minor" "$namesize" 0)
	printf '%s%s\0' "$hdr" "$name"
	local pad=$(((4 - (110 + namesize) % 4) % 4))
	head -c "$pad" /dev/zero
}

# write_init writes the initramfs's /init: mount the pseudo file systems, put
# the console on stdin, stdout and stderr, and run two shells, each again
# whenever it exits, since PID 1 must not:
#   - on the console's real tty (cttyhack finds ttyS0 or tty1), prompt
#     "$KIT_PROMPT": the serial console, typed into from a terminal;
#   - on tty1, the first virtual terminal, which the PS/2 keyboard types
#     into, prompt "$KIT_KBD_PROMPT". A PVH boot hands Linux no screen_info,
#     so tty1 has no VGA text console to draw on ("colour dummy device"):
#     this shell writes to the serial port instead (ash echoes what it reads
#     to its stdout, so the typed line shows there too).
write_init() {
	cat >"$1" <<EOF
#!/bin/sh
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
echo "$KIT_READY on \$(cat /sys/class/tty/console/active), up \$(cut -d' ' -f1 /proc/uptime)s"
(
	while true; do
		PS1='$KIT_KBD_PROMPT' setsid sh -c 'exec sh -i </dev/tty1 >/dev/ttyS0 2>&1'
	done
) &
while true; do
	PS1='$KIT_PROMPT' setsid cttyhack /bin/sh
	echo "linux-kit: shell exited; starting another"
done
EOF
	chmod 755 "$1"
}

# build_initramfs BUSYBOX OUT builds the gzip'd newc initramfs.
build_initramfs() {
	local bb=$1 out=$2 root applet
	root=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "rm -rf '$root'" RETURN
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,root,tmp,etc}
	cp "$bb" "$root/bin/busybox"
	for applet in $("$bb" --list-full); do
		[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
	done
	write_init "$root/init"
	{
		(cd "$root" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort |
			"$bb" cpio -o -H newc -R 0:0 2>/dev/null)
		# The kernel opens /dev/console before it runs /init; without the
		# node there, /init would start with no stdin, stdout or stderr.
		# The kernel reads concatenated archives as one.
		newc_entry dev/console $((8#020600)) 5 1 1
		newc_entry TRAILER!!! 0 0 0 0
	} | gzip -9n >"$out.tmp"
	mv "$out.tmp" "$out"
}

# build makes the kit, reusing every part that is already there and newer
# than what it is made from.
build() {
	need apt-get "Debian's package tool"
	need dpkg-deb "Debian's package tool"
	need gzip "to pack the initramfs"
	mkdir -p "$KIT_DIR"
	local pkg kdeb bdeb
	pkg=$(kernel_package)
	kdeb=$(fetch_deb "$pkg")
	bdeb=$(fetch_deb busybox-static)

	if [ ! -s "$KIT_DIR/vmlinux" ] || [ "$kdeb" -nt "$KIT_DIR/vmlinux" ] || [ "$(cat "$KIT_DIR/kernel.package" 2>/dev/null)" != "$pkg" ]; then
		local x
		x=$(mktemp -d)
		say "unpacking $(basename "$kdeb")"
		dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$x" --wildcards './boot/*'
		cp "$x"/boot/vmlinuz-* "$KIT_DIR/vmlinuz"
		cp "$x"/boot/config-* "$KIT_DIR/config"
		cp "$x"/boot/System.map-* "$KIT_DIR/System.map"
		rm -rf "$x"
		extract_vmlinux "$KIT_DIR/vmlinuz" "$KIT_DIR/vmlinux"
		echo "$pkg" >"$KIT_DIR/kernel.package"
	fi

	if [ ! -s "$KIT_DIR/busybox" ] || [ "$bdeb" -nt "$KIT_DIR/busybox" ]; then
		local x
		x=$(mktemp -d)
		dpkg-deb --fsys-tarfile "$bdeb" | tar -x -C "$x" ./bin/busybox
		cp "$x/bin/busybox" "$KIT_DIR/busybox"
		rm -rf "$x"
	fi
	if [ ! -s "$KIT_DIR/initramfs.cpio.gz" ] || [ "$KIT_DIR/busybox" -nt "$KIT_DIR/initramfs.cpio.gz" ] || [ "$0" -nt "$KIT_DIR/initramfs.cpio.gz" ]; then
		say "building initramfs.cpio.gz"
		build_initramfs "$KIT_DIR/busybox" "$KIT_DIR/initramfs.cpio.gz"
	fi
	report
}

# report says what the kit is and what could not be checked.
report() {
	local entry="" pvhcfg
	if command -v readelf >/dev/null 2>&1; then
		entry=$(pvh_entry "$KIT_DIR/vmlinux")
		[ -n "$entry" ] || say "WARNING: vmlinux has no XEN_ELFNOTE_PHYS32_ENTRY note: a PVH loader cannot boot it"
	else
		say "cannot check the PVH note: readelf (binutils) is not installed"
	fi
	pvhcfg=$(grep -E '^CONFIG_PVH=|^# CONFIG_PVH is not set' "$KIT_DIR/config" || echo "CONFIG_PVH unknown")
	cat >"$KIT_DIR/kit.env" <<EOF
KIT_DIR='$KIT_DIR'
KIT_PACKAGE='$(cat "$KIT_DIR/kernel.package")'
KIT_VMLINUX='$KIT_DIR/vmlinux'
KIT_INITRD='$KIT_DIR/initramfs.cpio.gz'
KIT_APPEND='$KIT_APPEND'
KIT_PVH_ENTRY='$entry'
KIT_PVH_CONFIG='$pvhcfg'
KIT_READY='$KIT_READY'
KIT_PROMPT='$KIT_PROMPT'
KIT_KBD_PROMPT='$KIT_KBD_PROMPT'
EOF
	cat "$KIT_DIR/kit.env"
}

# qemu_args sets QEMU_ARGS to the QEMU command that boots the kit. isapc is
# the closest QEMU has to pollscope's PC: no PCI, no IO-APIC, no ACPI. Its
# default CPU is 32-bit, so ask for a 64-bit one.
qemu_args() {
	QEMU_ARGS=(qemu-system-x86_64 -accel tcg -M isapc -cpu qemu64 -m 512 -nographic -no-reboot
		-kernel "$KIT_DIR/vmlinux" -initrd "$KIT_DIR/initramfs.cpio.gz" -append "$KIT_APPEND")
	# shellcheck disable=SC2206 # split on purpose: a list of arguments
	QEMU_ARGS+=(${LINUX_KIT_QEMU_ARGS:-})
}

# check boots the kit in QEMU TCG, waits for the prompt, types two commands
# and checks their output; the whole console goes to logs/qemu-tcg.log, the
# time from QEMU's start to the prompt to logs/qemu-tcg.time.
check() {
	need qemu-system-x86_64 "Debian package qemu-system-x86"
	build >/dev/null
	mkdir -p "$KIT_DIR/logs"
	local log="$KIT_DIR/logs/qemu-tcg.log" timeout=${LINUX_KIT_TIMEOUT:-600} start line ready=""
	: >"$log"
	start=$(date +%s.%N)
	qemu_args
	coproc QEMU { exec "${QEMU_ARGS[@]}" 2>&1; }
	local out=${QEMU[0]} in=${QEMU[1]}
	expect() { # expect TEXT: read console lines (and the prompt) until TEXT
		local deadline=$(($(date +%s) + timeout))
		while [ "$(date +%s)" -lt "$deadline" ]; do
			if IFS= read -r -t 5 -d $'\n' line <&"$out" || [ -n "$line" ]; then
				printf '%s\n' "$line" >>"$log"
				case "$line" in *"$1"*) return 0 ;; esac
				line=""
			fi
			kill -0 "$QEMU_PID" 2>/dev/null || return 1
		done
		return 1
	}
	if expect "$KIT_READY"; then
		# The prompt has no newline after it; the echo of the next command does.
		ready=$(date +%s.%N)
		awk -v a="$start" -v b="$ready" 'BEGIN { printf "%.1f\n", b - a }' >"$KIT_DIR/logs/qemu-tcg.time"
		printf 'echo $((6*7))\n' >&"$in"
		# Wait for the output, not the terminal's echo of the command.
		expect '42' && printf 'cat /proc/interrupts; echo end-of-$((1+1))\n' >&"$in" && expect 'end-of-2' &&
			printf 'poweroff -f\n' >&"$in"
	fi
	sleep 2
	kill "$QEMU_PID" 2>/dev/null || true
	wait "$QEMU_PID" 2>/dev/null || true
	if [ -z "$ready" ]; then
		die "QEMU did not reach the shell within ${timeout}s; the console is in $log"
	fi
	grep -q '^42' "$log" || die "the shell did not answer 'echo \$((6*7))' with 42; see $log"
	say "QEMU TCG reached the shell in $(cat "$KIT_DIR/logs/qemu-tcg.time")s; console log: $log"
}

case "${1:-build}" in
build) build ;;
env) [ -s "$KIT_DIR/kit.env" ] || build >/dev/null; cat "$KIT_DIR/kit.env" ;;
qemu)
	need qemu-system-x86_64 "Debian package qemu-system-x86"
	build >/dev/null
	qemu_args
	exec "${QEMU_ARGS[@]}"
	;;
check) check ;;
*) die "unknown command '$1': use build, env, qemu or check" ;;
esac
