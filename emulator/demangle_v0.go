package emulator

import (
	"strconv"
	"strings"
)

// rustc's v0 mangling (RFC 2603), which the prebuilt core and alloc use:
//
//	_RNvNtCsgEmfK2I1SDS_4core3fmt5write → core::fmt::write
//	_RNvMs4_NtCslNYArtu3iFV_5alloc7raw_vecNtB5_11RawVecInner11finish_growB7_
//	  → <alloc::raw_vec::RawVecInner>::finish_grow
//
// demangleV0 reads the paths, generic arguments and types a kernel's
// symbols use, printed as rustc-demangle prints them without hashes; a name
// with anything else (or malformed) is returned as it is.
func demangleV0(raw string) string {
	s, ok := strings.CutPrefix(raw, "_R")
	if !ok {
		return raw
	}
	// An encoding version (a decimal number) may come first.
	for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
		s = s[1:]
	}
	p := &v0Parser{in: s}
	p.path(false)
	if p.bad {
		return raw
	}
	return p.out.String()
}

// v0Parser is one demangling: the input after _R, the position in it, the
// output so far.
type v0Parser struct {
	in    string
	pos   int
	out   strings.Builder
	depth int
	mute  int // > 0: parse without printing
	bad   bool
}

const (
	v0MaxDepth  = 64
	v0MaxOutput = 4096
)

func (p *v0Parser) peek() byte {
	if p.bad || p.pos >= len(p.in) {
		return 0
	}
	return p.in[p.pos]
}

func (p *v0Parser) next() byte {
	c := p.peek()
	if c == 0 {
		p.bad = true
		return 0
	}
	p.pos++
	return c
}

func (p *v0Parser) eat(c byte) bool {
	if p.peek() == c {
		p.pos++
		return true
	}
	return false
}

func (p *v0Parser) write(s string) {
	if p.mute > 0 {
		return
	}
	if p.out.Len()+len(s) > v0MaxOutput {
		p.bad = true
		return
	}
	p.out.WriteString(s)
}

// enter guards the recursion; leave undoes it.
func (p *v0Parser) enter() bool {
	p.depth++
	if p.depth > v0MaxDepth {
		p.bad = true
	}
	return !p.bad
}

func (p *v0Parser) leave() { p.depth-- }

// base62 reads a <base-62-number>: "_" is 0, "<digits>_" is value+1.
func (p *v0Parser) base62() uint64 {
	if p.eat('_') {
		return 0
	}
	var v uint64
	for !p.bad {
		c := p.next()
		var d uint64
		switch {
		case c == '_':
			return v + 1
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'z':
			d = uint64(c-'a') + 10
		case c >= 'A' && c <= 'Z':
			d = uint64(c-'A') + 36
		default:
			p.bad = true
			return 0
		}
		v = v*62 + d // a disambiguator is a 64-bit hash: it may wrap
	}
	return 0
}

// disambiguator skips an optional s<base-62-number>.
func (p *v0Parser) disambiguator() uint64 {
	if p.eat('s') {
		return p.base62() + 1
	}
	return 0
}

// ident reads an <identifier>: a disambiguator, then a decimal length, an
// optional _ and the bytes (punycode, u..., is not read).
func (p *v0Parser) ident() (string, uint64) {
	dis := p.disambiguator()
	if p.peek() == 'u' {
		p.bad = true
		return "", 0
	}
	start := p.pos
	for c := p.peek(); c >= '0' && c <= '9'; c = p.peek() {
		p.pos++
	}
	n, err := strconv.Atoi(p.in[start:p.pos])
	if err != nil || p.pos == start {
		p.bad = true
		return "", 0
	}
	p.eat('_')
	if n > len(p.in)-p.pos {
		p.bad = true
		return "", 0
	}
	id := p.in[p.pos : p.pos+n]
	p.pos += n
	return id, dis
}

// backref runs f at the position a B<base-62-number> points to; the B
// has just been read.
func (p *v0Parser) backref(f func()) {
	b := p.pos - 1
	at := p.base62()
	if p.bad || at >= uint64(b) {
		p.bad = true // a backref points back, never at itself
		return
	}
	saved := p.pos
	p.pos = int(at)
	f()
	p.pos = saved
}

