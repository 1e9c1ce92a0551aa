package report

import (
	"fmt"
	"slices"
	"testing"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

func TestFormatMatchesSprintf(t *testing.T) {
	type named string
	tests := []struct {
		format string
		args   []any
	}{
		{"plain message", nil},
		{"100%% sure", nil},
		{"dangling %", nil},
		{"%s and %q", []any{"a", "b\"c\n\u00e9\x01"}},
		{"%v/%v/%v/%v", []any{"s", 1, int32(-2), int64(3)}},
		{"%d MiB is below the %d MiB minimum", []any{int32(4), 6}},
		{"%d", []any{"not a number"}},
		{"%s", []any{5}},
		{"%q", []any{7}},
		{"%x", []any{"hex"}},
		{"%5s|%-3d", []any{"pad", 1}},
		{"%s", []any{named("named string")}},
		{"%s", []any{fmt.Errorf("an error")}},
		{"%g units", []any{1.5}},
		{"missing %s and %s", []any{"one"}},
		{"extra %s", []any{"one", "two"}},
		{"no verbs", []any{"arg"}},
		{"%[1]s %[1]q", []any{"indexed"}},
		{"%s", []any{nil}},
		{"%d%%", []any{50}},
	}
	for _, tt := range tests {
		want := fmt.Sprintf(tt.format, tt.args...)
		if got := Format(tt.format, tt.args...); got != want {
			t.Errorf("Format(%q, %v) = %q, want %q", tt.format, tt.args, got, want)
		}
	}
}

func FuzzFormat(f *testing.F) {
	f.Add("%s: %q (%d, %v) 100%%", "value", int64(3))
	f.Add("%-4s%x%", "", int64(-1))
	f.Fuzz(func(t *testing.T, format, s string, n int64) {
		for _, args := range [][]any{nil, {s}, {s, n}, {n, s, int(n), int32(n)}} {
			want := fmt.Sprintf(format, args...)
			if got := Format(format, args...); got != want {
				t.Fatalf("Format(%q, %v) = %q, want %q", format, args, got, want)
			}
		}
	})
}

func TestWarningsSortedByFieldAndStable(t *testing.T) {
	var c Collector
	c.Warn("b", "first on b")
	c.Warn("a", "on a")
	c.Warn("b", "second on b")
	c.Info("z", "note %d", 1)
	c.Info("y", "note %d", 2)
	got := c.Warnings()
	want := []ecsv1.TranslationWarning{
		{Field: "a", Reason: "on a", Severity: ecsv1.SeverityWarning},
		{Field: "b", Reason: "first on b", Severity: ecsv1.SeverityWarning},
		{Field: "b", Reason: "second on b", Severity: ecsv1.SeverityWarning},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Warnings() = %v, want %v", got, want)
	}
	if notes := c.Infos(); len(notes) != 2 || notes[0].Reason != "note 2" || notes[1].Reason != "note 1" {
		t.Fatalf("Infos() = %v, want note 2 on y then note 1 on z", notes)
	}
	// A record added afterwards must not change the list handed out.
	c.Warn("0", "earliest field")
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("a later Warn changed the returned warnings: %v", got)
	}
	if again := c.Warnings(); len(again) != 4 || again[0].Field != "0" {
		t.Fatalf("Warnings() after a later Warn = %v, want it first", again)
	}
}

func TestSortedLeavesInputAlone(t *testing.T) {
	in := []ecsv1.TranslationWarning{{Field: "b"}, {Field: "a"}}
	out := Sorted(in)
	if in[0].Field != "b" || out[0].Field != "a" || out[1].Field != "b" {
		t.Fatalf("Sorted(%v) = %v; input must stay as it was", in, out)
	}
}

func TestSortedLeavesItsInputAlone(t *testing.T) {
	for _, n := range []int{3, maxSortedByIndex + 5} {
		var ws []ecsv1.TranslationWarning
		for i := range n {
			ws = append(ws, ecsv1.TranslationWarning{Field: fmt.Sprint(n - i), Reason: fmt.Sprint(i)})
		}
		before := fmt.Sprint(ws)
		got := Sorted(ws)
		if fmt.Sprint(ws) != before {
			t.Fatalf("Sorted changed its input")
		}
		if !slices.IsSortedFunc(got, compareField) || len(got) != n || cap(got) != n {
			t.Fatalf("Sorted = %v (cap %d), want the %d records sorted without spare capacity", got, cap(got), n)
		}
	}
}

func TestReusedCollectorKeepsHandedOutRecords(t *testing.T) {
	var c Collector
	for round := range 3 {
		c.Warn("b", "second %d", round)
		c.Warn("a", "first %d", round)
		c.Info("z", "note %d", round)
		warnings, notes := c.Warnings(), c.Infos()
		c.Reset()
		c.Warn("0", "next translation")
		c.Info("0", "next translation")
		if len(warnings) != 2 || warnings[0].Field != "a" || warnings[1].Reason != fmt.Sprintf("second %d", round) || len(notes) != 1 || notes[0].Reason != fmt.Sprintf("note %d", round) {
			t.Fatalf("round %d: records handed out changed: %v %v", round, warnings, notes)
		}
		c.Reset()
	}
}
