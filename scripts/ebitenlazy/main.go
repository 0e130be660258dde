// Command ebitenlazy prepares a Go workspace in which ebiten connects to
// the display when the GUI first uses it instead of when the program
// starts, so that one pollscope binary, built with the GUI, also runs where
// there is no display (-display none, CI, ssh):
//
//	go run ./scripts/ebitenlazy -o DIR
//	GOWORK=DIR/go.work go build -tags gui,ebitenlazy ./cmd/pollscope
//
// Why: ebiten v2.8 creates its user interface in a package init function
// (internal/ui/ui.go: init calls newUserInterface, which initialises GLFW,
// opens the X display and asks it for its monitors); without a display that
// panics before main runs. The workspace replaces ebiten by a copy of the
// module cache's (examples left out) whose internal/ui/ui.go is patched so
// that Get, ebiten's only way to the user interface, creates it at its
// first call. The GUI's first call comes from pollscope's main goroutine,
// which ebiten's init locked to the main thread, as GLFW requires. The
// module cache and go.mod are left as they are (the go command refuses a
// -overlay of files in the module cache); the patch is checked to apply to
// exactly the code it was written for, or the command fails.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The ebiten version the patch is written for, and the code it replaces.
const (
	ebitenModule  = "github.com/hajimehoshi/ebiten/v2"
	ebitenVersion = "v2.8.8"

	eagerInit = `var (
	theUI *UserInterface
)

func init() {
	// newUserInterface() must be called in the main goroutine.
	u, err := newUserInterface()
	if err != nil {
		panic(err)
	}
	theUI = u
}

func Get() *UserInterface {
	return theUI
}
`
	lazyInit = `var (
	theUI     *UserInterface
	theUIOnce sync.Once
)

// Get returns the user interface, creating it at the first call: pollscope
// patches ebiten (scripts/ebitenlazy) so that a program linking it starts
// without a display. newUserInterface must be called in the main
// goroutine, which the first call, from the GUI's start, is.
func Get() *UserInterface {
	theUIOnce.Do(func() {
		u, err := newUserInterface()
		if err != nil {
			panic(err)
		}
		theUI = u
	})
	return theUI
}
`
)

func main() {
	out := flag.String("o", ".gui-work", "directory to write go.work and the patched copy of ebiten into")
	flag.Parse()
	if err := write(*out); err != nil {
		fmt.Fprintf(os.Stderr, "ebitenlazy: %v\n", err)
		os.Exit(1)
	}
}

func write(out string) error {
	dir, version, err := moduleDir(ebitenModule)
	if err != nil {
		return err
	}
	if version != ebitenVersion {
		return fmt.Errorf("go.mod asks for ebiten %s, the patch is for %s: check internal/ui/ui.go's init and update eagerInit and lazyInit", version, ebitenVersion)
	}
	b, err := os.ReadFile(filepath.Join(dir, "internal", "ui", "ui.go"))
	if err != nil {
		return err
	}
	if bytes.Count(b, []byte(eagerInit)) != 1 || !bytes.Contains(b, []byte("\t\"sync\"\n")) {
		return fmt.Errorf("%s/internal/ui/ui.go is not the code the patch was written for", dir)
	}
	patched := bytes.Replace(b, []byte(eagerInit), []byte(lazyInit), 1)
	if out, err = filepath.Abs(out); err != nil {
		return err
	}
	copyDir := filepath.Join(out, "ebiten")
	stamp := filepath.Join(copyDir, ".pollscope-copy-of")
	if s, err := os.ReadFile(stamp); err != nil || string(s) != dir {
		if err := os.RemoveAll(copyDir); err != nil {
			return err
		}
		if err := copyTree(dir, copyDir); err != nil {
			return fmt.Errorf("copying ebiten: %w", err)
		}
		if err := os.WriteFile(stamp, []byte(dir), 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(copyDir, "internal", "ui", "ui.go"), patched, 0o644); err != nil {
		return err
	}
	root, goVersion, err := mainModule()
	if err != nil {
		return err
	}
	work := fmt.Sprintf("// Written by scripts/ebitenlazy: pollscope with ebiten patched to open the display at first use.\ngo %s\n\nuse %s\n\nreplace %s %s => %s\n",
		goVersion, root, ebitenModule, ebitenVersion, copyDir)
	return os.WriteFile(filepath.Join(out, "go.work"), []byte(work), 0o644)
}

// copyTree copies the module's files (not its examples) into dst, writable.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir() && (rel == "examples" || d.Name() == "testdata"):
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !d.Type().IsRegular():
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// mainModule is pollscope's module directory and the go version its go.mod
// names.
func mainModule() (dir, goVersion string, err error) {
	b, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}} {{.GoVersion}}").Output()
	if err != nil {
		return "", "", fmt.Errorf("go list -m: %w", err)
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return "", "", fmt.Errorf("go list -m: unexpected %q", b)
	}
	return f[0], f[1], nil
}

// moduleDir is where the go command keeps a module's source, and its
// version.
func moduleDir(module string) (dir, version string, err error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}} {{.Version}}", module)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("go list -m %s: %w", module, err)
	}
	f := strings.Fields(string(b))
	if len(f) != 2 || f[0] == "" {
		return "", "", fmt.Errorf("go list -m %s: no source directory (run go mod download)", module)
	}
	return f[0], f[1], nil
}
