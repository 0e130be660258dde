package guest

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The demo kernel's module graph: which Rust module (one file) refers to
// which, read from the source. The kernel is split into a core that
// follows blog_os and a lab (bench/, thread/) that reaches the core
// through hook points; an import cycle between modules would mean the
// layers leak into each other, so the test fails on any.

// kernelSrc is the demo kernel's source tree, relative to this package.
const kernelSrc = "kernel/src"

// rustModule is one source file of the kernel.
type rustModule struct {
	path     string // "crate", "task", "task::executor"
	file     string
	children map[string]bool // modules it declares with `mod name;`
	code     string          // comments and literals removed
}

// readKernelModules reads every .rs file under dir into modules by path.
func readKernelModules(t *testing.T, dir string) map[string]*rustModule {
	t.Helper()
	mods := map[string]*rustModule{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rs") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		m := &rustModule{path: modulePath(rel), file: rel, children: map[string]bool{}, code: stripRust(string(src))}
		for _, c := range modDecl.FindAllStringSubmatch(m.code, -1) {
			m.children[c[1]] = true
		}
		mods[m.path] = m
		return nil
	})
	if err != nil {
		t.Fatalf("reading the kernel source: %v", err)
	}
	return mods
}

// modulePath maps a file under src/ to its module path.
func modulePath(rel string) string {
	rel = strings.TrimSuffix(filepath.ToSlash(rel), ".rs")
	rel = strings.TrimSuffix(rel, "/mod")
	if rel == "main" || rel == "lib" {
		return "crate"
	}
	return strings.ReplaceAll(rel, "/", "::")
}

var (
	modDecl   = regexp.MustCompile(`(?m)^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;`)
	useStmt   = regexp.MustCompile(`\buse\s+([^;]+);`)
	inlineRef = regexp.MustCompile(`(?:\$crate|\bcrate|\bsuper|\bself)(?:::\w+)+`)
	bareRef   = regexp.MustCompile(`\b(\w+)::\w`)
	macroUse  = regexp.MustCompile(`\b(\w+)!\s*[(\[{]`)
	macroDef  = regexp.MustCompile(`#\[macro_export\]\s*macro_rules!\s*(\w+)`)
	asAlias   = regexp.MustCompile(`\s+as\s+\w+`)
)

// stripRust blanks out comments and string and character literals, so
// that paths mentioned in them are not taken for references. Line breaks
// are kept.
func stripRust(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "//"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			depth := 0
			for i < len(s) {
				if strings.HasPrefix(s[i:], "/*") {
					depth, i = depth+1, i+2
				} else if strings.HasPrefix(s[i:], "*/") {
					depth, i = depth-1, i+2
					if depth == 0 {
						break
					}
				} else {
					if s[i] == '\n' {
						b.WriteByte('\n')
					}
					i++
				}
			}
			b.WriteByte(' ')
		case s[i] == 'r' && rawString.MatchString(s[i:]) && (i == 0 || !isIdent(s[i-1])):
			hashes := rawString.FindStringSubmatch(s[i:])[1]
			end := strings.Index(s[i+len(hashes)+2:], `"`+hashes)
			if end < 0 {
				return b.String()
			}
			b.WriteString(`""`)
			i += len(hashes) + 2 + end + 1 + len(hashes)
		case s[i] == '"':
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' {
					i++
				}
				i++
			}
			i++
			b.WriteString(`""`)
		case s[i] == '\'' && charLit.MatchString(s[i:]):
			i += len(charLit.FindString(s[i:]))
			b.WriteString("' '")
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

var (
	rawString = regexp.MustCompile(`^r(#*)"`)
	charLit   = regexp.MustCompile(`^'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)|[^\\'])'`)
)

