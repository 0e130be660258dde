package ps2

import "github.com/pollscope/pollscope/devices"

// QueueCap is how many key events (one make or break sequence each) the
// host-side FIFO holds before further events are dropped and counted.
const QueueCap = 1024

// ReplyCap is how many answer bytes to keyboard commands wait at most; a
// guest that keeps sending commands without reading the answers loses the
// newest ones, as a real keyboard's buffer overruns.
const ReplyCap = 16

// MaxEventLen is the longest sequence one key event sends: Pause in set 2.
const MaxEventLen = 8

// Event is one key press or release as the bytes the keyboard sends for it,
// in the scan code set that was current when the host reported it.
type Event struct {
	Len   uint8             // number of bytes used in Bytes
	Bytes [MaxEventLen]byte // the sequence, first byte first
}

// KeyboardState is the state of the MF2 keyboard behind the controller's
// first port: its settings, the answers it owes the guest and the key events
// the host has typed and the guest has not read yet.
type KeyboardState struct {
	Scanning   bool         // the keyboard reports keys (after KbdEnable; cleared by KbdDisable)
	ScanSet    uint8        // scan code set in use: 1 or 2
	LEDs       uint8        // LED byte last set with KbdSetLEDs
	Typematic  uint8        // rate/delay byte last set with KbdTypematic
	AwaitParam uint8        // command (KbdSetLEDs, KbdScanCodeSet, KbdTypematic) whose parameter comes next, or 0
	Replies    []byte       // answers to commands not yet sent, oldest first; at most ReplyCap
	Events     []Event      // host-side FIFO of key events not yet fully sent, oldest first; at most QueueCap
	Sent       int          // bytes of Events[0] already sent; nothing may cut in until it is done
	Last       byte         // the last byte sent, for KbdResend
	Dropped    uint64       // key events lost because the FIFO was full
	Discarded  uint64       // key events thrown away because scanning was disabled or a command cleared the buffer
	Repeating  Key          // the key whose make code repeats while held, or 0 (see typematic.go)
	RepeatAt   devices.Time // when it repeats next
}

// powerOnKeyboard returns a keyboard as it is after its basic assurance test
// (and as SeaBIOS leaves it): scanning in set 2 with default rates.
func powerOnKeyboard() KeyboardState {
	k := KeyboardState{Scanning: true, Last: KbdBATOK}
	k.loadDefaults()
	return k
}

// clone returns a copy of k that shares no memory with it.
func (k KeyboardState) clone() KeyboardState {
	k.Replies = append([]byte(nil), k.Replies...)
	k.Events = append([]Event(nil), k.Events...)
	return k
}

// loadDefaults restores the settings KbdSetDefaults names: scan code set 2
// and the default typematic rate and delay.
func (k *KeyboardState) loadDefaults() {
	k.ScanSet = DefaultScanSet
	k.Typematic = DefaultTypematic
}

// clearBuffer throws away what the keyboard has not started to send, as
// KbdDisable, KbdSetDefaults and KbdReset do; an event already partly sent
// is finished so the guest never sees half a sequence.
func (k *KeyboardState) clearBuffer() {
	k.Replies = k.Replies[:0]
	keep := 0
	if k.Sent > 0 {
		keep = 1
	}
	k.Discarded += uint64(len(k.Events) - keep)
	k.Events = k.Events[:keep]
	k.Repeating = 0
}

// reply queues answer bytes for the guest, dropping those beyond ReplyCap.
func (k *KeyboardState) reply(bs ...byte) {
	for _, b := range bs {
		if len(k.Replies) < ReplyCap {
			k.Replies = append(k.Replies, b)
		}
	}
}

// receive takes one byte the guest sent the keyboard through port 0x60. A
// byte below 0x80 that follows KbdSetLEDs, KbdScanCodeSet or KbdTypematic is
// that command's parameter; anything else is a command (a command byte sent
// in place of a parameter abandons the first command, as on real keyboards).
func (k *KeyboardState) receive(b byte) {
	if k.AwaitParam != 0 && b < 0x80 {
		cmd := k.AwaitParam
		k.AwaitParam = 0
		k.parameter(cmd, b)
		return
	}
	k.AwaitParam = 0
	k.command(b)
}

