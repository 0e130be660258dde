package gdbstub

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseAddress(t *testing.T) {
	cases := []struct {
		dev, network, address, err string
	}{
		{dev: DefaultAddress, network: "tcp", address: ":1234"},
		{dev: "tcp:localhost:4321", network: "tcp", address: "localhost:4321"},
		{dev: "tcp:[::1]:4321", network: "tcp", address: "[::1]:4321"},
		{dev: "tcp::1234,server=on,wait=off", network: "tcp", address: ":1234"},
		{dev: "tcp::1234,server,nowait", network: "tcp", address: ":1234"},
		{dev: "unix:/tmp/gdb.sock", network: "unix", address: "/tmp/gdb.sock"},
		{dev: "unix:/tmp/gdb.sock,server", network: "unix", address: "/tmp/gdb.sock"},
		{dev: "none"},
		{dev: "tcp:1234", err: "tcp:HOST:PORT"},
		{dev: "tcp::http", err: "not a TCP port"},
		{dev: "tcp::70000", err: "not a TCP port"},
		{dev: "unix:", err: "unix:PATH"},
		{dev: "stdio", err: "use tcp::PORT"},
		{dev: "tcp::1234,reconnect=1", err: `option "reconnect=1"`},
	}
	for _, c := range cases {
		t.Run(c.dev, func(t *testing.T) {
			network, address, err := ParseAddress(c.dev)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("ParseAddress = %v, want an error saying %q", err, c.err)
				}
				return
			}
			if err != nil || network != c.network || address != c.address {
				t.Errorf("ParseAddress = %q, %q, %v; want %q, %q", network, address, err, c.network, c.address)
			}
		})
	}
}

func TestListenUnix(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gdb.sock")
	// A socket left by a run that died is replaced.
	stale, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()
	l, err := Listen("unix:" + path)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	// One in use is not.
	if _, err := Listen("unix:" + path); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("Listen over a live socket: %v", err)
	}
	l.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the socket file outlived its listener: %v", err)
	}
	// Nor is a file that is not a socket.
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := Listen("unix:" + file); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("Listen over a plain file: %v", err)
	}
	if _, err := Listen("none"); err == nil {
		t.Error("Listen(none) listened")
	}
}

func TestListenTCP(t *testing.T) {
	l, err := Listen("tcp:127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := Listen("tcp:" + l.Addr().String()); err == nil {
		t.Error("a second listener on the same port")
	}
}
