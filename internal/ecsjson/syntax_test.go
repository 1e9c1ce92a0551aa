package ecsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// syntaxSamples are inputs at the edges of JSON syntax.
var syntaxSamples = []string{
	``, ` `, `{}`, `[]`, `{} x`, `{}x`, `[1,]`, `[,1]`, `{"a":1,}`, `{"a" 1}`, `{"a":}`, `{a:1}`, `{"a":1 "b":2}`,
	`[1 2]`, `"abc`, `"a\qb"`, `"\u12g4"`, `"\u12`, "\"a\nb\"", `-`, `-x`, `01`, `1.`, `1.x`, `1e`, `1e+`, `1ex`, `1.5e-3`,
	`tru`, `trux`, `fals`, `nul`, `nulx`, `123x`, `123 x`, `"s"x`, `true false`, `{"a":[1,{"b":null}]}`, `{"a":$X}`,
	`{"a":{{x}}}`, `[` + strings.Repeat(`[`, 10001), strings.Repeat(`[`, 10000) + strings.Repeat(`]`, 10000),
	"{\"a\":\"\xff\"}", `{"a":1}}`, `{"a":1]`, `[1}`, `{"a":-01}`, `{"a":"b"`, `{"a"`, `{"a":`, `{"a":1,`, `[1,`,
}

func TestFirstSyntaxErrorMatchesEncodingJSON(t *testing.T) {
	for _, s := range syntaxSamples {
		checkFirstSyntaxError(t, []byte(s))
	}
}

func FuzzFirstSyntaxError(f *testing.F) {
	addCorpusSeeds(f)
	for _, s := range syntaxSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(checkFirstSyntaxError)
}

// checkFirstSyntaxError: firstSyntaxError finds what encoding/json's
// Decoder fails on in the first value, at the same byte and in the same
// words.
func checkFirstSyntaxError(t *testing.T, data []byte) {
	offset, msg, found := firstSyntaxError(data)
	var tree any
	err := json.NewDecoder(bytes.NewReader(data)).Decode(&tree)
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		if !found || offset != int(syn.Offset)-1 || msg != syn.Error() {
			t.Fatalf("firstSyntaxError(%q) = %d, %q, %t; encoding/json fails at %d: %v", data, offset, msg, found, syn.Offset-1, syn)
		}
	case errors.Is(err, io.ErrUnexpectedEOF):
		if !found || msg != "" {
			t.Fatalf("firstSyntaxError(%q) = %d, %q, %t; encoding/json finds the input ends early", data, offset, msg, found)
		}
	case found:
		t.Fatalf("firstSyntaxError(%q) = %d, %q, %t; encoding/json decodes the first value (%v)", data, offset, msg, found, err)
	}
	if found {
		// parseTree words the problem as it does the decoder's error.
		_, got := parseTree(data)
		if want := (Errors{syntaxError(data, err)}); !reflect.DeepEqual(got, want) {
			t.Fatalf("parseTree(%q) = %v, want %v", data, got, want)
		}
	}
}
