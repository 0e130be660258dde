package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pollscope/pollscope/devices/ps2"
	"github.com/pollscope/pollscope/emulator"
)

// A script drives a guest the way an expect script drives QEMU. One step a
// line; '#' starts a comment:
//
//	expect serial /REGEX/ [TIMEOUT]   wait for the serial output to match
//	expect screen /REGEX/ [TIMEOUT]   wait for the VGA screen to match
//	send "TEXT"                       type TEXT (a Go string: \n is Enter)
//	send serial "TEXT"                send TEXT to COM1's receive line
//	key NAME                          press and release a key (enter, f1, up, …)
//	key down NAME | key up NAME       hold or release a key
//	sleep DURATION                    wait (e.g. 200ms)
//	wait-exit [TIMEOUT] [value N]     wait for the guest to end; with value,
//	                                  its isa-debug-exit value must be N
//	save-trace FILE                   write the trace so far (Perfetto JSON)
//
// TIMEOUT defaults to 10s. Matching starts from the beginning of the run.

const defaultStepTimeout = 10 * time.Second

type stepKind int

const (
	stepExpectSerial stepKind = iota
	stepExpectScreen
	stepSend
	stepSendSerial
	stepKey
	stepKeyDown
	stepKeyUp
	stepSleep
	stepWaitExit
	stepSaveTrace
)

type step struct {
	line    int
	text    string // the line as written
	kind    stepKind
	re      *regexp.Regexp
	timeout time.Duration
	str     string // send text, save-trace path
	key     ps2.Key
	value   int64 // wait-exit value, -1 if unchecked
}

// parseScript reads a script; its errors name the line.
func parseScript(r io.Reader) ([]step, error) {
	var steps []step
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, err := parseStep(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		s.line, s.text = n, line
		steps = append(steps, s)
	}
	return steps, sc.Err()
}

func parseStep(line string) (step, error) {
	verb, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	switch verb {
	case "expect":
		where, arg, _ := strings.Cut(rest, " ")
		s := step{kind: stepExpectSerial}
		switch where {
		case "serial":
		case "screen":
			s.kind = stepExpectScreen
		default:
			return step{}, fmt.Errorf("expect %q: say expect serial or expect screen", where)
		}
		re, tail, err := parseRegex(strings.TrimSpace(arg))
		if err != nil {
			return step{}, err
		}
		s.re = re
		s.timeout, err = parseOptionalDuration(tail)
		return s, err
	case "send":
		if arg, ok := strings.CutPrefix(rest, "serial "); ok {
			text, err := strconv.Unquote(strings.TrimSpace(arg))
			if err != nil {
				return step{}, fmt.Errorf("send serial takes a double-quoted string, got %s", arg)
			}
			return step{kind: stepSendSerial, str: text}, nil
		}
		text, err := strconv.Unquote(rest)
		if err != nil {
			return step{}, fmt.Errorf("send takes a double-quoted string, got %s", rest)
		}
		for i, r := range text {
			if _, _, ok := ps2.KeyForRune(r); !ok {
				return step{}, fmt.Errorf("send: %q (at byte %d) has no key on the US keyboard layout", r, i)
			}
		}
		return step{kind: stepSend, str: text}, nil
	case "key":
		kind := stepKey
		f := strings.Fields(rest)
		switch {
		case len(f) == 1 && (f[0] == "down" || f[0] == "up"):
			return step{}, fmt.Errorf("key %s needs a key name: key %s NAME", f[0], f[0])
		case len(f) == 2 && f[0] == "down":
			kind, rest = stepKeyDown, f[1]
		case len(f) == 2 && f[0] == "up":
			kind, rest = stepKeyUp, f[1]
		case len(f) != 1:
			return step{}, fmt.Errorf("key %s: say key NAME, key down NAME or key up NAME", rest)
		}
		k, ok := ps2.KeyByName(rest)
		if !ok {
			return step{}, fmt.Errorf("no key named %q", rest)
		}
		return step{kind: kind, key: k}, nil
	case "sleep":
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return step{}, fmt.Errorf("sleep %q: give a duration such as 200ms", rest)
		}
		return step{kind: stepSleep, timeout: d}, nil
	case "wait-exit":
		s := step{kind: stepWaitExit, timeout: defaultStepTimeout, value: -1}
		f := strings.Fields(rest)
		for i := 0; i < len(f); i++ {
			if f[i] == "value" && i+1 < len(f) {
				v, err := strconv.ParseUint(f[i+1], 0, 32)
				if err != nil {
					return step{}, fmt.Errorf("wait-exit value %q: give a number", f[i+1])
				}
				s.value = int64(v)
				i++
				continue
			}
			d, err := time.ParseDuration(f[i])
			if err != nil || d <= 0 {
				return step{}, fmt.Errorf("wait-exit: %q is neither a timeout nor value N", f[i])
			}
			s.timeout = d
		}
		return s, nil
	case "save-trace":
		if rest == "" {
			return step{}, fmt.Errorf("save-trace needs a file name")
		}
		return step{kind: stepSaveTrace, str: rest}, nil
	default:
		return step{}, fmt.Errorf("unknown step %q (expect, send, key, sleep, wait-exit, save-trace)", verb)
	}
}

