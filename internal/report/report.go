// Package report collects what a translation has to say about its input:
// field-named errors (nothing is produced), warnings (an ECS field is
// approximated or not honoured) and info notes. The same records reach
// object status, Kubernetes Events and CLI output.
package report

import (
	"fmt"
	"sort"
	"strings"

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
}

// Warn records that field is approximated or not honoured.
func (c *Collector) Warn(field, format string, args ...any) {
	c.warnings = append(c.warnings, ecsv1.TranslationWarning{Field: field, Reason: fmt.Sprintf(format, args...), Severity: ecsv1.SeverityWarning})
}

// Info records a note that changes nothing for the user.
func (c *Collector) Info(field, format string, args ...any) {
	c.infos = append(c.infos, ecsv1.TranslationWarning{Field: field, Reason: fmt.Sprintf(format, args...), Severity: ecsv1.SeverityInfo})
}

// Fail records an error in field.
func (c *Collector) Fail(field, format string, args ...any) {
	c.errs = append(c.errs, Error{Field: field, Message: fmt.Sprintf(format, args...)})
}

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
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// Warnings returns the recorded warnings sorted by field path (stable for
// warnings on the same field).
func (c *Collector) Warnings() []ecsv1.TranslationWarning { return Sorted(c.warnings) }

// Infos returns the recorded info notes sorted by field path.
func (c *Collector) Infos() []ecsv1.TranslationWarning { return Sorted(c.infos) }

// Sorted returns a copy of ws ordered by field path, keeping the order of
// entries on the same field.
func Sorted(ws []ecsv1.TranslationWarning) []ecsv1.TranslationWarning {
	if len(ws) == 0 {
		return nil
	}
	out := append([]ecsv1.TranslationWarning(nil), ws...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}
