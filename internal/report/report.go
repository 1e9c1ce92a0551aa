// Package report collects what a translation has to say about its input:
// field-named errors (nothing is produced), warnings (an ECS field is
// approximated or not honoured) and info notes. The same records reach
// object status, Kubernetes Events and CLI output.
package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// Error is a problem with one ECS field.
type Error struct {
	// Field is the ECS field path, e.g. containerDefinitions[0].dependsOn[1].
	Field string
	// Message says what is wrong and what to do.
	Message string
}

func (e Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Errors is a list of field errors, sorted by field.
type Errors []Error

func (errs Errors) Error() string {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// Collector gathers warnings, notes and errors while translating.
type Collector struct {
	warnings []ecsv1.TranslationWarning
	infos    []ecsv1.TranslationWarning
	errs     Errors
	// text is the block messages and field paths are carved out of once
	// the collector is reused (see keep).
	text   []byte
	reused bool
}

// Warn records that field is approximated or not honoured.
func (c *Collector) Warn(field, format string, args ...any) {
	if c.warnings == nil {
		c.warnings = make([]ecsv1.TranslationWarning, 0, firstRecords)
	}
	c.warnings = append(c.warnings, ecsv1.TranslationWarning{Field: field, Reason: c.format(format, args), Severity: ecsv1.SeverityWarning})
}

// Info records a note that changes nothing for the user.
func (c *Collector) Info(field, format string, args ...any) {
	if c.infos == nil {
		c.infos = make([]ecsv1.TranslationWarning, 0, firstRecords)
	}
	c.infos = append(c.infos, ecsv1.TranslationWarning{Field: field, Reason: c.format(format, args), Severity: ecsv1.SeverityInfo})
}

// Fail records an error in field.
func (c *Collector) Fail(field, format string, args ...any) {
	c.errs = append(c.errs, Error{Field: field, Message: c.format(format, args)})
}

// Field joins the parts of a field path (containerDefinitions[0],
// ".logConfiguration"), keeping it with the collector's messages:
// translations name a field in nearly every record, and joining each path
// on its own costs an allocation.
func (c *Collector) Field(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n == 0 {
		return ""
	}
	if !c.reused {
		return strings.Join(parts, "")
	}
	c.makeRoom(n)
	start := len(c.text)
	for _, p := range parts {
		c.text = append(c.text, p...)
	}
	return unsafe.String(&c.text[start], n)
}

// format is Format with the message kept in c's text block.
func (c *Collector) format(format string, args []any) string {
	if len(args) == 0 && strings.IndexByte(format, '%') < 0 {
		return format
	}
	var room [256]byte
	if out, ok := appendFormat(room[:0], format, args); ok {
		return c.keep(out)
	}
	return fmt.Sprintf(format, args...)
}

// textBlockSize is the size of the blocks messages are carved out of; a
// translation of a task definition writes about a kilobyte of them.
const textBlockSize = 4096

// keep copies b into c's text block. A translation writes dozens of short
// messages and paths; carving them out of one block costs less than an
// allocation each. The block is only ever written past what was handed
// out, so the strings never change, and a collector that is Reset keeps
// it for the next translation. A collector used once makes each string on
// its own: most of a block would go unused.
func (c *Collector) keep(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if !c.reused {
		return string(b)
	}
	c.makeRoom(len(b))
	start := len(c.text)
	c.text = append(c.text, b...)
	return unsafe.String(&c.text[start], len(b))
}

// makeRoom starts a new text block when the current one has no room for
// n more bytes.
func (c *Collector) makeRoom(n int) {
	if cap(c.text)-len(c.text) < n {
		c.text = make([]byte, 0, max(textBlockSize, n))
	}
}

// Reset forgets the records, keeping the room they took for the next
// translation. The records handed out stay as they are.
func (c *Collector) Reset() {
	if c.reused {
		clear(c.warnings)
		clear(c.infos)
		c.warnings, c.infos = c.warnings[:0], c.infos[:0]
	} else {
		// The first lists were handed out themselves (see records).
		c.warnings, c.infos = nil, nil
	}
	clear(c.errs)
	c.errs = c.errs[:0]
	c.reused = true
}

// firstRecords is the room a collector makes for warnings and notes when
// the first arrives: a task definition usually gets up to four of each,
// and growing the list one step at a time costs more than the spare room.
const firstRecords = 4

// Add merges the records of another collector (for example from a nested
// translation) into c.
func (c *Collector) Add(other *Collector) {
	c.warnings = append(c.warnings, other.warnings...)
	c.infos = append(c.infos, other.infos...)
	c.errs = append(c.errs, other.errs...)
}

// Failed reports whether an error was recorded.
func (c *Collector) Failed() bool { return len(c.errs) > 0 }

// Err returns the recorded errors sorted by field, or nil.
func (c *Collector) Err() error {
	if len(c.errs) == 0 {
		return nil
	}
	out := append(Errors(nil), c.errs...)
	slices.SortStableFunc(out, func(a, b Error) int { return strings.Compare(a.Field, b.Field) })
	return out
}

// Warnings returns the recorded warnings sorted by field path (stable for
// warnings on the same field). Records added later do not change the
// returned list.
func (c *Collector) Warnings() []ecsv1.TranslationWarning {
	return c.records(&c.warnings)
}

// Infos returns the recorded info notes sorted by field path. Records
// added later do not change the returned list.
func (c *Collector) Infos() []ecsv1.TranslationWarning {
	return c.records(&c.infos)
}

// records returns the records of list sorted. A collector used once hands
// the list itself out, without spare capacity so that the next record
// goes to a new list; a reused one keeps its list for the next
// translation and hands out a copy.
func (c *Collector) records(list *[]ecsv1.TranslationWarning) []ecsv1.TranslationWarning {
	if c.reused {
		return Sorted(*list)
	}
	*list = sortedRecords(*list)
	return *list
}

// sortedRecords returns ws sorted by field path, keeping the order of
// entries on the same field, without spare capacity: ws itself when it is
// sorted, a sorted copy otherwise.
func sortedRecords(ws []ecsv1.TranslationWarning) []ecsv1.TranslationWarning {
	if len(ws) == 0 {
		return nil
	}
	if slices.IsSortedFunc(ws, compareField) {
		return slices.Clip(ws)
	}
	if len(ws) > maxSortedByIndex {
		ws = slices.Clip(ws)
		slices.SortStableFunc(ws, compareField)
		return ws
	}
	// The records are ordered by their indexes and written once each:
	// swapping the records themselves moves their strings again and again.
	var room [maxSortedByIndex]uint8
	order := room[:len(ws)]
	for i := range order {
		order[i] = uint8(i)
	}
	slices.SortStableFunc(order, func(a, b uint8) int { return compareField(ws[a], ws[b]) })
	out := make([]ecsv1.TranslationWarning, len(ws))
	for i, from := range order {
		out[i] = ws[from]
	}
	return out
}

// maxSortedByIndex bounds the lists sortedRecords orders by index.
const maxSortedByIndex = 64

func compareField(a, b ecsv1.TranslationWarning) int { return strings.Compare(a.Field, b.Field) }

// Sorted returns a copy of ws ordered by field path, keeping the order of
// entries on the same field.
func Sorted(ws []ecsv1.TranslationWarning) []ecsv1.TranslationWarning {
	if len(ws) == 0 {
		return nil
	}
	if len(ws) <= maxSortedByIndex && !slices.IsSortedFunc(ws, compareField) {
		// Ordered by index into a list of its own.
		return sortedRecords(ws)
	}
	return sortedRecords(slices.Clone(ws))
}

// Format is fmt.Sprintf for the messages translation writes. The verbs
// they use (%s, %v and %q of strings, %d and %v of integers, %%) are
// formatted here without fmt's reflection and printer state, which
// dominated the cost of notes on large inputs; anything else (flags,
// widths, other verbs or types, missing or extra arguments) goes to
// fmt.Sprintf, so the result is always exactly what fmt.Sprintf makes.
func Format(format string, args ...any) string {
	if len(args) == 0 && strings.IndexByte(format, '%') < 0 {
		return format
	}
	var room [256]byte
	if out, ok := appendFormat(room[:0], format, args); ok {
		return string(out)
	}
	return fmt.Sprintf(format, args...)
}

// appendFormat appends the formatted message to buf, reporting false when
// the format needs fmt.
func appendFormat(buf []byte, format string, args []any) ([]byte, bool) {
	next := 0
	for i := 0; i < len(format); i++ {
		text := strings.IndexByte(format[i:], '%')
		if text < 0 {
			buf = append(buf, format[i:]...)
			break
		}
		buf = append(buf, format[i:i+text]...)
		i += text + 1
		if i == len(format) {
			return nil, false
		}
		verb := format[i]
		if verb == '%' {
			buf = append(buf, '%')
			continue
		}
		if next == len(args) {
			return nil, false
		}
		arg := args[next]
		next++
		switch a := arg.(type) {
		case string:
			switch verb {
			case 's', 'v':
				buf = append(buf, a...)
			case 'q':
				buf = appendQuoted(buf, a)
			default:
				return nil, false
			}
		case int:
			if verb != 'd' && verb != 'v' {
				return nil, false
			}
			buf = strconv.AppendInt(buf, int64(a), 10)
		case int32:
			if verb != 'd' && verb != 'v' {
				return nil, false
			}
			buf = strconv.AppendInt(buf, int64(a), 10)
		case int64:
			if verb != 'd' && verb != 'v' {
				return nil, false
			}
			buf = strconv.AppendInt(buf, a, 10)
		default:
			return nil, false
		}
	}
	return buf, next == len(args)
}

// appendQuoted is strconv.AppendQuote, which leaves printable ASCII other
// than quotes and backslashes as it is: nearly every value quoted in a
// message is such, and checking that costs less than strconv's rune by
// rune look-ups.
func appendQuoted(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(buf, s)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
