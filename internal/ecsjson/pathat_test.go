package ecsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// pathAtReference is pathAt written with encoding/json's Decoder.Token,
// whose tokens pathAt replays.
func pathAtReference(data []byte, offset int) string {
	type frame struct {
		array   bool
		index   int
		key     string
		wantKey bool
	}
	var stack []frame
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil || int(dec.InputOffset()) > offset {
			break
		}
		top := len(stack) - 1
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{wantKey: true, index: -1})
			case '[':
				stack = append(stack, frame{array: true, index: -1})
			case '}', ']':
				stack = stack[:top]
				if len(stack) > 0 && !stack[len(stack)-1].array {
					stack[len(stack)-1].wantKey = true
				}
			}
			if (t == '{' || t == '[') && top >= 0 && stack[top].array {
				stack[top].index++
			}
		default:
			if top < 0 {
				continue
			}
			switch {
			case stack[top].array:
				stack[top].index++
			case stack[top].wantKey:
				stack[top].key, _ = tok.(string)
				stack[top].wantKey = false
			default:
				stack[top].wantKey = true
			}
		}
	}
	var b strings.Builder
	for i, f := range stack {
		innermost := i == len(stack)-1
		switch {
		case f.array && f.index >= 0:
			fmt.Fprintf(&b, "[%d]", f.index)
		case !f.array && f.key != "" && !(innermost && f.wantKey):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
	}
	return b.String()
}

var syntaxErrorSamples = []string{
	`{"a": 12x}`, `{"a": 1.x}`, `{"a": -x}`, `{"a": 01}`, `{"a": tru}`, `{"a": nullx}`, `{"a": "b\x"}`,
	`{"a": [1, 2, {"b": [true, {"c": $X}]}]}`, `{"a\u00e9b": {"c": [ {{x}} ]}}`, `{"a": "x` + "\n" + `"}`,
	`{"a": [`, `{"a": {"b": `, `[{"a": 1}, {"b": 2}, ]`, `{"":{"x": @}}`, `{"a": 1.5.3}`, `{"a" 1}`,
	`{"a": "b" "c": 1}`, `{"k\"q": [1e5, -0, 2E-3, x]}`, `{"a": [[[[]]], {}, [1 2]]}`,
}

func TestPathAtFollowsDecoderTokens(t *testing.T) {
	for _, s := range syntaxErrorSamples {
		comparePathAt(t, []byte(s))
	}
	for _, f := range corpusFiles(t) {
		comparePathAt(t, f.data)
	}
}

func FuzzPathAt(f *testing.F) {
	for _, s := range syntaxErrorSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		comparePathAt(t, data)
	})
}

// comparePathAt compares pathAt with pathAtReference at the offset
// syntaxError asks about: where the decoder found a syntax error, or the
// end of an input that ends early.
func comparePathAt(t *testing.T, data []byte) {
	t.Helper()
	var tree any
	err := json.NewDecoder(bytes.NewReader(data)).Decode(&tree)
	var syn *json.SyntaxError
	var offset int
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		offset = len(data)
	case errors.As(err, &syn) && strings.Contains(syn.Error(), "unexpected end of JSON input"):
		offset = len(data)
	case errors.As(err, &syn):
		offset = max(int(syn.Offset)-1, 0)
	default:
		return
	}
	if got, want := pathAt(data, offset), pathAtReference(data, offset); got != want {
		t.Errorf("pathAt(%q, %d) = %q, want %q", data, offset, got, want)
	}
}
