package ecsjson

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

const readOnlyMessage = "read-only describe field; ignored"

// finishTaskDefinition removes the read-only describe fields (keeping the
// revision number), notes templated values and orders the diagnostics.
// outerTags: the describe output's tags were taken over into the spec.
func finishTaskDefinition(doc *Document, dec strictDecoder, outerTags bool) {
	spec := doc.TaskDefinition
	note := func(set bool, path, msg string) {
		if set {
			doc.Diagnostics = append(doc.Diagnostics, Diagnostic{Path: path, Severity: Info, Message: msg})
		}
	}
	note(spec.TaskDefinitionArn != nil, "taskDefinitionArn", readOnlyMessage)
	note(spec.Revision != nil, "revision", readOnlyMessage+" (kept as the source revision)")
	note(spec.Status != nil, "status", readOnlyMessage)
	note(spec.RequiresAttributes != nil, "requiresAttributes", readOnlyMessage)
	note(spec.Compatibilities != nil, "compatibilities", readOnlyMessage)
	note(spec.RegisteredAt != nil, "registeredAt", readOnlyMessage)
	note(spec.RegisteredBy != nil, "registeredBy", readOnlyMessage)
	note(spec.DeregisteredAt != nil, "deregisteredAt", readOnlyMessage)
	doc.SourceRevision = spec.Revision
	spec.TaskDefinitionArn, spec.Revision, spec.Status = nil, nil, nil
	spec.RequiresAttributes, spec.Compatibilities = nil, nil
	spec.RegisteredAt, spec.RegisteredBy, spec.DeregisteredAt = nil, nil, nil
	doc.Diagnostics = dec.templateDiagnostics(doc.Diagnostics, spec, doc.Path, outerTags)
	sortDiagnostics(doc.Diagnostics)
}

// finishService removes the read-only describe-services fields, notes
// templated values and orders the diagnostics.
func finishService(doc *Document, dec strictDecoder) {
	spec := doc.Service
	note := func(set bool, path, msg string) {
		if set {
			doc.Diagnostics = append(doc.Diagnostics, Diagnostic{Path: path, Severity: Info, Message: msg})
		}
	}
	note(spec.ServiceArn != nil, "serviceArn", readOnlyMessage)
	// The ECS cluster of describe output is not necessarily an ECSCluster
	// of the target Kubernetes cluster, so it is not carried over.
	note(spec.ClusterArn != nil, "clusterArn", readOnlyMessage+" (set cluster to choose the ECSCluster)")
	note(spec.Status != nil, "status", readOnlyMessage)
	note(spec.RunningCount != nil, "runningCount", readOnlyMessage)
	note(spec.PendingCount != nil, "pendingCount", readOnlyMessage)
	note(spec.RoleArn != nil, "roleArn", readOnlyMessage)
	note(spec.PlatformFamily != nil, "platformFamily", readOnlyMessage)
	note(spec.CreatedAt != nil, "createdAt", readOnlyMessage)
	note(spec.CreatedBy != nil, "createdBy", readOnlyMessage)
	note(spec.Deployments != nil, "deployments", readOnlyMessage)
	note(spec.Events != nil, "events", readOnlyMessage)
	note(spec.TaskSets != nil, "taskSets", readOnlyMessage)
	spec.ServiceArn, spec.ClusterArn, spec.Status = nil, nil, nil
	spec.RunningCount, spec.PendingCount, spec.RoleArn, spec.PlatformFamily = nil, nil, nil, nil
	spec.CreatedAt, spec.CreatedBy, spec.Deployments, spec.Events, spec.TaskSets = nil, nil, nil, nil, nil
	doc.Diagnostics = dec.templateDiagnostics(doc.Diagnostics, spec, doc.Path, false)
	sortDiagnostics(doc.Diagnostics)
}

// templateDiagnostics notes every value of spec that looks like an
// unrendered placeholder. ${X} is legitimate in commands (the shell expands
// it), so it is not reported there.
func templateDiagnostics(spec any) []Diagnostic {
	data, err := json.Marshal(spec)
	if err != nil {
		return nil
	}
	var tree any
	if err := json.Unmarshal(data, &tree); err != nil {
		return nil
	}
	var out []Diagnostic
	walkStrings(tree, "", func(path, s string) {
		if looksStronglyTemplated(s) || (looksShellTemplated(s) && !isCommandItem(path)) {
			out = append(out, templateDiagnostic(path, s))
		}
	})
	return out
}

func templateDiagnostic(path, value string) Diagnostic {
	// The message is put together on the stack and copied once:
	// templated files carry many.
	var room [256]byte
	return Diagnostic{Path: path, Severity: Info, Message: string(appendTemplateMessage(room[:0], value))}
}

// appendTemplateMessage appends the note on a placeholder value to b.
func appendTemplateMessage(b []byte, value string) []byte {
	value = truncateForMessage(value)
	if isPlainASCII(value) {
		// strconv.AppendQuote leaves such a value as it is.
		b = append(append(append(b, '"'), value...), '"')
	} else {
		b = strconv.AppendQuote(b, value)
	}
	return append(b, templateAdvice...)
}

// isPlainASCII reports whether s is printable ASCII without quotes or
// backslashes.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

const templateAdvice = " looks like an unrendered template placeholder; render the file with its deploy tool before applying"

// walkStrings calls fn for every string value (map keys in sorted order).
func walkStrings(v any, path string, fn func(path, s string)) {
	switch v := v.(type) {
	case string:
		fn(path, v)
	case []any:
		for i, item := range v {
			walkStrings(item, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	case map[string]any:
		for _, key := range sortedKeys(v) {
			walkStrings(v[key], joinPath(path, key), fn)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// templateHint returns the hint for an invalid value that looks like a
// template, or "".
func templateHint(s string) string {
	if looksTemplated(strings.TrimSpace(s)) {
		return "; it looks like an unrendered template: render it first"
	}
	return ""
}
