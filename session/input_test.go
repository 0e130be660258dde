package session

import (
	"reflect"
	"strings"
	"testing"
)

// Key and serial inputs go through the input record and come back as they
// were; a serial record with no bytes, or more than a receiver takes at
// once, is refused as corrupt.
func TestInputRecordsRoundTrip(t *testing.T) {
	want := []Input{
		{Time: 1000, Instructions: 5, Key: 30, Down: true},
		{Time: 1500, Instructions: 9, Serial: []byte("echo $((6*7))\n")},
		{Time: 2000, Instructions: 12, Key: 30},
		{Time: 2000, Instructions: 12, Serial: []byte{0, 0xff}},
	}
	var e enc
	var prev int64
	for _, in := range want {
		encodeInput(&e, &prev, in)
	}
	got, err := decodeInputs(FormatVersion, e.b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %+v, want %+v", got, want)
	}
	for name, serial := range map[string]string{"no bytes": "", "too many": strings.Repeat("x", maxSerialInput+1)} {
		var e enc
		e.varint(1)
		e.uvarint(0)
		e.uvarint(0)
		e.byte1(inputSerial)
		e.str(serial)
		if _, err := decodeInputs(FormatVersion, e.b, nil); err == nil {
			t.Errorf("a serial input record with %s decoded without an error", name)
		}
	}
	// Version 2 had no serial inputs: such a record there is corrupt.
	if _, err := decodeInputs(2, e.b, nil); err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("a serial input in a version 2 file: %v, want an error naming the version", err)
	}
}
