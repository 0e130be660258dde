//go:build (linux || freebsd || netbsd || openbsd) && !ebitenlazy

package ui

// Ebiten opens the X display in a package init and panics when it cannot,
// before main runs, so a program linking this package could neither fall
// back to the terminal nor say why in its own words. `make build` links
// ebiten with that init deferred to the GUI's first use (scripts/ebitenlazy,
// tag ebitenlazy); a binary built without it gets this constructor, which
// runs before any Go code and turns the bare panic into a message saying
// what to do.

/*
#cgo LDFLAGS: -lX11
#include <stdio.h>
#include <stdlib.h>
#include <X11/Xlib.h>

static const char pollscope_hint[] =
	"this pollscope was built with the GUI (-tags gui) but without deferring its graphics library's "
	"display connection, so it needs an X display before the program starts. Build it with "
	"`make build`, whose binary also runs without a display (-display none), or run it in an X "
	"session (or under Xvfb).\n";

__attribute__((constructor)) static void pollscope_require_display(void) {
	const char *d = getenv("DISPLAY");
	if (d == NULL || d[0] == '\0') {
		fprintf(stderr, "pollscope: no display available ($DISPLAY is not set), and %s", pollscope_hint);
		exit(1);
	}
	Display *x = XOpenDisplay(NULL);
	if (x == NULL) {
		fprintf(stderr, "pollscope: cannot open display %s, and %s", d, pollscope_hint);
		exit(1);
	}
	XCloseDisplay(x);
}
*/
import "C"
