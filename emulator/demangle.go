package emulator

import (
	"strconv"
	"strings"
)

// demangle turns a symbol name as rustc's legacy mangling writes it (the
// default up to now: _ZN, length-prefixed path components, a 17h<hash>
// component, E) into the Rust path a developer reads:
//
//	_ZN16pollscope_kernel4task8executor9poll_task17hfc2150ed64fa9afdE
//	→ pollscope_kernel::task::executor::poll_task
//
// with the $..$ escapes of the components undone ($LT$ is <, $u20$ a
// space, .. is ::); a _R name goes to demangleV0. A name it cannot read (C,
// a truncated symbol) is returned as it is.
func demangle(raw string) string {
	if strings.HasPrefix(raw, "_R") {
		return demangleV0(raw)
	}
	s, ok := strings.CutPrefix(raw, "_ZN")
	if !ok {
		// Some toolchains add an underscore: __ZN.
		if s, ok = strings.CutPrefix(raw, "__ZN"); !ok {
			return raw
		}
	}
	var parts []string
	for {
		if strings.HasPrefix(s, "E") {
			s = s[1:]
			break
		}
		n := 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		if n == 0 || n > 6 {
			return raw
		}
		size, _ := strconv.Atoi(s[:n])
		s = s[n:]
		if size == 0 || size > len(s) {
			return raw
		}
		parts = append(parts, s[:size])
		s = s[size:]
	}
	// A suffix after E (".llvm.123" from LTO) is not part of the path.
	if s != "" && s[0] != '.' {
		return raw
	}
	if len(parts) > 1 && isRustHash(parts[len(parts)-1]) {
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 {
		return raw
	}
	for i, p := range parts {
		d, ok := unescapeComponent(p)
		if !ok {
			return raw
		}
		parts[i] = d
	}
	return strings.Join(parts, "::")
}

// isRustHash reports whether a path component is rustc's h + 16 hex
// digits.
func isRustHash(p string) bool {
	if len(p) != 17 || p[0] != 'h' {
		return false
	}
	for _, c := range p[1:] {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// componentEscapes are the $..$ escapes of legacy-mangled components.
var componentEscapes = map[string]string{
	"SP": "@", "BP": "*", "RF": "&", "LT": "<", "GT": ">", "LP": "(", "RP": ")", "C": ",",
}

// unescapeComponent undoes a component's escapes: $LT$, $u7b$ and the
// like, and ".." for "::".
func unescapeComponent(p string) (string, bool) {
	if strings.HasPrefix(p, "_$") {
		p = p[1:]
	}
	var b strings.Builder
	for i := 0; i < len(p); {
		switch {
		case p[i] == '$':
			j := strings.IndexByte(p[i+1:], '$')
			if j < 0 {
				return "", false
			}
			code := p[i+1 : i+1+j]
			if r, ok := componentEscapes[code]; ok {
				b.WriteString(r)
			} else if hex, ok := strings.CutPrefix(code, "u"); ok && len(hex) >= 1 && len(hex) <= 6 {
				c, err := strconv.ParseUint(hex, 16, 32)
				if err != nil || c > 0x10ffff || c < 0x20 {
					return "", false
				}
				b.WriteRune(rune(c))
			} else {
				return "", false
			}
			i += j + 2
		case strings.HasPrefix(p[i:], ".."):
			b.WriteString("::")
			i += 2
		default:
			b.WriteByte(p[i])
			i++
		}
	}
	return b.String(), true
}

// ShortName is a symbol's name cut to what tells functions apart at a
// glance: the last two components of a Rust path (three when the last is
// a closure), with the generic arguments of a path component left in.
//
//	pollscope_kernel::task::executor::poll_task → executor::poll_task
//	pollscope_kernel::demo::worker::{{closure}} → demo::worker::{{closure}}
func ShortName(name string) string {
	parts := splitPath(name)
	keep := 2
	if len(parts) > 0 && strings.HasPrefix(parts[len(parts)-1], "{{") {
		keep = 3
	}
	if len(parts) <= keep {
		return name
	}
	return strings.Join(parts[len(parts)-keep:], "::")
}

// splitPath splits a Rust path at the :: outside angle brackets.
func splitPath(name string) []string {
	var parts []string
	depth, from := 0, 0
	for i := 0; i < len(name); i++ {
		switch {
		case name[i] == '<':
			depth++
		case name[i] == '>' && depth > 0:
			depth--
		case depth == 0 && strings.HasPrefix(name[i:], "::"):
			parts = append(parts, name[from:i])
			i++
			from = i + 1
		}
	}
	return append(parts, name[from:])
}
