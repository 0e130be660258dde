// Package linuxkit boots a stock Linux kernel on pollscope's PC: Debian's
// kernel and a busybox initramfs, which scripts/linux-kit.sh fetches with
// apt and builds into a cache directory (the kit). Its tests and
// benchmarks are opt-in, since the kit takes a download and a boot takes
// seconds to minutes: `make test-linux` and `make bench-linux`, or
// POLLSCOPE_LINUX=1 with go test. See docs/linux.md.
package linuxkit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/pollscope/pollscope/emulator"
)

// EnvEnable is the environment variable that switches the package's tests
// and benchmarks on (any non-empty value).
const EnvEnable = "POLLSCOPE_LINUX"

// Kit is one built kit, as scripts/linux-kit.sh describes it in kit.env.
type Kit struct {
	Dir     string // the cache directory
	Package string // the kernel's Debian package
	VMLinux string // the kernel, an ELF with a PVH note
	Initrd  string // the busybox initramfs (gzip'd newc)
	Append  string // the kernel command line
	// Ready is what /init prints before its shells start; Prompt is the
	// serial shell's prompt, KbdPrompt that of the shell on tty1, which
	// the PS/2 keyboard types into and which writes to the serial port.
	Ready, Prompt, KbdPrompt string
}

// MemoryMiB is the guest RAM a kit boots with, as under QEMU (-m 512).
const MemoryMiB = 512

// Build runs the kit script (its path, e.g. scripts/linux-kit.sh) to build
// the kit or find it built, and returns it. The error says what is missing
// (apt, the Debian mirror, a tool) in the script's words.
func Build(script string) (*Kit, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(script, "env")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s env: %v: %s", script, err, strings.TrimSpace(stderr.String()))
	}
	return parseEnv(out)
}

// parseEnv reads kit.env: NAME='value' lines.
func parseEnv(b []byte) (*Kit, error) {
	v := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), "=")
		if ok {
			v[name] = strings.Trim(val, "'")
		}
	}
	k := &Kit{Dir: v["KIT_DIR"], Package: v["KIT_PACKAGE"], VMLinux: v["KIT_VMLINUX"], Initrd: v["KIT_INITRD"],
		Append: v["KIT_APPEND"], Ready: v["KIT_READY"], Prompt: v["KIT_PROMPT"], KbdPrompt: v["KIT_KBD_PROMPT"]}
	if k.VMLinux == "" || k.Initrd == "" || k.KbdPrompt == "" {
		return nil, errors.New("kit.env lacks KIT_VMLINUX, KIT_INITRD or KIT_KBD_PROMPT: run scripts/linux-kit.sh build again")
	}
	for _, f := range []string{k.VMLinux, k.Initrd} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("the kit is incomplete: %w", err)
		}
	}
	return k, nil
}

// Config is the machine that boots the kit on backend, as `make
// linux-demo` does.
func (k *Kit) Config(backend string) emulator.Config {
	return emulator.Config{
		Backend:    backend,
		KernelPath: k.VMLinux,
		InitrdPath: k.Initrd,
		Cmdline:    k.Append,
		MemoryMiB:  MemoryMiB,
	}
}

// QEMUArgs is the QEMU command line that boots the same files with the
// same command line on QEMU's closest machine (isapc: no PCI, no I/O APIC,
// no ACPI; its default CPU is 32-bit, so qemu64), console on stdio.
func (k *Kit) QEMUArgs(accel string) []string {
	return []string{"-accel", accel, "-M", "isapc", "-cpu", "qemu64", "-m", fmt.Sprint(MemoryMiB),
		"-nographic", "-no-reboot", "-kernel", k.VMLinux, "-initrd", k.Initrd, "-append", k.Append}
}
