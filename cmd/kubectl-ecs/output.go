package main

import (
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// severity orders what a command tells the user about an input file.
type severity int

const (
	severityNote severity = iota
	severityWarning
	severityError
)

func (s severity) String() string {
	switch s {
	case severityNote:
		return "note"
	case severityWarning:
		return "warning"
	}
	return "error"
}

// problem is one message about an input file, printed as
// "warning: FILE: PATH: message".
type problem struct {
	file     string
	path     string // JSON path in the file; "" for the whole file
	severity severity
	message  string
}

func (p problem) String() string {
	if p.path == "" {
		return fmt.Sprintf("%s: %s: %s", p.severity, p.file, p.message)
	}
	return fmt.Sprintf("%s: %s: %s: %s", p.severity, p.file, p.path, p.message)
}

// printProblems writes problems to w, one per line, notes only when
// withNotes is set. It reports whether any of them is an error.
func printProblems(w io.Writer, problems []problem, withNotes bool) (failed bool) {
	for _, p := range problems {
		if p.severity == severityNote && !withNotes {
			continue
		}
		fmt.Fprintln(w, p)
		failed = failed || p.severity == severityError
	}
	return failed
}

// writeYAMLStream writes objects as a YAML stream ("---" between
// documents), without status and server-set metadata, ready for
// kubectl apply.
func writeYAMLStream(w io.Writer, objects []runtime.Object) error {
	for i, obj := range objects {
		content, err := manifest(obj)
		if err != nil {
			return err
		}
		data, err := yaml.Marshal(content)
		if err != nil {
			return err
		}
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return nil
}

// manifest is obj as a user would write it: apiVersion, kind, metadata
// and spec; no status, no null creationTimestamp.
func manifest(obj runtime.Object) (map[string]any, error) {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	delete(content, "status")
	if meta, ok := content["metadata"].(map[string]any); ok {
		delete(meta, "creationTimestamp")
	}
	return content, nil
}