// parseRegex takes /REGEX/ from the start of s (a '/' inside is written \/)
// and returns the rest.
func parseRegex(s string) (*regexp.Regexp, string, error) {
	if !strings.HasPrefix(s, "/") {
		return nil, "", fmt.Errorf("expect a pattern between slashes, like /ready/")
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '/':
			src := strings.ReplaceAll(s[1:i], `\/`, "/")
			re, err := regexp.Compile(src)
			if err != nil {
				return nil, "", fmt.Errorf("pattern /%s/: %v", src, err)
			}
			return re, strings.TrimSpace(s[i+1:]), nil
		}
	}
	return nil, "", fmt.Errorf("the pattern %s has no closing slash", s)
}

func parseOptionalDuration(s string) (time.Duration, error) {
	if s == "" {
		return defaultStepTimeout, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("timeout %q: give a duration such as 5s", s)
	}
	return d, nil
}

// runScript runs the steps against a started machine and returns the
// first failure, naming the step.
func runScript(ctx context.Context, name string, steps []step, m *emulator.Machine) error {
	for _, s := range steps {
		if err := s.run(ctx, m); err != nil {
			return fmt.Errorf("%s:%d: %s: %w", name, s.line, s.text, err)
		}
	}
	return nil
}

func (s step) run(ctx context.Context, m *emulator.Machine) error {
	switch s.kind {
	case stepExpectSerial, stepExpectScreen:
		c, cancel := context.WithTimeout(ctx, s.timeout)
		defer cancel()
		var err error
		if s.kind == stepExpectSerial {
			_, err = m.WaitSerial(c, s.re)
		} else {
			_, err = m.WaitScreen(c, s.re)
		}
		return err
	case stepSend:
		c, cancel := context.WithTimeout(ctx, defaultStepTimeout)
		defer cancel()
		return m.TypeText(c, s.str)
	case stepSendSerial:
		m.SendSerial([]byte(s.str))
	case stepKey:
		m.PressKey(s.key)
	case stepKeyDown:
		m.KeyDown(s.key)
	case stepKeyUp:
		m.KeyUp(s.key)
	case stepSleep:
		select {
		case <-time.After(s.timeout):
		case <-ctx.Done():
			return ctx.Err()
		}
	case stepWaitExit:
		c, cancel := context.WithTimeout(ctx, s.timeout)
		defer cancel()
		res, err := m.Wait(c)
		if err != nil {
			return fmt.Errorf("the guest did not end within %v", s.timeout)
		}
		if res.Outcome != emulator.OutcomeExit {
			return fmt.Errorf("the guest ended without isa-debug-exit: %v", res)
		}
		if s.value >= 0 && int64(res.ExitValue) != s.value {
			return fmt.Errorf("the guest exited with value %d, want %d", res.ExitValue, s.value)
		}
	case stepSaveTrace:
		return saveTrace(m, s.str)
	}
	return nil
}

// loadScript reads and parses a script file.
func loadScript(path string) ([]step, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-script: %w", err)
	}
	defer f.Close()
	steps, err := parseScript(f)
	if err != nil {
		return nil, fmt.Errorf("-script %s: %w", path, err)
	}
	return steps, nil
}

// saveTrace writes the trace so far to a new file (the save-trace step).
func saveTrace(m *emulator.Machine, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeTrace(m, f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
