package view

import (
	"sort"
	"testing"
)

func TestGallopMatchesBinarySearch(t *testing.T) {
	s := []int64{1, 3, 3, 3, 7, 8, 8, 20, 21, 22, 40}
	for lo := 0; lo <= len(s); lo++ {
		for v := int64(0); v <= 42; v++ {
			want := lo + sort.Search(len(s)-lo, func(i int) bool { return s[lo+i] >= v })
			if got := gallop(s, v, lo); got != want {
				t.Fatalf("gallop(%d, from %d) = %d, want %d", v, lo, got, want)
			}
		}
	}
}
