package emulator

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// WaitError is returned by the Wait functions when the pattern did not
// appear: it says what was expected and shows the end of the console.
type WaitError struct {
	Where   string // "serial" or "screen"
	Pattern string
	Cause   error // the context's error, or why the guest ended
	Serial  string
	Screen  string
}

// Error says what was expected, why the wait ended, and shows the last
// serial lines and the screen.
func (e *WaitError) Error() string {
	return fmt.Sprintf("waiting for /%s/ on the %s: %v\n--- last serial lines ---\n%s\n--- screen ---\n%s",
		e.Pattern, e.Where, e.Cause, lastLines(e.Serial, 15), lastLines(e.Screen, 25))
}

// Unwrap returns the cause, so errors.Is(err, context.DeadlineExceeded)
// works.
func (e *WaitError) Unwrap() error { return e.Cause }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// serialRescan is the shortest time between two scans of the serial output
// by one waiter: a guest that prints a byte at a time would otherwise make
// the waiter rescan everything after every byte.
const serialRescan = 2 * time.Millisecond

// WaitSerial waits until the guest's serial output matches re and returns
// the match. Output from the start of the run counts.
func (m *Machine) WaitSerial(ctx context.Context, re *regexp.Regexp) (string, error) {
	var last time.Time
	for {
		if wait := serialRescan - time.Since(last); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
			}
		}
		last = time.Now()
		out, changed := m.serial.snapshot()
		if loc := re.FindIndex(out); loc != nil {
			return string(out[loc[0]:loc[1]]), nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return "", m.waitError("serial", re, ctx.Err())
		case <-m.life.done:
			// The guest ended: one last look at what it printed.
			out, _ := m.serial.snapshot()
			if loc := re.FindIndex(out); loc != nil {
				return string(out[loc[0]:loc[1]]), nil
			}
			return "", m.waitError("serial", re, fmt.Errorf("the guest ended: %v", m.life.result.Outcome))
		}
	}
}

// screenPoll is how often WaitScreen looks at the screen: it is guest RAM,
// which changes without telling anyone.
const screenPoll = 10 * time.Millisecond

// WaitScreen waits until the VGA text screen matches re and returns the
// match.
func (m *Machine) WaitScreen(ctx context.Context, re *regexp.Regexp) (string, error) {
	t := time.NewTicker(screenPoll)
	defer t.Stop()
	for {
		text := m.ScreenText()
		if loc := re.FindStringIndex(text); loc != nil {
			return text[loc[0]:loc[1]], nil
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return "", m.waitError("screen", re, ctx.Err())
		case <-m.life.done:
			text := m.ScreenText()
			if loc := re.FindStringIndex(text); loc != nil {
				return text[loc[0]:loc[1]], nil
			}
			return "", m.waitError("screen", re, fmt.Errorf("the guest ended: %v", m.life.result.Outcome))
		}
	}
}

func (m *Machine) waitError(where string, re *regexp.Regexp, cause error) error {
	return &WaitError{Where: where, Pattern: re.String(), Cause: cause, Serial: m.Serial(), Screen: m.ScreenText()}
}
