package ui

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/pollscope/pollscope/ui/view"
)

// The keyboard, read from the X server itself.
//
// ebiten reads the keyboard's state once per frame, so a key pressed and
// released between two frames, or pressed again in the next one, is seen
// once or not at all: at 20 frames a second under a software renderer,
// quick taps of Backspace were lost. The X server, though, reports every
// press and release as an event, in order, to every client that asks for
// them on a window (key events, unlike button presses, are not exclusive
// to one client). xkeys opens a second connection to the X server (with
// the pure-Go xgb, which ebiten already links), finds this process's
// window, selects its key and focus events and hands each one to the GUI
// in order. It asks XKB for detectable autorepeat, so that a held key
// repeats as presses only (no made-up releases), which the GUI tells from
// real presses: the guest's own keyboard does the repeating.

// xKeyEvent is one key event of the window, or a focus change.
type xKeyEvent struct {
	key      view.KeyEvent
	mapped   bool // key is a key of the guest's keyboard
	focusOut bool // the window lost the keyboard focus
}

// xkeys is the connection and what it has learnt of the keyboard.
type xkeys struct {
	conn      *xgb.Conn
	win       xproto.Window
	events    chan xKeyEvent
	dropped   atomic.Uint64 // events lost because the GUI fell behind
	minCode   xproto.Keycode
	perCode   int
	keysyms   []xproto.Keysym
	down      map[xproto.Keycode]bool
	detectRep bool // XKB's detectable autorepeat is on
}

// xkeysBuffer is how many events may wait for the GUI; a second of fast
// typing is a few dozen.
const xkeysBuffer = 4096

func init() {
	// xgb logs to stderr (for instance that it found no Xauthority file
	// and connects without); the GUI reports its own failures.
	xgb.Logger = log.New(io.Discard, "", 0)
}

// displayReachable reports whether the X server that $DISPLAY names
// accepts a connection.
func displayReachable() error {
	d := os.Getenv("DISPLAY")
	if d == "" {
		return errors.New("no display: $DISPLAY is not set")
	}
	conn, err := xgb.NewConn()
	if err != nil {
		return fmt.Errorf("no display: cannot connect to X display %s: %w", d, err)
	}
	conn.Close()
	return nil
}

// startXKeys connects to the X server and starts reading the key events of
// the window of class class that this process owns. The window may not
// exist yet when the game starts: it is looked for for up to wait.
func startXKeys(class string, wait time.Duration) (*xkeys, error) {
	if os.Getenv("DISPLAY") == "" {
		return nil, errors.New("$DISPLAY is not set")
	}
	conn, err := xgb.NewConn()
	if err != nil {
		return nil, fmt.Errorf("connecting to the X server: %w", err)
	}
	x := &xkeys{conn: conn, events: make(chan xKeyEvent, xkeysBuffer), down: map[xproto.Keycode]bool{}}
	deadline := time.Now().Add(wait)
	for {
		if x.win, err = findWindow(conn, class, uint32(os.Getpid())); err == nil {
			break
		}
		if time.Now().After(deadline) {
			conn.Close()
			return nil, err
		}
		time.Sleep(20 * time.Millisecond)
	}
	mask := uint32(xproto.EventMaskKeyPress | xproto.EventMaskKeyRelease | xproto.EventMaskFocusChange)
	if err := xproto.ChangeWindowAttributesChecked(conn, x.win, xproto.CwEventMask, []uint32{mask}).Check(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("selecting the window's key events: %w", err)
	}
	if err := x.loadMapping(); err != nil {
		conn.Close()
		return nil, err
	}
	x.detectRep = detectableAutorepeat(conn) == nil
	go x.read()
	return x, nil
}

// findWindow finds, among the root's children and their children (a
// window manager puts a frame around the client's window), the window of
// WM_CLASS class whose _NET_WM_PID is pid.
func findWindow(conn *xgb.Conn, class string, pid uint32) (xproto.Window, error) {
	atom, err := xproto.InternAtom(conn, true, uint16(len("_NET_WM_PID")), "_NET_WM_PID").Reply()
	if err != nil || atom.Atom == xproto.AtomNone {
		return 0, errors.New("the X server knows no _NET_WM_PID: no window has one yet")
	}
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	var walk func(w xproto.Window, depth int) (xproto.Window, bool)
	walk = func(w xproto.Window, depth int) (xproto.Window, bool) {
		tree, err := xproto.QueryTree(conn, w).Reply()
		if err != nil {
			return 0, false
		}
		for _, c := range tree.Children {
			if windowIs(conn, c, atom.Atom, class, pid) {
				return c, true
			}
			if depth < 2 {
				if found, ok := walk(c, depth+1); ok {
					return found, true
				}
			}
		}
		return 0, false
	}
	if w, ok := walk(root, 0); ok {
		return w, nil
	}
	return 0, fmt.Errorf("no window of class %q belongs to this process (pid %d)", class, pid)
}

