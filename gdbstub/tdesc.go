package gdbstub

import (
	"fmt"
	"strings"
)

// The target description gdb reads with qXfer:features:read:target.xml
// tells it the architecture and every register: name, width, type and
// number (the order below, which is also the g packet's layout). gdb's
// x86-64 support looks for the features it knows by name (core, sse,
// segments) and shows any other register, here the control registers and
// EFER, as one more register the user can print or set ($cr3).

// The features of the description, in order.
const (
	featureCore     = "org.gnu.gdb.i386.core"
	featureSSE      = "org.gnu.gdb.i386.sse"
	featureSegments = "org.gnu.gdb.i386.segments"
	featureSystem   = "org.pollscope.i386.system"
)

var featureOrder = []string{featureCore, featureSSE, featureSegments, featureSystem}

// flagField is one named bit range of a flags type.
type flagField struct {
	name       string
	start, end int
}

// bits makes single-bit fields from name/bit pairs.
func bits(pairs ...any) []flagField {
	var fs []flagField
	for i := 0; i+1 < len(pairs); i += 2 {
		b := pairs[i+1].(int)
		fs = append(fs, flagField{pairs[i].(string), b, b})
	}
	return fs
}

// featureTypes are the types each feature defines before its registers.
var featureTypes = map[string]string{
	featureCore: flagsXML("i386_eflags", 4, append(bits("CF", 0, "", 1, "PF", 2, "AF", 4, "ZF", 6, "SF", 7, "TF", 8,
		"IF", 9, "DF", 10, "OF", 11), append([]flagField{{"IOPL", 12, 13}},
		bits("NT", 14, "RF", 16, "VM", 17, "AC", 18, "VIF", 19, "VIP", 20, "ID", 21)...)...)),
	featureSSE: vectorTypesXML() + flagsXML("i386_mxcsr", 4, bits("IE", 0, "DE", 1, "ZE", 2, "OE", 3, "UE", 4,
		"PE", 5, "DAZ", 6, "IM", 7, "DM", 8, "ZM", 9, "OM", 10, "UM", 11, "PM", 12, "FZ", 15)),
	featureSystem: flagsXML("cr0_flags", 8, bits("PE", 0, "MP", 1, "EM", 2, "TS", 3, "ET", 4, "NE", 5,
		"WP", 16, "AM", 18, "NW", 29, "CD", 30, "PG", 31)) +
		flagsXML("cr4_flags", 8, bits("VME", 0, "PVI", 1, "TSD", 2, "DE", 3, "PSE", 4, "PAE", 5, "MCE", 6,
			"PGE", 7, "PCE", 8, "OSFXSR", 9, "OSXMMEXCPT", 10, "UMIP", 11, "LA57", 12, "VMXE", 13, "SMXE", 14,
			"FSGSBASE", 16, "PCIDE", 17, "OSXSAVE", 18, "SMEP", 20, "SMAP", 21, "PKE", 22)) +
		flagsXML("efer_flags", 8, bits("SCE", 0, "LME", 8, "LMA", 10, "NXE", 11, "SVME", 12, "FFXSR", 14)),
}

func flagsXML(id string, size int, fields []flagField) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<flags id=%q size=\"%d\">", id, size)
	for _, f := range fields {
		fmt.Fprintf(&b, "<field name=%q start=\"%d\" end=\"%d\"/>", f.name, f.start, f.end)
	}
	b.WriteString("</flags>")
	return b.String()
}

// vectorTypesXML is the union gdb shows an XMM register as.
func vectorTypesXML() string {
	lanes := []struct{ id, typ, field string }{
		{"v4f", "ieee_single", "v4_float"}, {"v2d", "ieee_double", "v2_double"},
		{"v16i8", "int8", "v16_int8"}, {"v8i16", "int16", "v8_int16"},
		{"v4i32", "int32", "v4_int32"}, {"v2i64", "int64", "v2_int64"},
	}
	counts := map[string]int{"v4f": 4, "v2d": 2, "v16i8": 16, "v8i16": 8, "v4i32": 4, "v2i64": 2}
	var b strings.Builder
	for _, l := range lanes {
		fmt.Fprintf(&b, "<vector id=%q type=%q count=\"%d\"/>", l.id, l.typ, counts[l.id])
	}
	b.WriteString(`<union id="vec128">`)
	for _, l := range lanes {
		fmt.Fprintf(&b, "<field name=%q type=%q/>", l.field, l.id)
	}
	b.WriteString(`<field name="uint128" type="uint128"/></union>`)
	return b.String()
}

// targetXML is the whole target description, built from the register
// table so that the two cannot disagree.
var targetXML = buildTargetXML()

func buildTargetXML() []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd">`)
	b.WriteString(`<target version="1.0"><architecture>i386:x86-64</architecture>`)
	for _, feature := range featureOrder {
		fmt.Fprintf(&b, "<feature name=%q>", feature)
		b.WriteString(featureTypes[feature])
		for n := range registers {
			r := &registers[n]
			if r.feature != feature {
				continue
			}
			fmt.Fprintf(&b, "<reg name=%q bitsize=\"%d\" type=%q regnum=\"%d\"", r.name, r.bits, r.typ, n)
			if r.group != "" {
				fmt.Fprintf(&b, " group=%q", r.group)
			}
			b.WriteString("/>")
		}
		b.WriteString("</feature>")
	}
	b.WriteString("</target>")
	return []byte(b.String())
}
