#!/usr/bin/env bash
# Installs what `make run` and `make test` need on a Debian machine, once.
# Idempotent: it installs only what is missing, and says plainly what it
# could not do (the tests that need it then skip with that reason).
#
#   scripts/setup.sh run    packages for running pollscope
#   scripts/setup.sh test   packages for the test suite as well
set -u
mode=${1:-run}

# Debian packages by purpose.
gui_build=(libx11-dev libxrandr-dev libxcursor-dev libxinerama-dev libxi-dev libxxf86vm-dev libgl1-mesa-dev pkg-config)
test_peers=(qemu-system-x86 gdb xvfb xdotool x11-utils imagemagick)

want=("${gui_build[@]}")
[ "$mode" = test ] && want+=("${test_peers[@]}")

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing Debian packages: ${missing[*]}"
	if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
		echo "setup: cannot install them: not root and no sudo. Install them by hand; tests that need them will skip." >&2
	else
		SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
		export DEBIAN_FRONTEND=noninteractive
		if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/tmp/pollscope-setup.log 2>&1; then
			echo "setup: apt-get could not install ${missing[*]} (see /tmp/pollscope-setup.log); tests that need them will skip." >&2
		fi
	fi
fi

# Go modules through the module proxy.
if ! go mod download >/tmp/pollscope-gomod.log 2>&1; then
	echo "setup: could not download Go modules (see /tmp/pollscope-gomod.log)." >&2
	exit 1
fi

# KVM is the one thing nothing here can install.
if [ ! -e /dev/kvm ]; then
	echo "setup: /dev/kvm does not exist: pollscope needs KVM (enable virtualisation, load kvm_intel or kvm_amd). KVM tests will skip." >&2
elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "setup: no permission on /dev/kvm: add yourself to the kvm group. KVM tests will skip." >&2
fi
exit 0