func windowIs(conn *xgb.Conn, w xproto.Window, pidAtom xproto.Atom, class string, pid uint32) bool {
	p, err := xproto.GetProperty(conn, false, w, pidAtom, xproto.AtomCardinal, 0, 1).Reply()
	if err != nil || p.Format != 32 || len(p.Value) < 4 || binary.LittleEndian.Uint32(p.Value) != pid {
		return false
	}
	c, err := xproto.GetProperty(conn, false, w, xproto.AtomWmClass, xproto.AtomString, 0, 64).Reply()
	if err != nil {
		return false
	}
	// WM_CLASS is the instance name and the class name, each ending in NUL.
	for _, part := range strings.Split(string(c.Value), "\x00") {
		if part == class {
			return true
		}
	}
	return false
}

// loadMapping reads the server's keycode → keysym table.
func (x *xkeys) loadMapping() error {
	setup := xproto.Setup(x.conn)
	n := int(setup.MaxKeycode) - int(setup.MinKeycode) + 1
	r, err := xproto.GetKeyboardMapping(x.conn, setup.MinKeycode, byte(n)).Reply()
	if err != nil {
		return fmt.Errorf("reading the keyboard mapping: %w", err)
	}
	x.minCode, x.perCode, x.keysyms = setup.MinKeycode, int(r.KeysymsPerKeycode), r.Keysyms
	return nil
}

// key maps a keycode to the guest's key by its keysym with no modifier
// held (the mapping's first column).
func (x *xkeys) key(code xproto.Keycode) (view.Key, bool) {
	i := (int(code) - int(x.minCode)) * x.perCode
	if code < x.minCode || i >= len(x.keysyms) {
		return 0, false
	}
	return view.KeysymKey(uint32(x.keysyms[i]))
}

// detectableAutorepeat turns on XKB's detectable autorepeat for this
// connection (XkbPerClientFlags, XKBproto.h): a held key then repeats as
// KeyPress events only, instead of release and press pairs.
func detectableAutorepeat(conn *xgb.Conn) error {
	ext, err := xproto.QueryExtension(conn, uint16(len("XKEYBOARD")), "XKEYBOARD").Reply()
	if err != nil || !ext.Present {
		return errors.New("the X server has no XKEYBOARD extension")
	}
	const (
		xkbUseExtension   = 0
		xkbPerClientFlags = 21
		useCoreKbd        = 0x100
		detectableAutoRep = 1 << 0 // XkbPCF_DetectableAutoRepeatMask
	)
	// XkbUseExtension: major 1, minor 0; length 2 words.
	use := []byte{ext.MajorOpcode, xkbUseExtension, 2, 0, 1, 0, 0, 0}
	if _, err := request(conn, use); err != nil {
		return err
	}
	// XkbPerClientFlags: deviceSpec, pad, change, value, ctrlsToChange,
	// autoCtrls, autoCtrlValues; length 7 words.
	pcf := make([]byte, 28)
	pcf[0], pcf[1] = ext.MajorOpcode, xkbPerClientFlags
	binary.LittleEndian.PutUint16(pcf[2:], 7)
	binary.LittleEndian.PutUint16(pcf[4:], useCoreKbd)
	binary.LittleEndian.PutUint32(pcf[8:], detectableAutoRep)
	binary.LittleEndian.PutUint32(pcf[12:], detectableAutoRep)
	reply, err := request(conn, pcf)
	if err != nil {
		return err
	}
	// The reply's value field (after the 8-byte header and supported) says
	// which flags are now set.
	if len(reply) < 16 || binary.LittleEndian.Uint32(reply[12:])&detectableAutoRep == 0 {
		return errors.New("the X server refused detectable autorepeat")
	}
	return nil
}

// request sends one raw request with a reply and waits for it. xgb
// encodes in the client's byte order, little-endian on x86.
func request(conn *xgb.Conn, buf []byte) ([]byte, error) {
	cookie := conn.NewCookie(true, true)
	conn.NewRequest(buf, cookie)
	return cookie.Reply()
}

// read hands the window's key events to the GUI until the connection
// closes.
func (x *xkeys) read() {
	defer close(x.events)
	for {
		ev, err := x.conn.WaitForEvent()
		if ev == nil && err == nil {
			return // the connection is closed
		}
		switch e := ev.(type) {
		case xproto.KeyPressEvent:
			repeat := x.down[e.Detail]
			x.down[e.Detail] = true
			x.send(e.Detail, true, repeat)
		case xproto.KeyReleaseEvent:
			delete(x.down, e.Detail)
			x.send(e.Detail, false, false)
		case xproto.FocusOutEvent:
			clear(x.down)
			x.offer(xKeyEvent{focusOut: true})
		case xproto.MappingNotifyEvent:
			if e.Request == xproto.MappingKeyboard {
				x.loadMapping()
			}
		}
	}
}

func (x *xkeys) send(code xproto.Keycode, down, repeat bool) {
	k, ok := x.key(code)
	x.offer(xKeyEvent{key: view.KeyEvent{Key: k, Down: down, Repeat: repeat}, mapped: ok})
}

func (x *xkeys) offer(e xKeyEvent) {
	select {
	case x.events <- e:
	default:
		x.dropped.Add(1)
	}
}

// close ends the connection; read then closes the events channel.
func (x *xkeys) close() { x.conn.Close() }
