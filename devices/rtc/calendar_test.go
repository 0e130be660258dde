package rtc

import "testing"

func TestCivilFromSeconds(t *testing.T) {
	for _, tc := range []struct {
		s    int64
		want civil
	}{
		{0, civil{1970, 1, 1, 0, 0, 0, 5}},
		{951782400, civil{2000, 2, 29, 0, 0, 0, 3}},
		{-2208988800, civil{1900, 1, 1, 0, 0, 0, 2}},
		{bootWall, civil{2026, 12, 1, 11, 14, 58, 3}},
		{946684799, civil{1999, 12, 31, 23, 59, 59, 6}},
		{1709164799, civil{2024, 2, 28, 23, 59, 59, 4}},
		{4107542399, civil{2100, 2, 28, 23, 59, 59, 1}},
		{2147483647, civil{2038, 1, 19, 3, 14, 7, 3}},
		{-11670912000, civil{1600, 3, 1, 0, 0, 0, 4}},
		{253402300799, civil{9999, 12, 31, 23, 59, 59, 6}},
		{-1, civil{1969, 12, 31, 23, 59, 59, 4}},
	} {
		if got := civilFromSeconds(tc.s); got != tc.want {
			t.Errorf("civilFromSeconds(%d) = %+v, want %+v", tc.s, got, tc.want)
		}
		if got := tc.want.seconds(); got != tc.s {
			t.Errorf("%+v.seconds() = %d, want %d", tc.want, got, tc.s)
		}
	}
}

// TestCalendarAgreesWithLinux walks a day at a time through 1970-2400 and
// checks the model's calendar against Linux's mktime64 and against itself:
// every day follows the one before, months have their lengths and the week
// cycles.
func TestCalendarAgreesWithLinux(t *testing.T) {
	prev := civilFromSeconds(-secondsPerDay)
	for s := int64(0); s < 13569465600; s += secondsPerDay { // up to 2400-01-01
		c := civilFromSeconds(s)
		if got := mktime64(c.year, int64(c.month), int64(c.day), 0, 0, 0); got != s {
			t.Fatalf("%+v: mktime64 = %d, want %d", c, got, s)
		}
		next := prev.day + 1
		switch {
		case c.day == next && c.month == prev.month && c.year == prev.year:
		case c.day == 1 && prev.day == monthDays(prev.year, prev.month) &&
			(c.month == prev.month+1 && c.year == prev.year || c.month == 1 && prev.month == 12 && c.year == prev.year+1):
		default:
			t.Fatalf("%+v does not follow %+v", c, prev)
		}
		if c.weekday != prev.weekday%7+1 {
			t.Fatalf("%+v: weekday after %d", c, prev.weekday)
		}
		prev = c
	}
}

// monthDays is the Gregorian month length, written the textbook way.
func monthDays(year int64, month int) int {
	switch month {
	case 4, 6, 9, 11:
		return 30
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31
}

func TestDaysFromCivilCarries(t *testing.T) {
	for _, tc := range []struct {
		name             string
		year             int64
		month, day       int
		wantY            int64
		wantMonth, wantD int
	}{
		{"month 13 is next January", 2025, 13, 1, 2026, 1, 1},
		{"month 0 is last December", 2025, 0, 15, 2024, 12, 15},
		{"day 0 is the month's eve", 2024, 3, 0, 2024, 2, 29},
		{"day 32 of January", 2023, 1, 32, 2023, 2, 1},
		{"day 45 of BCD 0x99 month", 2000, 99, 45, 2008, 4, 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := civilFromSeconds(daysFromCivil(tc.year, tc.month, tc.day) * secondsPerDay)
			if c.year != tc.wantY || c.month != tc.wantMonth || c.day != tc.wantD {
				t.Errorf("got %d-%02d-%02d, want %d-%02d-%02d", c.year, c.month, c.day, tc.wantY, tc.wantMonth, tc.wantD)
			}
		})
	}
}
