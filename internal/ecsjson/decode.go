// Package ecsjson reads and writes Amazon ECS JSON: task definitions and
// services in every shape the AWS tools produce (RegisterTaskDefinition and
// CreateService input, describe-task-definition, create-service and
// describe-services output, Terraform container_definitions fragments) into
// the operator's API types, and back.
//
// Decoding is forgiving where ECS users expect it to be (unknown and
// duplicate keys, explicit nulls, read-only describe fields are reported, not
// fatal) and precise where it must fail (bad JSON, wrong types): every
// problem names its JSON path so the user can find it in the file.
package ecsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// Kind is the kind of ECS document.
type Kind string

const (
	// KindTaskDefinition is a task definition (RegisterTaskDefinition).
	KindTaskDefinition Kind = "TaskDefinition"
	// KindService is a service (CreateService).
	KindService Kind = "Service"
)

// Severity says how much a diagnostic matters.
type Severity string

const (
	// Warning: something in the input is probably a mistake (an unknown or
	// duplicate key) and was not taken over.
	Warning Severity = "Warning"
	// Info: a note that changes nothing for the user, such as a read-only
	// describe field that was ignored.
	Info Severity = "Info"
)

// Diagnostic is something Decode noticed but did not fail on.
type Diagnostic struct {
	// Path is the JSON path relative to the document, e.g.
	// containerDefinitions[0].portBindings ("" for the whole document).
	Path string
	// Message says what was noticed and what happened to it.
	Message  string
	Severity Severity
}

// Document is one task definition or service found in the input.
type Document struct {
	Kind Kind
	// Path is where the document sits in the file: "" (the whole file),
	// "taskDefinition", "service" or "services[1]". Diagnostic and Validate
	// paths are relative to it.
	Path string
	// TaskDefinition is set for KindTaskDefinition. Read-only describe
	// fields are already removed.
	TaskDefinition *ecsv1.TaskDefinitionSpec
	// Service is set for KindService. Read-only describe fields are
	// already removed.
	Service *ecsv1.ECSServiceSpec
	// ContainersOnly means the input was a bare containerDefinitions array
	// (a Terraform container_definitions fragment): the caller must supply
	// the family. Paths treat the array as containerDefinitions.
	ContainersOnly bool
	// SourceRevision is the revision of describe-task-definition output,
	// kept so callers can record where the document came from.
	SourceRevision *int64
	// Diagnostics are unknown and duplicate keys, ignored read-only fields
	// and values that look like unrendered templates, ordered by path.
	Diagnostics []Diagnostic
}

// Error is a problem that makes the input unusable.
type Error struct {
	// Path is the JSON path of the problem. Errors from Decode are relative
	// to the file (e.g. services[1].desiredCount); errors from Validate are
	// relative to the document. "" means the whole document.
	Path string
	// Message says what is wrong and, where it can, what to do.
	Message string
}

func (e Error) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// Errors is a list of problems, ordered by path.
type Errors []Error

func (errs Errors) Error() string {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap lets errors.As find the individual Error values.
func (errs Errors) Unwrap() []error {
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return out
}

// Decode reads ECS JSON and returns the task definitions and services it
// holds. Accepted shapes: a RegisterTaskDefinition request; describe- or
// register-task-definition output with or without the {"taskDefinition":
// ...} wrapper (its sibling "tags" are kept); a bare containerDefinitions
// array; a CreateService request; create-service output {"service": ...};
// describe-services output {"services": [...], "failures": [...]}.
//
// On failure the error is an Errors value naming every problem found (bad
// JSON, a value of the wrong type, a document that is neither a task
// definition nor a service); no documents are returned then.
func Decode(data []byte) ([]Document, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark, as some Windows editors write
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, Errors{{Message: "empty input: expected an ECS task definition or service as JSON"}}
	}
	if docs, ok := decodeDirect(data); ok {
		return docs, nil
	}
	return decodeDiagnostic(data)
}

