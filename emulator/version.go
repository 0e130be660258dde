package emulator

import (
	"runtime/debug"
	"sync"
)

// Version names this pollscope build: the module version, or for a build
// from a source tree the commit it was built from ("devel+1a2b3c4d5e6f",
// with "-dirty" when the tree had changes), or "devel" when the build
// carries no such information (go test, go run).
func Version() string { return version() }

var version = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if rev == "" {
		return "devel"
	}
	return "devel+" + rev[:min(12, len(rev))] + dirty
})
