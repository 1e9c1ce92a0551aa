package ecsjson

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// validateCase is a document with at most one problem and the error
// Validate must report for it ("" for a valid document). The cases live in
// testdata/validate_cases.json because the kubectl-ecs integration test
// applies the same documents to a real API server to prove both agree.
type validateCase struct {
	Name     string          `json:"name"`
	Document json.RawMessage `json:"document"`
	Error    string          `json:"error"`
}

func readValidateCases(t *testing.T) []validateCase {
	t.Helper()
	data, err := os.ReadFile("testdata/validate_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []validateCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestValidate(t *testing.T) {
	for _, tt := range readValidateCases(t) {
		t.Run(tt.Name, func(t *testing.T) {
			docs, err := Decode(tt.Document)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range Validate(docs[0]) {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != tt.Error {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), tt.Error)
			}
		})
	}
}
