package translate

import (
	"encoding/json"
	"testing"
)

// TestAppendJSONStringMapMatchesEncodingJSON checks the annotation encoder
// against encoding/json on awkward strings.
func TestAppendJSONStringMapMatchesEncodingJSON(t *testing.T) {
	for _, m := range []map[string]string{
		nil,
		{},
		{"b": "2", "a": "1"},
		{"quote\"back\\slash": "<html>&amp;</html>", "ctl": "\x00\x01\b\f\n\r\t\x1f\x7f"},
		{"utf8": "héllo ☃ \u2028\u2029 \U0001F600", "bad": "\xff\xfeok\xc3"},
		{"": ""},
	} {
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if m == nil {
			want = []byte("{}")
		}
		if got := appendJSONStringMap(nil, m); string(got) != string(want) {
			t.Errorf("appendJSONStringMap(%q) = %s, want %s", m, got, want)
		}
	}
}
