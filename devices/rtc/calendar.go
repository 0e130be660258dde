package rtc

// The RTC counts seconds; the guest sees a calendar. These functions convert
// between a count of seconds since 1970-01-01 00:00:00 (the Unix epoch, with
// no time zone: the registers show whatever zone the board's wall time is
// in, UTC for a PC running Linux) and the proleptic Gregorian calendar, for
// any year, with floor division so that times before 1970 work the same.

const (
	secondsPerDay = 86400
	// daysPerEra is the length of a 400-year Gregorian cycle, after which
	// weekdays and leap years repeat.
	daysPerEra = 146097
	// epochDay is 1970-01-01 counted in days from 0000-03-01, the start of
	// a Gregorian era when years begin in March (which puts the leap day
	// last).
	epochDay = 719468
)

// civil is a calendar date and time of day.
type civil struct {
	year                 int64
	month, day           int // 1-12, 1-31
	hour, minute, second int
	weekday              int // 1-7, Sunday is 1, as the RTC counts
}

// floorDiv returns a/b rounded towards minus infinity, and the remainder
// that goes with it (0 <= r < b for b > 0).
func floorDiv(a, b int64) (q, r int64) {
	q, r = a/b, a%b
	if r < 0 {
		q--
		r += b
	}
	return q, r
}

// daysFromCivil returns the number of days from 1970-01-01 to the given date.
// The month may lie outside 1-12 and the day outside the month: both carry
// into the next or previous month and year, as they would on a counter.
func daysFromCivil(year int64, month, day int) int64 {
	dy, m0 := floorDiv(int64(month)-1, 12)
	year += dy
	m := m0 + 1 // 1-12
	if m <= 2 { // January and February belong to the previous March-year
		year--
	}
	era, yoe := floorDiv(year, 400)        // year of era: 0-399
	mp := (m + 9) % 12                     // March is 0
	doy := (153*mp + 2) / 5                // day of the March-year on which the month starts
	doe := yoe*365 + yoe/4 - yoe/100 + doy // day of era
	return era*daysPerEra + doe - epochDay + int64(day) - 1
}

// civilFromSeconds breaks a count of seconds since 1970-01-01 00:00:00 into a
// calendar date and time.
func civilFromSeconds(s int64) civil {
	days, sod := floorDiv(s, secondsPerDay)
	era, doe := floorDiv(days+epochDay, daysPerEra)
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of era: 0-399
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the March-year: 0-365
	mp := (5*doy + 2) / 153                                // March is 0
	day := doy - (153*mp+2)/5 + 1
	month := mp + 3
	if month > 12 {
		month -= 12
	}
	year := era*400 + yoe
	if month <= 2 {
		year++
	}
	_, wd := floorDiv(days+4, 7) // 1970-01-01 was a Thursday: 4 days after a Sunday
	return civil{
		year:    year,
		month:   int(month),
		day:     int(day),
		hour:    int(sod / 3600),
		minute:  int(sod / 60 % 60),
		second:  int(sod % 60),
		weekday: int(wd) + 1,
	}
}

// seconds is the inverse of civilFromSeconds. Fields out of range carry.
func (c civil) seconds() int64 {
	return daysFromCivil(c.year, c.month, c.day)*secondsPerDay +
		int64(c.hour)*3600 + int64(c.minute)*60 + int64(c.second)
}