func isIdent(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// useTreePaths expands a use tree ("crate::{a, b::{c, d}}") into its paths.
func useTreePaths(tree string) []string {
	tree = strings.Join(strings.Fields(asAlias.ReplaceAllString(tree, "")), "")
	open := strings.IndexByte(tree, '{')
	if open < 0 {
		return []string{strings.TrimSuffix(tree, "::self")}
	}
	prefix := tree[:open]
	inner := tree[open+1 : strings.LastIndexByte(tree, '}')]
	var out []string
	depth, start := 0, 0
	for i := 0; i <= len(inner); i++ {
		if i == len(inner) || inner[i] == ',' && depth == 0 {
			if part := inner[start:i]; part != "" {
				if part == "self" {
					out = append(out, strings.TrimSuffix(prefix, "::"))
				} else {
					out = append(out, useTreePaths(prefix+part)...)
				}
			}
			start = i + 1
			continue
		}
		switch inner[i] {
		case '{':
			depth++
		case '}':
			depth--
		}
	}
	return out
}

// resolve maps a path used in module `from` to the module it refers to:
// the longest prefix that names a module file.
func resolve(mods map[string]*rustModule, from, path string) string {
	segs := strings.Split(path, "::")
	var cur []string
	switch segs[0] {
	case "crate", "$crate":
		segs = segs[1:]
	case "super":
		cur = parentOf(from)
		segs = segs[1:]
		for len(segs) > 0 && segs[0] == "super" {
			cur = parentOfSegs(cur)
			segs = segs[1:]
		}
	case "self":
		cur = splitPath(from)
		segs = segs[1:]
	default:
		// A bare path starts at a child of the current module.
		if m := mods[from]; m == nil || !m.children[segs[0]] {
			return ""
		}
		cur = splitPath(from)
	}
	for _, s := range segs {
		next := append(append([]string(nil), cur...), s)
		if mods[joinPath(next)] == nil {
			break
		}
		cur = next
	}
	return joinPath(cur)
}

func splitPath(p string) []string {
	if p == "crate" {
		return nil
	}
	return strings.Split(p, "::")
}

func joinPath(segs []string) string {
	if len(segs) == 0 {
		return "crate"
	}
	return strings.Join(segs, "::")
}

func parentOf(p string) []string { return parentOfSegs(splitPath(p)) }

func parentOfSegs(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s[:len(s)-1]
}

// resolveMacro is resolve, except that `crate::name` for an exported
// macro (which lives at the crate root, `use crate::println;`,
// `$crate::print!`) is the module that defines it.
func resolveMacro(mods map[string]*rustModule, macros map[string]string, from, path string) string {
	segs := strings.Split(path, "::")
	if len(segs) == 2 && (segs[0] == "crate" || segs[0] == "$crate") {
		if at, ok := macros[segs[1]]; ok {
			return at
		}
	}
	return resolve(mods, from, path)
}

// kernelModuleGraph returns, for each module, the modules it refers to.
func kernelModuleGraph(mods map[string]*rustModule) map[string]map[string]bool {
	macros := map[string]string{}
	for _, m := range mods {
		for _, d := range macroDef.FindAllStringSubmatch(m.code, -1) {
			macros[d[1]] = m.path
		}
	}
	graph := map[string]map[string]bool{}
	for _, m := range mods {
		deps := map[string]bool{}
		add := func(to string) {
			if to != "" && to != m.path {
				deps[to] = true
			}
		}
		for _, u := range useStmt.FindAllStringSubmatch(m.code, -1) {
			for _, p := range useTreePaths(u[1]) {
				add(resolveMacro(mods, macros, m.path, p))
			}
		}
		for _, p := range inlineRef.FindAllString(m.code, -1) {
			add(resolveMacro(mods, macros, m.path, p))
		}
		for _, r := range bareRef.FindAllStringSubmatchIndex(m.code, -1) {
			word := m.code[r[2]:r[3]]
			if r[0] > 0 && (m.code[r[0]-1] == ':' || m.code[r[0]-1] == '$') || word == "crate" || word == "super" || word == "self" {
				continue
			}
			add(resolve(mods, m.path, word))
		}
		for _, u := range macroUse.FindAllStringSubmatch(m.code, -1) {
			add(macros[u[1]])
		}
		graph[m.path] = deps
	}
	return graph
}

// moduleCycle is a group of modules that refer to each other (a strongly
// connected component of the graph) and one cycle through them.
type moduleCycle struct {
	members, cycle []string
}

func (c moduleCycle) String() string {
	return strings.Join(c.cycle, " -> ") + " (modules in the loop: " + strings.Join(c.members, ", ") + ")"
}

// findCycles returns every group of two or more modules that refer to
// each other.
func findCycles(graph map[string]map[string]bool) []moduleCycle {
	var nodes []string
	for n := range graph {
		nodes = append(nodes, n)
	}
	sort.Strings(nodes)
	index, low, onStack := map[string]int{}, map[string]int{}, map[string]bool{}
	var stack []string
	var out []moduleCycle
	next := 0
	var visit func(string)
	visit = func(v string) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range sortedKeys(graph[v]) {
			if _, seen := index[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var scc []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			scc = append(scc, w)
			if w == v {
				break
			}
		}
		if len(scc) > 1 {
			sort.Strings(scc)
			out = append(out, moduleCycle{members: scc, cycle: cycleThrough(graph, scc)})
		}
	}
	for _, n := range nodes {
		if _, seen := index[n]; !seen {
			visit(n)
		}
	}
	return out
}

// cycleThrough finds one cycle inside a strongly connected component,
// starting at its alphabetically first module.
func cycleThrough(graph map[string]map[string]bool, scc []string) []string {
	in := map[string]bool{}
	for _, n := range scc {
		in[n] = true
	}
	start := scc[0]
	prev := map[string]string{start: ""}
	queue := []string{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, w := range sortedKeys(graph[v]) {
			if !in[w] {
				continue
			}
			if w == start {
				path := []string{start}
				for u := v; u != start; u = prev[u] {
					path = append(path, u)
				}
				// path is start, v, ..., reversed after start.
				for i, j := 1, len(path)-1; i < j; i, j = i+1, j-1 {
					path[i], path[j] = path[j], path[i]
				}
				return append(path, start)
			}
			if _, seen := prev[w]; !seen {
				prev[w] = v
				queue = append(queue, w)
			}
		}
	}
	return scc
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestKernelModulesHaveNoCycle fails when two or more of the demo kernel's
// modules refer to each other, naming the cycle.
func TestKernelModulesHaveNoCycle(t *testing.T) {
	mods := readKernelModules(t, kernelSrc)
	if len(mods) < 10 {
		t.Fatalf("found only %d modules under %s", len(mods), kernelSrc)
	}
	graph := kernelModuleGraph(mods)
	for _, c := range findCycles(graph) {
		t.Errorf("module cycle: %s", c)
	}
}

// TestKernelCoreDoesNotReachTheLab: the lab (bench, thread) is reached
// through hook points; no core module but the crate root and the test
// harness refers to it.
func TestKernelCoreDoesNotReachTheLab(t *testing.T) {
	graph := kernelModuleGraph(readKernelModules(t, kernelSrc))
	isLab := func(m string) bool {
		top := strings.SplitN(m, "::", 2)[0]
		return top == "bench" || top == "thread"
	}
	for _, from := range sortedKeys(mapKeys(graph)) {
		top := strings.SplitN(from, "::", 2)[0]
		if isLab(from) || from == "crate" || top == "ktest" {
			continue
		}
		for _, to := range sortedKeys(graph[from]) {
			if isLab(to) {
				t.Errorf("core module %s refers to the lab module %s", from, to)
			}
		}
	}
}

func mapKeys(m map[string]map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// The checker itself, on made-up modules: every way one Rust module can
// name another closes a loop that it must find.
func TestModuleGraphFindsEachKindOfReference(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		cycle bool
	}{
		{"use of a sibling", map[string]string{"main.rs": "mod a; mod b;", "a.rs": "use crate::b::X;", "b.rs": "use crate::a;"}, true},
		{"grouped use", map[string]string{"main.rs": "mod a; mod b;", "a.rs": "use crate::{b, c as d};", "b.rs": "use crate::{self as k, a::Y};"}, true},
		{"inline path", map[string]string{"main.rs": "mod a; mod b;", "a.rs": "fn f() { crate::b::g() }", "b.rs": "fn g() { crate::a::f() }"}, true},
		{"parent and child", map[string]string{"main.rs": "mod t;", "t/mod.rs": "pub mod e;\nfn f() { e::g() }", "t/e.rs": "use super::Task;"}, true},
		{"exported macro", map[string]string{"main.rs": "mod c; mod d;", "c.rs": "#[macro_export]\nmacro_rules! say { () => {} }\nuse crate::d;", "d.rs": "fn f() { say!(); }"}, true},
		{"paths in comments and strings do not count", map[string]string{"main.rs": "mod a; mod b;", "a.rs": "use crate::b;", "b.rs": "// crate::a::f\nconst S: &str = \"crate::a::f\"; const R: &str = r#\"crate::a\"#; const C: char = '\"';"}, false},
		{"a layered tree", map[string]string{"main.rs": "mod a; mod b; mod c;", "a.rs": "use crate::{b, c};", "b.rs": "use crate::c;", "c.rs": ""}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, src := range c.files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cycles := findCycles(kernelModuleGraph(readKernelModules(t, dir)))
			if got := len(cycles) > 0; got != c.cycle {
				t.Fatalf("cycles %v, want a cycle: %v", cycles, c.cycle)
			}
		})
	}
}
