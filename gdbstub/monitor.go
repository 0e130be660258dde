package gdbstub

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// gdb's `monitor TEXT` arrives as qRcmd with TEXT in hex. The stub runs
// the command whose name TEXT starts with, sends what it prints as O
// packets, and answers OK. The machine adds its own commands (info pic,
// info pit, trace FILE) to the stub's built-in ones (help, info registers,
// x, xp, physical).

// Command is one monitor command.
type Command struct {
	// Name is the command's words, as typed: "info pic".
	Name string
	// Usage names its arguments, for help: "FILE".
	Usage string
	// Help says in a line what it does.
	Help string
	// Run executes it with the rest of the line (spaces trimmed) and
	// prints its output to out. An error is printed after the output.
	Run func(args string, out io.Writer) error
}

// monitor answers qRcmd,HEX.
func (s *session) monitor(hexText string) []byte {
	text, err := decodeHexBytes(hexText)
	if err != nil {
		return replyMalformed
	}
	var out strings.Builder
	s.runCommand(strings.TrimSpace(string(text)), &out)
	if err := s.console(out.String()); err != nil {
		s.ending = endDisconnect
		return nil
	}
	return []byte("OK")
}

// runCommand finds and runs a command, printing its output and errors.
func (s *session) runCommand(line string, out io.Writer) {
	cmd, args, ok := findCommand(s.commands, line)
	if !ok {
		fmt.Fprintf(out, "unknown monitor command %q: \"monitor help\" lists them\n", line)
		return
	}
	if err := cmd.Run(args, out); err != nil {
		fmt.Fprintf(out, "%s: %v\n", cmd.Name, err)
	}
}

// findCommand picks the command with the longest name that line starts
// with, as whole words; "x/4i" counts as "x" followed by "/4i".
func findCommand(cmds []Command, line string) (Command, string, bool) {
	best := -1
	for i, c := range cmds {
		rest, ok := strings.CutPrefix(line, c.Name)
		if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '/') {
			continue
		}
		if best < 0 || len(c.Name) > len(cmds[best].Name) {
			best = i
		}
	}
	if best < 0 {
		return Command{}, "", false
	}
	return cmds[best], strings.TrimSpace(strings.TrimPrefix(line, cmds[best].Name)), true
}

// allCommands is the machine's commands, then the built-in ones it does
// not replace.
func (s *session) allCommands() []Command {
	cmds := slices.Clone(s.srv.Commands)
	for _, b := range s.builtinCommands() {
		if !slices.ContainsFunc(cmds, func(c Command) bool { return c.Name == b.Name }) {
			cmds = append(cmds, b)
		}
	}
	return cmds
}

func (s *session) builtinCommands() []Command {
	return []Command{
		{Name: "help", Help: "list the monitor commands", Run: s.help},
		{Name: "info registers", Help: "the vCPU's registers, segments and control registers", Run: s.infoRegisters},
		{Name: "x", Usage: "/NFMT ADDR", Help: "examine N units at linear ADDR: FMT i (instructions) or x (bytes in hex)", Run: func(args string, out io.Writer) error {
			return s.examine(Linear, args, out)
		}},
		{Name: "xp", Usage: "/NFMT ADDR", Help: "examine at physical ADDR, as x", Run: func(args string, out io.Writer) error {
			return s.examine(Physical, args, out)
		}},
		{Name: "physical", Usage: "on|off", Help: "make gdb's memory accesses physical (on) or linear (off)", Run: s.setPhysical},
	}
}

func (s *session) help(_ string, out io.Writer) error {
	cmds := slices.Clone(s.commands)
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	for _, c := range cmds {
		name := c.Name
		if c.Usage != "" {
			sep := " "
			if strings.HasPrefix(c.Usage, "/") {
				sep = ""
			}
			name += sep + c.Usage
		}
		fmt.Fprintf(out, "%-22s %s\n", name, c.Help)
	}
	return nil
}

func (s *session) infoRegisters(_ string, out io.Writer) error {
	r, err := s.target.Regs()
	if err != nil {
		return err
	}
	sr, err := s.target.SRegs()
	if err != nil {
		return err
	}
	FormatRegisters(out, &r, &sr)
	return nil
}

func (s *session) setPhysical(args string, out io.Writer) error {
	switch args {
	case "on":
		s.physical = true
	case "off":
		s.physical = false
	case "":
	default:
		return fmt.Errorf("say on or off, not %q", args)
	}
	fmt.Fprintf(out, "gdb's memory accesses are %s\n", s.space())
	return nil
}

// examine runs x and xp: "/NFMT ADDR" (N defaults to 1, FMT to x). ADDR is
// a number (0x for hex) or $rip, $pc, $rsp or $sp.
func (s *session) examine(space Space, args string, out io.Writer) error {
	count, format, addrText, err := parseExamine(args)
	if err != nil {
		return err
	}
	addr, err := s.examineAddress(addrText)
	if err != nil {
		return err
	}
	read := func(a uint64, buf []byte) int {
		n, _ := s.target.ReadMemory(space, a, buf)
		return n
	}
	if format == 'x' {
		return dumpBytes(out, read, addr, count)
	}
	sr, err := s.target.SRegs()
	if err != nil {
		return err
	}
	Disassemble(out, read, addr, count, sr.CodeSize(), nil)
	return nil
}

// maxExamine bounds what one x command prints.
const maxExamine = 4096

func parseExamine(args string) (count int, format byte, addr string, err error) {
	count, format = 1, 'x'
	if spec, ok := strings.CutPrefix(args, "/"); ok {
		unit, rest, _ := strings.Cut(spec, " ")
		args = rest
		digits := strings.TrimRight(unit, "ix")
		if len(unit)-len(digits) > 1 {
			return 0, 0, "", fmt.Errorf("one format letter (i or x) after the count, not %q", unit)
		}
		if len(digits) < len(unit) {
			format = unit[len(unit)-1]
		}
		if digits != "" {
			n, err := strconv.Atoi(digits)
			if err != nil || n < 1 || n > maxExamine {
				return 0, 0, "", fmt.Errorf("a count from 1 to %d, not %q", maxExamine, digits)
			}
			count = n
		}
	}
	addr = strings.TrimSpace(args)
	if addr == "" {
		return 0, 0, "", fmt.Errorf("an address is needed, e.g. x/8i 0x100000")
	}
	return count, format, addr, nil
}

func (s *session) examineAddress(text string) (uint64, error) {
	switch text {
	case "$rip", "$pc", "$rsp", "$sp":
		r, err := s.target.Regs()
		if err != nil {
			return 0, err
		}
		if text == "$rip" || text == "$pc" {
			return r.RIP, nil
		}
		return r.RSP, nil
	}
	v, err := strconv.ParseUint(text, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not an address (a number, 0x for hex, or $pc, $sp)", text)
	}
	return v, nil
}
