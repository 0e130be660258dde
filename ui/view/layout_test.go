package view

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The GUI (every package under ui/) reaches the machine through the
// emulator's API and the trace model only: it imports no device model and
// not the guest's ABI package. (Tests may build trace events from the ABI.)
func TestGUIImportsNoDevicesNorGuest(t *testing.T) {
	const module = "github.com/pollscope/pollscope/"
	files := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if rest, ok := strings.CutPrefix(p, module); ok && (rest == "guest" || rest == "devices" || strings.HasPrefix(rest, "devices/") || strings.HasPrefix(rest, "guest/")) {
				t.Errorf("%s imports %s: use the emulator's API (emulator/uiapi.go) or the trace model", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("only %d files looked at under ui/: the walk missed the GUI", files)
	}
}
