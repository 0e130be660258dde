package devices_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The rule the package comment states: a device model learns about the
// world only through the interfaces in package devices, so no device package
// imports time or os (no clock, no environment, no files), and none imports
// another device (each is a state machine of its own; the board wires them).
func TestDevicePackagesImportNeitherTimeNorOsNorEachOther(t *testing.T) {
	const module = "github.com/pollscope/pollscope/devices/"
	forbidden := map[string]bool{"time": true, "os": true}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.Contains(path, "testdata") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		own := filepath.Dir(path)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case forbidden[p]:
				t.Errorf("%s imports %q: a device gets time through devices.Clock and nothing from the environment", path, p)
			case strings.HasPrefix(p, module) && strings.TrimPrefix(p, module) != filepath.ToSlash(own):
				t.Errorf("%s imports another device, %q: devices are wired together by the board in emulator/", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
