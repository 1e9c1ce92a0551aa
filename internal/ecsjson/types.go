package ecsjson

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The type check runs on the parsed JSON before it is decoded into the API
// types. encoding/json reports only the first type mismatch and names it
// without array indices (containerDefinitions.cpu); walking the parsed
// value against the Go types finds every mismatch with its full path
// (containerDefinitions[1].cpu) and the offending value.

var (
	rawJSONType     = reflect.TypeFor[apiextensionsv1.JSON]()
	intOrStringType = reflect.TypeFor[intstr.IntOrString]()
)

// field is a JSON-visible struct field.
type field struct {
	name  string
	index int
	typ   reflect.Type
}

var fieldCache sync.Map // reflect.Type → []field

// structFields lists the JSON fields of a struct type in declaration order.
func structFields(t reflect.Type) []field {
	if cached, ok := fieldCache.Load(t); ok {
		return cached.([]field)
	}
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || name == "" {
			continue
		}
		out = append(out, field{name: name, index: i, typ: f.Type})
	}
	fieldCache.Store(t, out)
	return out
}

func fieldByJSONName(t reflect.Type, name string) (field, bool) {
	for _, f := range structFields(t) {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

// maxTypeErrors bounds the report for a file that is wrong everywhere.
const maxTypeErrors = 20

// checkTypes reports every value in tree whose JSON type does not fit t.
// Explicit nulls fit everything (they mean "absent"); unknown keys are
// left to the strict decoder.
func checkTypes(tree any, t reflect.Type, path string) Errors {
	var errs Errors
	walkTypes(tree, t, path, &errs)
	if len(errs) > maxTypeErrors {
		errs = append(errs[:maxTypeErrors], Error{Message: fmt.Sprintf("... and %d more type errors", len(errs)-maxTypeErrors)})
	}
	return errs
}

func walkTypes(v any, t reflect.Type, path string, errs *Errors) {
	if v == nil {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	fail := func(expected string) {
		*errs = append(*errs, Error{Path: path, Message: typeMessage(expected, v)})
	}
	switch t {
	case rawJSONType:
		return
	case intOrStringType:
		switch n := v.(type) {
		case string:
		case json.Number:
			if _, err := strconv.ParseInt(string(n), 10, 32); err != nil {
				fail("a whole number or a string")
			}
		default:
			fail("a number or a string")
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			fail("an object")
			return
		}
		for _, f := range structFields(t) {
			if child, ok := obj[f.name]; ok {
				walkTypes(child, f.typ, joinPath(path, f.name), errs)
			}
		}
	case reflect.Slice:
		items, ok := v.([]any)
		if !ok {
			fail("an array")
			if _, isObject := v.(map[string]any); isObject {
				(*errs)[len(*errs)-1].Message += "; a single entry still goes in [ ]"
			}
			return
		}
		for i, item := range items {
			walkTypes(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs)
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			fail("an object")
			return
		}
		for _, key := range sortedKeys(obj) {
			walkTypes(obj[key], t.Elem(), joinPath(path, key), errs)
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			fail("a string")
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			fail("true or false")
		}
	case reflect.Int32, reflect.Int64, reflect.Int:
		n, ok := v.(json.Number)
		if !ok {
			fail("a number")
			return
		}
		bits := t.Bits()
		if _, err := strconv.ParseInt(string(n), 10, bits); err != nil {
			if strings.ContainsAny(string(n), ".eE") {
				fail("a whole number")
			} else {
				fail(fmt.Sprintf("a number between %d and %d", -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1))
			}
		}
	case reflect.Float64, reflect.Float32:
		if _, ok := v.(json.Number); !ok {
			fail("a number")
		}
	}
}

// typeMessage says what was expected and what was found, with a hint when
// the found value is a number in quotes or a template placeholder.
func typeMessage(expected string, got any) string {
	msg := fmt.Sprintf("expected %s, got %s", expected, jsonKind(got))
	s, isString := got.(string)
	switch {
	case isString && looksTemplated(s):
		msg += "; it looks like an unrendered template: render it first"
	case isString && strings.HasPrefix(expected, "a number"):
		if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			msg += fmt.Sprintf("; write it without quotes (%s)", strings.TrimSpace(s))
		}
	case isString && expected == "true or false" && (strings.EqualFold(s, "true") || strings.EqualFold(s, "false")):
		msg += fmt.Sprintf("; write it without quotes (%s)", strings.ToLower(s))
	case expected == "a string":
		// ECS takes environment values and log options as strings only,
		// so 8080 and true must be quoted there.
		switch got := got.(type) {
		case json.Number:
			msg += fmt.Sprintf("; write it in quotes (%q)", string(got))
		case bool:
			msg += fmt.Sprintf("; write it in quotes (\"%t\")", got)
		}
	}
	return msg
}

// joinPath appends key to a JSON path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	if key == "" {
		return path
	}
	if strings.HasPrefix(key, "[") {
		return path + key
	}
	return path + "." + key
}