// command runs one keyboard command.
func (k *KeyboardState) command(b byte) {
	switch b {
	case KbdSetLEDs, KbdScanCodeSet, KbdTypematic:
		// The guest sends the command, waits for the ACK, then sends the
		// parameter and waits for a second ACK.
		k.AwaitParam = b
		k.reply(KbdAck)
	case KbdEcho:
		k.reply(KbdEcho)
	case KbdIdentify:
		k.reply(KbdAck, KbdID1, KbdID2)
	case KbdEnable:
		k.Scanning = true
		k.reply(KbdAck)
	case KbdDisable:
		k.clearBuffer()
		k.loadDefaults()
		k.Scanning = false
		k.reply(KbdAck)
	case KbdSetDefaults:
		k.clearBuffer()
		k.loadDefaults()
		k.Scanning = true
		k.reply(KbdAck)
	case KbdResend:
		k.reply(k.Last)
	case KbdReset:
		// The keyboard acknowledges, runs its basic assurance test (all
		// LEDs flash, then go dark) and reports the result.
		k.clearBuffer()
		k.loadDefaults()
		k.LEDs = 0
		k.Scanning = true
		k.reply(KbdAck, KbdBATOK)
	default:
		k.reply(KbdResendMe)
	}
}

// parameter takes the byte that follows a command which needs one.
func (k *KeyboardState) parameter(cmd, b byte) {
	switch cmd {
	case KbdSetLEDs:
		k.LEDs = b & 0x07
		k.reply(KbdAck)
	case KbdTypematic:
		k.Typematic = b
		k.reply(KbdAck)
	case KbdScanCodeSet:
		switch b {
		case 0:
			// Get: ACK, then the set number (which the controller
			// translates like any other byte when XLATE is on).
			k.reply(KbdAck, k.ScanSet)
		case 1, 2:
			k.ScanSet = b
			k.reply(KbdAck)
		case 3:
			// Set 3 is not supported: acknowledged, not taken.
			k.reply(KbdAck)
		default:
			k.reply(KbdResendMe)
		}
	}
}

// key records a host key press (down) or release. It returns without
// queueing anything for KeyPause's release, which sends nothing.
func (k *KeyboardState) key(key Key, down bool) {
	seq := sequence(key, down, int(k.ScanSet))
	switch {
	case len(seq) == 0:
		return
	case !k.Scanning:
		k.Discarded++
		return
	case len(k.Events) >= QueueCap:
		k.Dropped++
		return
	}
	var e Event
	e.Len = uint8(copy(e.Bytes[:], seq))
	k.Events = append(k.Events, e)
}

// next hands the controller the next byte the keyboard sends: the rest of an
// event already begun, else an answer to a command, else the next event.
func (k *KeyboardState) next() (byte, bool) {
	var b byte
	switch {
	case k.Sent == 0 && len(k.Replies) > 0:
		b = k.Replies[0]
		k.Replies = k.Replies[1:]
	case len(k.Events) > 0:
		e := &k.Events[0]
		b = e.Bytes[k.Sent]
		k.Sent++
		if k.Sent >= int(e.Len) {
			k.Events = k.Events[1:]
			k.Sent = 0
		}
	default:
		return 0, false
	}
	k.Last = b
	return b, true
}

// repair makes a restored state safe to run: at most QueueCap events and
// ReplyCap answers, every event between 1 and MaxEventLen bytes long, Sent
// inside the first event and a scan code set the keyboard speaks.
func (k *KeyboardState) repair() {
	if len(k.Replies) > ReplyCap {
		k.Replies = k.Replies[:ReplyCap]
	}
	events := k.Events[:0]
	for _, e := range k.Events {
		if e.Len > MaxEventLen {
			e.Len = MaxEventLen
		}
		if e.Len > 0 && len(events) < QueueCap {
			events = append(events, e)
		}
	}
	k.Events = events
	if len(k.Events) == 0 || k.Sent < 0 || k.Sent >= int(k.Events[0].Len) {
		k.Sent = 0
	}
	if k.ScanSet != 1 && k.ScanSet != 2 {
		k.ScanSet = DefaultScanSet
	}
	if k.Repeating < 0 || k.Repeating >= keyEnd {
		k.Repeating = 0
	}
}
