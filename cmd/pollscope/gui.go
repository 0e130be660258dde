package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pollscope/pollscope/emulator"
)

// The -display values. gui is the window; sdl and gtk are accepted because
// QEMU users type them; none runs in the terminal.
var displayNames = map[string]bool{"gui": true, "sdl": true, "gtk": true, "none": true}

func checkDisplay(name string) error {
	if !displayNames[name] {
		return fmt.Errorf("-display %s: use gui (or its aliases sdl, gtk) or none", name)
	}
	return nil
}

// errNoGUI is what openWindow returns in a pollscope built without the GUI.
var errNoGUI = errors.New("this pollscope was built without the GUI (build it with -tags gui)")

// guiStateEnv names a file the window keeps its layout in, as JSON, for the
// tests that read its pixels (see ui.Options.StateFile).
const guiStateEnv = "POLLSCOPE_GUI_STATE"

// guiConfig is what openWindow needs.
type guiConfig struct {
	ctx       context.Context
	cfg       emulator.Config
	m         *emulator.Machine
	title     string
	tracePath string
	stateFile string
	log       io.Writer
}

// runGUI runs the guest in the window until the window is closed, the guest
// is stopped (-duration, -until, a signal) or, without a display, in the
// terminal. It returns the result and the machine in use at the end (the
// window's reset replaces it), which the caller closes.
func runGUI(ctx context.Context, o *options, cfg emulator.Config, m *emulator.Machine, stderr io.Writer) (emulator.Result, *emulator.Machine) {
	if os.Getenv("DISPLAY") == "" {
		fmt.Fprintln(stderr, "pollscope: no display available ($DISPLAY is not set); running in terminal mode")
		res, _ := m.Run(ctx)
		return res, m
	}
	title := "pollscope — demo kernel"
	if o.kernel != "" {
		title = "pollscope — " + filepath.Base(o.kernel)
	}
	final, err := openWindow(guiConfig{
		ctx: ctx, cfg: cfg, m: m, title: title,
		tracePath: o.trace,
		stateFile: os.Getenv(guiStateEnv),
		log:       stderr,
	})
	switch {
	case errors.Is(err, errNoGUI):
		fmt.Fprintf(stderr, "pollscope: %v; running in terminal mode\n", err)
		res, _ := m.Run(ctx)
		return res, m
	case err != nil:
		// The guest may be running already: carry on in the terminal.
		fmt.Fprintf(stderr, "pollscope: cannot open the window (%v); running in terminal mode\n", err)
		if serr := final.Start(); serr != nil { // the window may have failed before starting it
			fmt.Fprintf(stderr, "pollscope: %v\n", serr)
			return emulator.Result{Outcome: emulator.OutcomeError, Err: serr}, final
		}
		res, werr := final.Wait(ctx)
		if werr != nil {
			final.Stop()
			res, _ = final.Wait(context.Background())
		}
		return res, final
	}
	final.Stop()
	res, _ := final.Wait(context.Background())
	return res, final
}
