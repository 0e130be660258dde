package trace

import (
	"testing"

	"github.com/pollscope/pollscope/guest"
)

func TestNames(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"guest kind", Kind(guest.EvPollBegin).String(), "poll-begin"},
		{"task exit (guest.EventKind.Valid rejects it)", Kind(guest.EvTaskExit).String(), "task-exit"},
		{"host kind", HostInject.String(), "inject"},
		{"resource kind", Kind(guest.EvResourceWait).String(), "resource-wait"},
		{"unknown kind", Kind(17).String(), "kind(17)"},
		{"task state", Scheduled.String(), "scheduled"},
		{"lint kind", LintMissedWakeup.String(), "missed-wakeup"},
		{"unknown lint kind", LintKind(9).String(), "lint(9)"},
		{"timer vector", VectorName(32), "IRQ0 timer"},
		{"keyboard vector", VectorName(33), "IRQ1 keyboard"},
		{"non-ISA vector", VectorName(200), "irq 200"},
		{"IRQ line", IRQLineName(4), "IRQ4 serial COM1"},
		{"task label without a name", (&Task{ID: 3}).Label(), "task 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	for k := Kind(0); k < 200; k++ {
		if k.Guest() == k.Host() && (k.Guest() || k.Host()) {
			t.Errorf("kind %d is both guest and host", k)
		}
		want := (k >= 1 && k <= 16) || (k >= 100 && k <= 105)
		if got := k.Guest() || k.Host(); got != want {
			t.Errorf("kind %d known = %v, want %v", k, got, want)
		}
	}
}