// decodeDiagnostic is Decode's thorough path: it parses the input into a
// generic tree to recognise its shape, checks every value against the API
// types to report all type errors with their paths, and only then decodes
// with sigs.k8s.io/json, which reports unknown and duplicate keys.
func decodeDiagnostic(data []byte) ([]Document, error) {
	tree, err := parseTree(data)
	if err != nil {
		return nil, err
	}
	shape, err := detectShape(tree)
	if err != nil {
		return nil, err
	}
	if shape.containersOnly {
		// Treat the fragment as the task definition it belongs to, so
		// paths and types are those of containerDefinitions everywhere.
		data = append(append([]byte(`{"containerDefinitions":`), data...), '}')
		tree = map[string]any{"containerDefinitions": tree}
	}
	if errs := checkTypes(tree, shape.goType, ""); len(errs) > 0 {
		return nil, errs
	}
	return shape.decode(diagnosticDecoder{data: data})
}

// parseTree parses data into generic values (objects, arrays, strings,
// json.Number, bools, nil), reporting syntax errors with their position.
func parseTree(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, Errors{syntaxError(data, err)}
	}
	end := int(dec.InputOffset())
	if _, err := dec.Token(); err != io.EOF {
		offset := skipSpace(data, end)
		return nil, Errors{{Message: fmt.Sprintf("invalid JSON at %s: unexpected %s after the end of the document (one file holds one JSON document)", position(data, offset), describeFound(data, offset))}}
	}
	return tree, nil
}

func skipSpace(data []byte, offset int) int {
	for offset < len(data) && strings.IndexByte(" \t\r\n", data[offset]) >= 0 {
		offset++
	}
	return offset
}

// syntaxError turns a JSON syntax error into a plain message with line and
// column, the JSON path it occurred under, and a hint when the offending
// text is an unquoted template placeholder.
func syntaxError(data []byte, err error) Error {
	var syn *json.SyntaxError
	if !errors.As(err, &syn) {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return Error{Path: pathAt(data, len(data)), Message: "invalid JSON at " + position(data, len(data)) + ": the document ends early (an unclosed bracket, brace or string)"}
		}
		return Error{Message: "invalid JSON: " + err.Error()}
	}
	offset := int(syn.Offset) - 1 // Offset counts the bytes read, the last one being the culprit
	if offset < 0 {
		offset = 0
	}
	msg := syn.Error()
	var what string
	switch {
	case strings.Contains(msg, "unexpected end of JSON input"):
		offset = len(data)
		what = "the document ends early (an unclosed bracket, brace or string)"
	case strings.HasSuffix(msg, "looking for beginning of object key string"):
		what = "expected a quoted key, found " + describeFound(data, offset)
	case strings.HasSuffix(msg, "after object key"):
		what = "expected ':' after the key, found " + describeFound(data, offset)
	case strings.HasSuffix(msg, "after object key:value pair"):
		what = "expected ',' or '}' after the value, found " + describeFound(data, offset) + " (a missing comma?)"
	case strings.HasSuffix(msg, "after array element"):
		what = "expected ',' or ']' after the array element, found " + describeFound(data, offset) + " (a missing comma?)"
	case strings.HasSuffix(msg, "looking for beginning of value"):
		what = "expected a value, found " + describeFound(data, offset)
	case strings.HasSuffix(msg, "in string literal"):
		what = "a line break or control character inside a string (a missing closing quote?)"
	default:
		what = strings.TrimPrefix(msg, "json: ")
	}
	if looksLikeUnquotedTemplate(data, offset) {
		what += "; it looks like an unquoted template placeholder: render the file with its template tool first"
	}
	return Error{Path: pathAt(data, offset), Message: "invalid JSON at " + position(data, offset) + ": " + what}
}

