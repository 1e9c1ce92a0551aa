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

// FuzzAppendJSONString: every string is encoded as encoding/json encodes
// it, at every length around the eight bytes looked at at once.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain ascii value over eight bytes", "0123456<", "01234567&89", "tab\there and more", "héllo wörld ☃ \u2028", "\xff\xfe0123456789", "/ecs/{{env}}/${X}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}
