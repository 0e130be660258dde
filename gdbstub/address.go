package gdbstub

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// QEMU's spelling of where its gdb stub listens (-gdb DEV):
//
//	tcp::1234          TCP port 1234 on every interface (what -s means)
//	tcp:localhost:1234 TCP port 1234 on one address
//	unix:/tmp/gdb.sock a Unix socket
//	none               no stub
//
// QEMU's chardev options after a comma (server=on, wait=off, nodelay=on,
// and their old forms server, nowait) are accepted and change nothing:
// the stub always listens, and never waits for gdb before the guest runs
// (-S says that).

// DefaultAddress is where -s listens.
const DefaultAddress = "tcp::1234"

// ParseAddress turns a -gdb device into a network and an address for
// net.Listen. "none" gives "", "", nil.
func ParseAddress(dev string) (network, address string, err error) {
	spec, opts, _ := strings.Cut(dev, ",")
	if err := checkOptions(opts); err != nil {
		return "", "", fmt.Errorf("-gdb %s: %w", dev, err)
	}
	kind, rest, _ := strings.Cut(spec, ":")
	switch {
	case spec == "none":
		return "", "", nil
	case kind == "tcp":
		colon := strings.LastIndexByte(rest, ':')
		if colon < 0 {
			return "", "", fmt.Errorf("-gdb %s: a TCP address is tcp:HOST:PORT (HOST may be empty: tcp::1234)", dev)
		}
		host, port := strings.Trim(rest[:colon], "[]"), rest[colon+1:]
		if err := checkPort(port); err != nil {
			return "", "", fmt.Errorf("-gdb %s: %w", dev, err)
		}
		return "tcp", net.JoinHostPort(host, port), nil
	case kind == "unix":
		if rest == "" {
			return "", "", fmt.Errorf("-gdb %s: a Unix socket is unix:PATH", dev)
		}
		return "unix", rest, nil
	}
	return "", "", fmt.Errorf("-gdb %s: not a device the stub listens on: use tcp::PORT, tcp:HOST:PORT, unix:PATH or none", dev)
}

func checkPort(port string) error {
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q is not a TCP port", port)
	}
	return nil
}

func checkOptions(opts string) error {
	if opts == "" {
		return nil
	}
	for _, o := range strings.Split(opts, ",") {
		switch o {
		case "server", "server=on", "nowait", "wait=off", "nodelay", "nodelay=on", "ipv4", "ipv6":
		default:
			return fmt.Errorf("option %q is not one the stub takes (it always listens and never waits)", o)
		}
	}
	return nil
}

// Listen listens where a -gdb device says. A stale Unix socket file left
// by an earlier run is replaced; any other file at that path is an error.
func Listen(dev string) (net.Listener, error) {
	network, address, err := ParseAddress(dev)
	if err != nil {
		return nil, err
	}
	if network == "" {
		return nil, fmt.Errorf("-gdb none: there is nothing to listen on")
	}
	if network == "unix" {
		if err := removeStaleSocket(address); err != nil {
			return nil, err
		}
	}
	l, err := net.Listen(network, address)
	if err != nil {
		return nil, fmt.Errorf("gdb stub: %w", err)
	}
	return l, nil
}

func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("gdb stub: %w", err)
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("gdb stub: %s exists and is not a socket: choose another path", path)
	}
	// A socket nobody answers on is left over; one that answers is in use.
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return fmt.Errorf("gdb stub: %s is in use by another process", path)
	}
	return os.Remove(path)
}