// position formats offset as "line L, column C" (1-based; columns count
// characters, so a tab is one column).
func position(data []byte, offset int) string {
	if offset > len(data) {
		offset = len(data)
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	column := utf8.RuneCount(before[lineStart:]) + 1
	return "line " + strconv.Itoa(line) + ", column " + strconv.Itoa(column)
}

// describeFound quotes the token starting at offset for an error message.
func describeFound(data []byte, offset int) string {
	if offset >= len(data) {
		return "the end of the file"
	}
	end := offset
	for end < len(data) && end-offset < 40 && strings.IndexByte(" \t\r\n,:[]\"", data[end]) < 0 {
		end++
	}
	if end == offset {
		end = offset + 1
	}
	token := string(data[offset:end])
	switch token {
	case "\n", "\r":
		return "a line break"
	}
	return strconv.Quote(token)
}

// looksLikeUnquotedTemplate reports whether the text at offset starts a
// template placeholder that a deploy tool would substitute: {{ ... }}
// (ecspresso, Go templates, mustache) or $X, ${X}, $$$X$$$ (shell, jq,
// envsubst, the ECS agent's test harness).
func looksLikeUnquotedTemplate(data []byte, offset int) bool {
	if offset >= len(data) {
		return false
	}
	rest := data[offset:]
	if bytes.HasPrefix(rest, []byte("{{")) || bytes.HasPrefix(rest, []byte("$")) {
		return true
	}
	// The scanner stops at the second brace of "{{".
	return offset > 0 && bytes.HasPrefix(data[offset-1:], []byte("{{"))
}

// pathAt returns the JSON path of the value being read at offset, by
// replaying the tokens that end at or before it, as encoding/json's
// Decoder.Token would hand them out. Syntax errors use it to say where in
// the document the problem is; the input before offset is valid JSON then.
func pathAt(data []byte, offset int) string {
	type frame struct {
		array bool
		index int
		// key is the last key read, as it appears in the input.
		key []byte
		// wantKey: in an object, the next string token is a key.
		wantKey bool
	}
	var room [16]frame
	stack := room[:0]
	for pos := 0; ; {
		start, end, ok := nextToken(data, pos)
		if !ok || end > offset {
			break
		}
		pos = end
		top := len(stack) - 1
		switch c := data[start]; c {
		case '{', '[':
			if top >= 0 && stack[top].array {
				stack[top].index++
			}
			stack = append(stack, frame{array: c == '[', wantKey: c == '{', index: -1})
		case '}', ']':
			if top < 0 {
				return ""
			}
			stack = stack[:top]
			if len(stack) > 0 && !stack[len(stack)-1].array {
				stack[len(stack)-1].wantKey = true
			}
		default:
			if top < 0 {
				continue
			}
			switch {
			case stack[top].array:
				stack[top].index++
			case stack[top].wantKey:
				stack[top].key, stack[top].wantKey = data[start:end], false
			default:
				stack[top].wantKey = true
			}
		}
	}
	var b strings.Builder
	for i, f := range stack {
		innermost := i == len(stack)-1
		var key string
		if !f.array && f.key != nil {
			key = unquoteKey(f.key)
		}
		switch {
		case f.array && f.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(f.index))
			b.WriteByte(']')
		case !f.array && key != "" && !(innermost && f.wantKey):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(key)
		}
	}
	return b.String()
}

// unquoteKey decodes a quoted key as encoding/json does. Keys of plain
// printable ASCII, nearly all, are the bytes between the quotes.
func unquoteKey(quoted []byte) string {
	inner := quoted[1 : len(quoted)-1]
	for _, c := range inner {
		if c < ' ' || c == '\\' || c >= utf8.RuneSelf {
			var key string
			_ = json.Unmarshal(quoted, &key)
			return key
		}
	}
	return string(inner)
}

// nextToken finds the token after pos: a bracket, a brace, a string, a
// number or a literal, skipping white space, commas and colons. It reports
// false for anything else, including a token cut short, where
// Decoder.Token fails.
func nextToken(data []byte, pos int) (start, end int, ok bool) {
	for pos < len(data) && isSeparatorByte(data[pos]) {
		pos++
	}
	if pos >= len(data) {
		return 0, 0, false
	}
	switch c := data[pos]; {
	case c == '{' || c == '[' || c == '}' || c == ']':
		return pos, pos + 1, true
	case c == '"':
		for i := pos + 1; i < len(data); i++ {
			switch data[i] {
			case '\\':
				i++
			case '"':
				return pos, i + 1, true
			}
		}
		return 0, 0, false
	case c == '-' || ('0' <= c && c <= '9'):
		if end, ok := numberEnd(data, pos); ok {
			return pos, end, true
		}
		return 0, 0, false
	}
	for _, word := range []string{"true", "false", "null"} {
		if bytes.HasPrefix(data[pos:], []byte(word)) {
			return pos, pos + len(word), true
		}
	}
	return 0, 0, false
}

func isSeparatorByte(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == ',' || c == ':'
}

// numberEnd returns the end of the JSON number at start, or false when
// the number is incomplete.
func numberEnd(data []byte, start int) (int, bool) {
	i := start
	digits := func() bool {
		from := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		return i > from
	}
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case !digits():
		return 0, false
	}
	if i < len(data) && data[i] == '.' {
		i++
		if !digits() {
			return 0, false
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if !digits() {
			return 0, false
		}
	}
	return i, true
}