// path reads a <path>; outside a type (inType false) generic arguments
// print as ::<..>.
func (p *v0Parser) path(inType bool) {
	if !p.enter() {
		return
	}
	defer p.leave()
	switch p.next() {
	case 'C':
		id, _ := p.ident()
		p.write(id)
	case 'M':
		p.disambiguator()
		p.skipPath()
		p.write("<")
		p.typ()
		p.write(">")
	case 'X':
		p.disambiguator()
		p.skipPath()
		p.write("<")
		p.typ()
		p.write(" as ")
		p.path(true)
		p.write(">")
	case 'Y':
		p.write("<")
		p.typ()
		p.write(" as ")
		p.path(true)
		p.write(">")
	case 'N':
		ns := p.next()
		p.path(inType)
		id, dis := p.ident()
		switch {
		case ns >= 'A' && ns <= 'Z':
			kind := map[byte]string{'C': "closure", 'S': "shim"}[ns]
			if kind == "" {
				kind = string(ns)
			}
			p.write("::{" + kind)
			if id != "" {
				p.write(":" + id)
			}
			p.write("#" + strconv.FormatUint(dis, 10) + "}")
		case ns >= 'a' && ns <= 'z':
			if id != "" {
				p.write("::" + id)
			}
		default:
			p.bad = true
		}
	case 'I':
		p.path(inType)
		if !inType {
			p.write("::")
		}
		p.list("<", ">", p.genericArg)
	case 'B':
		p.backref(func() { p.path(inType) })
	default:
		p.bad = true
	}
}

// list reads items up to an E, printed between open and close and
// separated by commas: generic arguments, a tuple's types.
func (p *v0Parser) list(open, close string, item func()) {
	p.write(open)
	for i := 0; !p.bad && !p.eat('E'); i++ {
		if i > 0 {
			p.write(", ")
		}
		item()
	}
	p.write(close)
}

// skipPath reads a path without printing it: an impl's own path, which
// rustc-demangle leaves out too.
func (p *v0Parser) skipPath() {
	p.mute++
	p.path(false)
	p.mute--
}

func (p *v0Parser) genericArg() {
	switch p.peek() {
	case 'L':
		p.pos++
		p.base62()
		p.write("'_")
	case 'K':
		p.pos++
		p.constant()
	default:
		p.typ()
	}
}

// v0Basic are the one-letter basic types.
var v0Basic = map[byte]string{
	'a': "i8", 'b': "bool", 'c': "char", 'd': "f64", 'e': "str", 'f': "f32", 'h': "u8", 'i': "isize",
	'j': "usize", 'l': "i32", 'm': "u32", 'n': "i128", 'o': "u128", 's': "i16", 't': "u16", 'u': "()",
	'v': "...", 'x': "i64", 'y': "u64", 'z': "!", 'p': "_",
}

func (p *v0Parser) typ() {
	if !p.enter() {
		return
	}
	defer p.leave()
	c := p.peek()
	if b, ok := v0Basic[c]; ok {
		p.pos++
		p.write(b)
		return
	}
	switch c {
	case 'C', 'M', 'X', 'Y', 'N', 'I':
		p.path(true)
	case 'B':
		p.pos++
		p.backref(p.typ)
	case 'R', 'Q':
		p.pos++
		p.write("&")
		if p.eat('L') {
			p.base62()
		}
		if c == 'Q' {
			p.write("mut ")
		}
		p.typ()
	case 'P', 'O':
		p.pos++
		p.write(map[byte]string{'P': "*const ", 'O': "*mut "}[c])
		p.typ()
	case 'S':
		p.pos++
		p.write("[")
		p.typ()
		p.write("]")
	case 'A':
		p.pos++
		p.write("[")
		p.typ()
		p.write("; ")
		p.constant()
		p.write("]")
	case 'T':
		p.pos++
		p.list("(", ")", p.typ)
	case 'D':
		p.pos++
		p.dynBounds()
	default:
		p.bad = true // function pointers: not read
	}
}

// dynBounds reads a dyn type's traits (after its D) and its lifetime:
// dyn Trait + Other<Assoc = T>.
func (p *v0Parser) dynBounds() {
	p.write("dyn ")
	if p.eat('G') {
		p.base62() // a binder of higher-ranked lifetimes
	}
	for i := 0; !p.bad && !p.eat('E'); i++ {
		if i > 0 {
			p.write(" + ")
		}
		p.path(true)
		for p.eat('p') { // an associated type binding
			name, _ := p.ident()
			p.write("<" + name + " = ")
			p.typ()
			p.write(">")
		}
	}
	if !p.eat('L') {
		p.bad = true
		return
	}
	p.base62()
}

// constant reads a <const>: a type, then hex digits and _, or a backref.
func (p *v0Parser) constant() {
	switch {
	case p.eat('p'):
		p.write("_")
		return
	case p.eat('B'):
		p.backref(p.constant)
		return
	}
	if _, ok := v0Basic[p.peek()]; !ok {
		p.bad = true
		return
	}
	p.pos++
	neg := p.eat('n')
	start := p.pos
	for c := p.peek(); c != '_'; c = p.peek() {
		if c == 0 {
			p.bad = true // the input ended
			return
		}
		p.pos++
	}
	hex := p.in[start:p.pos]
	p.pos++ // the _
	v, err := strconv.ParseUint(hex, 16, 64)
	if err != nil && hex != "" {
		p.write("0x" + hex)
		return
	}
	if neg {
		p.write("-")
	}
	p.write(strconv.FormatUint(v, 10))
}
