package ecsjson

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	kjson "sigs.k8s.io/json"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// describeTaskDefinitionOutput is the output of describe-task-definition
// and register-task-definition; tags sit next to the task definition.
type describeTaskDefinitionOutput struct {
	TaskDefinition *ecsv1.TaskDefinitionSpec `json:"taskDefinition"`
	Tags           []ecsv1.Tag               `json:"tags,omitzero"`
}

// createServiceOutput is the output of create-service and update-service.
type createServiceOutput struct {
	Service *ecsv1.ECSServiceSpec `json:"service"`
}

// describeServicesOutput is the output of describe-services.
type describeServicesOutput struct {
	Services []ecsv1.ECSServiceSpec `json:"services"`
	Failures []serviceFailure       `json:"failures,omitzero"`
}

// serviceFailure is a service describe-services could not find.
type serviceFailure struct {
	Arn    *string `json:"arn,omitempty"`
	Reason *string `json:"reason,omitempty"`
	Detail *string `json:"detail,omitempty"`
}

var (
	taskDefinitionType         = reflect.TypeFor[ecsv1.TaskDefinitionSpec]()
	serviceType                = reflect.TypeFor[ecsv1.ECSServiceSpec]()
	describeTaskDefinitionType = reflect.TypeFor[describeTaskDefinitionOutput]()
)

// shape is one of the accepted input shapes.
type shape struct {
	// goType is what the whole file decodes into.
	goType reflect.Type
	// containersOnly: a bare containerDefinitions array.
	containersOnly bool
	decode         func(dec strictDecoder) ([]Document, error)
}

// strictDecoder decodes a whole input into one of the shape types. Keys
// the types do not know and keys given twice are returned, not fatal.
// Decode has two: the direct path (direct.go) and the diagnostic path
// (sigs.k8s.io/json after the type check), which explains bad input.
type strictDecoder interface {
	unmarshal(v any) ([]keyProblem, error)
	// templateDiagnostics appends to dst notes on the values of the
	// document at docPath that look like unrendered placeholders. spec is
	// the document with its read-only fields removed; outerTags says the
	// describe output's tags were taken over into it.
	templateDiagnostics(dst []Diagnostic, spec any, docPath string, outerTags bool) []Diagnostic
}

// keyProblem is an unknown or duplicate key, its path from the root of the
// input.
type keyProblem struct {
	path    string
	problem string // "unknown" or "duplicate"
}

// diagnosticDecoder is the diagnostic path's strictDecoder.
type diagnosticDecoder struct {
	data []byte
}

func (d diagnosticDecoder) unmarshal(v any) ([]keyProblem, error) {
	strict, err := kjson.UnmarshalStrict(d.data, v)
	if err != nil {
		return nil, err
	}
	problems := make([]keyProblem, len(strict))
	for i, e := range strict {
		problems[i].path, problems[i].problem = strictReport(e)
	}
	return problems, nil
}

func (diagnosticDecoder) templateDiagnostics(dst []Diagnostic, spec any, _ string, _ bool) []Diagnostic {
	return append(dst, templateDiagnostics(spec)...)
}

// members are the top-level keys of an object and the kind of each value.
type members []member

type member struct {
	key string
	// kind is '{', '[', '"', 'n' (null) or '0' (a number or boolean).
	kind byte
	// empty: an empty array.
	empty bool
}

// kind returns the kind of key's value, or 0 when the key is absent.
func (ms members) kind(key string) byte {
	for _, m := range ms {
		if m.key == key {
			return m.kind
		}
	}
	return 0
}

func membersOf(obj map[string]any) members {
	out := make(members, 0, len(obj))
	for key, value := range obj {
		m := member{key: key, kind: '0'}
		switch v := value.(type) {
		case nil:
			m.kind = 'n'
		case map[string]any:
			m.kind = '{'
		case []any:
			m.kind, m.empty = '[', len(v) == 0
		case string:
			m.kind = '"'
		}
		out = append(out, m)
	}
	return out
}

// detectShape recognises the input shape from the top-level value and its
// keys.
func detectShape(tree any) (shape, error) {
	switch top := tree.(type) {
	case []any:
		return arrayShape(top)
	case map[string]any:
		return objectShape(top)
	default:
		return shape{}, Errors{{Message: fmt.Sprintf("expected a JSON object (an ECS task definition or service) or an array of container definitions, got %s", jsonKind(tree))}}
	}
}

func arrayShape(items []any) (shape, error) {
	if len(items) == 0 {
		return shape{}, Errors{{Message: "empty array: expected a task definition or service object, or an array of container definitions"}}
	}
	for i, item := range items {
		obj, ok := item.(map[string]any)
		if !ok {
			return shape{}, Errors{{Path: fmt.Sprintf("[%d]", i), Message: fmt.Sprintf("expected a container definition object, got %s", jsonKind(item))}}
		}
		if _, ok := obj["containerDefinitions"]; ok {
			return shape{}, Errors{{Path: fmt.Sprintf("[%d]", i), Message: "an array of task definitions is not an accepted shape: put each task definition in its own file"}}
		}
	}
	return shape{goType: taskDefinitionType, containersOnly: true, decode: decodeContainerDefinitionsArray}, nil
}

func objectShape(obj map[string]any) (shape, error) {
	if s, ok := shapeOf(membersOf(obj)); ok {
		return s, nil
	}
	if _, ok := obj["services"].([]any); ok && classify(membersOf(obj)) == "" {
		msg := "describe-services output without services: nothing to convert"
		if failures, ok := obj["failures"].([]any); ok && len(failures) > 0 {
			msg += fmt.Sprintf(" (%s)", describeFailure(failures[0]))
		}
		return shape{}, Errors{{Path: "services", Message: msg}}
	}
	return shape{}, Errors{{Message: notECSMessage(obj)}}
}

// shapeOf recognises an object's shape from its top-level keys; false
// means it is not an accepted shape (an empty describe-services output,
// or neither a task definition nor a service).
func shapeOf(top members) (shape, bool) {
	kind := classify(top)
	switch {
	case top.kind("services") == '[' && kind == "":
		if top.empty("services") {
			return shape{}, false
		}
		return shape{goType: reflect.TypeFor[describeServicesOutput](), decode: decodeDescribeServices}, true
	case top.kind("service") == '{' && kind == "":
		return shape{goType: reflect.TypeFor[createServiceOutput](), decode: decodeCreateServiceOutput}, true
	case top.kind("taskDefinition") == '{':
		return shape{goType: describeTaskDefinitionType, decode: decodeDescribeTaskDefinition}, true
	case kind == KindTaskDefinition:
		return shape{goType: taskDefinitionType, decode: decodeTaskDefinitionObject}, true
	case kind == KindService:
		return shape{goType: serviceType, decode: decodeBareService}, true
	}
	return shape{}, false
}

// empty reports whether key holds an empty array.
func (ms members) empty(key string) bool {
	for _, m := range ms {
		if m.key == key {
			return m.empty
		}
	}
	return false
}

// classify tells a task definition from a service by its keys: the
// defining keys first (containerDefinitions or family; serviceName or a
// string taskDefinition), then whichever kind has more of its own keys.
// Keys set to null and read-only describe fields say nothing: they are
// dropped, and a document of only those would convert to nothing.
func classify(top members) Kind {
	has := func(key string) bool { k := top.kind(key); return k != 0 && k != 'n' }
	switch {
	case has("containerDefinitions"), has("family"):
		return KindTaskDefinition
	case has("serviceName"):
		return KindService
	}
	if top.kind("taskDefinition") == '"' {
		return KindService
	}
	taskKeys, serviceKeys := 0, 0
	for _, m := range top {
		if m.kind == 'n' {
			continue
		}
		key := m.key
		inTask := taskDefinitionFields[key] && !readOnlyTaskDefinitionFields[key]
		inService := serviceFields[key] && !readOnlyServiceFields[key]
		switch {
		case inTask && !inService:
			taskKeys++
		case inService && !inTask:
			serviceKeys++
		}
	}
	switch {
	case taskKeys > serviceKeys:
		return KindTaskDefinition
	case serviceKeys > taskKeys:
		return KindService
	}
	return ""
}

// taskDefinitionFields and serviceFields are the JSON keys of each spec,
// the operator-only blocks excluded.
var (
	taskDefinitionFields = jsonFields(taskDefinitionType, "kubernetes")
	serviceFields        = jsonFields(serviceType, "kubernetes", "autoScaling", "ingress")

	readOnlyTaskDefinitionFields = setOf("taskDefinitionArn", "revision", "status", "requiresAttributes",
		"compatibilities", "registeredAt", "registeredBy", "deregisteredAt")
	readOnlyServiceFields = setOf("serviceArn", "clusterArn", "status", "runningCount", "pendingCount",
		"roleArn", "platformFamily", "createdAt", "createdBy", "deployments", "events", "taskSets")
)

func jsonFields(t reflect.Type, except ...string) map[string]bool {
	out := map[string]bool{}
	for _, f := range structFields(t) {
		out[f.name] = true
	}
	for _, e := range except {
		delete(out, e)
	}
	return out
}

func setOf(keys ...string) map[string]bool {
	out := make(map[string]bool, len(keys))
	for _, k := range keys {
		out[k] = true
	}
	return out
}

func notECSMessage(obj map[string]any) string {
	msg := "not an ECS task definition or service: expected a task definition (containerDefinitions, family, ...), a service (serviceName, taskDefinition, desiredCount, ...), or describe output ({\"taskDefinition\": ...}, {\"service\": ...}, {\"services\": [...]})"
	if len(obj) == 0 {
		return "empty object: " + msg
	}
	_, hasName := obj["name"]
	_, hasImage := obj["image"]
	if hasName && hasImage {
		return msg + "; this looks like a single container definition: put it in an array or under containerDefinitions"
	}
	for _, key := range sortedKeys(obj) {
		if key == "" {
			continue
		}
		lower := strings.ToLower(key[:1]) + key[1:]
		if key != lower && (taskDefinitionFields[lower] || serviceFields[lower]) {
			return msg + fmt.Sprintf("; keys such as %q look like CloudFormation properties: ECS JSON spells them in camelCase (%q)", key, lower)
		}
	}
	return msg
}

func describeFailure(v any) string {
	f, _ := v.(map[string]any)
	var parts []string
	for _, key := range []string{"arn", "reason", "detail"} {
		if s, ok := f[key].(string); ok && s != "" {
			parts = append(parts, key+" "+s)
		}
	}
	if len(parts) == 0 {
		return "a failure without details"
	}
	return strings.Join(parts, ", ")
}

func jsonKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return fmt.Sprintf("a string %q", truncateForMessage(v))
	case bool:
		return fmt.Sprintf("a boolean (%t)", v)
	default:
		return fmt.Sprintf("a number (%v)", v)
	}
}

func truncateForMessage(s string) string {
	if len(s) <= 80 {
		return s // at most 80 bytes, so at most 80 runes
	}
	if r := []rune(s); len(r) > 80 {
		return string(r[:77]) + "..."
	}
	return s
}

// The two decoders of bare task definitions, made once: shapes are
// recognised for every input.
var (
	decodeTaskDefinitionObject      = decodeBareTaskDefinition(false)
	decodeContainerDefinitionsArray = decodeBareTaskDefinition(true)
)

func decodeBareTaskDefinition(containersOnly bool) func(strictDecoder) ([]Document, error) {
	return func(dec strictDecoder) ([]Document, error) {
		spec := &ecsv1.TaskDefinitionSpec{}
		strict, err := dec.unmarshal(spec)
		if err != nil {
			return nil, Errors{{Message: "decoding the task definition: " + err.Error()}}
		}
		doc := Document{Kind: KindTaskDefinition, TaskDefinition: spec, ContainersOnly: containersOnly}
		doc.Diagnostics = strictDiagnostics(strict, "", taskDefinitionType)
		finishTaskDefinition(&doc, dec, false)
		return []Document{doc}, nil
	}
}

func decodeDescribeTaskDefinition(dec strictDecoder) ([]Document, error) {
	var out describeTaskDefinitionOutput
	strict, err := dec.unmarshal(&out)
	if err != nil {
		return nil, Errors{{Message: "decoding the task definition: " + err.Error()}}
	}
	doc := Document{Kind: KindTaskDefinition, Path: "taskDefinition", TaskDefinition: out.TaskDefinition}
	doc.Diagnostics = strictDiagnostics(strict, "taskDefinition", taskDefinitionType)
	doc.Diagnostics = append(doc.Diagnostics, outsideDiagnostics(strict, "taskDefinition")...)
	outerTags := false
	if len(out.Tags) > 0 {
		switch {
		case len(doc.TaskDefinition.Tags) == 0:
			doc.TaskDefinition.Tags = out.Tags
			outerTags = true
		case !reflect.DeepEqual(doc.TaskDefinition.Tags, out.Tags):
			doc.Diagnostics = append(doc.Diagnostics, Diagnostic{Path: "tags", Severity: Warning,
				Message: "tags appear both inside and next to taskDefinition; the inner ones are used"})
		}
	}
	finishTaskDefinition(&doc, dec, outerTags)
	return []Document{doc}, nil
}

func decodeBareService(dec strictDecoder) ([]Document, error) {
	spec := &ecsv1.ECSServiceSpec{}
	strict, err := dec.unmarshal(spec)
	if err != nil {
		return nil, Errors{{Message: "decoding the service: " + err.Error()}}
	}
	doc := Document{Kind: KindService, Service: spec}
	doc.Diagnostics = strictDiagnostics(strict, "", serviceType)
	finishService(&doc, dec)
	return []Document{doc}, nil
}

func decodeCreateServiceOutput(dec strictDecoder) ([]Document, error) {
	var out createServiceOutput
	strict, err := dec.unmarshal(&out)
	if err != nil {
		return nil, Errors{{Message: "decoding the service: " + err.Error()}}
	}
	doc := Document{Kind: KindService, Path: "service", Service: out.Service}
	doc.Diagnostics = strictDiagnostics(strict, "service", serviceType)
	doc.Diagnostics = append(doc.Diagnostics, outsideDiagnostics(strict, "service")...)
	finishService(&doc, dec)
	return []Document{doc}, nil
}

func decodeDescribeServices(dec strictDecoder) ([]Document, error) {
	var out describeServicesOutput
	strict, err := dec.unmarshal(&out)
	if err != nil {
		return nil, Errors{{Message: "decoding the services: " + err.Error()}}
	}
	docs := make([]Document, len(out.Services))
	for i := range out.Services {
		path := fmt.Sprintf("services[%d]", i)
		docs[i] = Document{Kind: KindService, Path: path, Service: &out.Services[i]}
		docs[i].Diagnostics = strictDiagnostics(strict, path, serviceType)
	}
	// Problems outside every service (unknown wrapper keys, failures) are
	// told on the first document, which always exists here.
	docs[0].Diagnostics = append(docs[0].Diagnostics, outsideDiagnostics(strict, "services")...)
	for i, f := range out.Failures {
		docs[0].Diagnostics = append(docs[0].Diagnostics, Diagnostic{Severity: Warning,
			Message: fmt.Sprintf("describe-services also reported failures[%d] (%s); that service is not in the file", i, describeFailure(failureTree(f)))})
	}
	for i := range docs {
		finishService(&docs[i], dec)
	}
	return docs, nil
}

func failureTree(f serviceFailure) map[string]any {
	out := map[string]any{}
	for key, v := range map[string]*string{"arn": f.Arn, "reason": f.Reason, "detail": f.Detail} {
		if v != nil {
			out[key] = *v
		}
	}
	return out
}

// strictDiagnostics turns the unknown and duplicate keys under prefix into
// diagnostics relative to it. specType is the type of the document, used
// to suggest the intended key.
func strictDiagnostics(strict []keyProblem, prefix string, specType reflect.Type) []Diagnostic {
	var out []Diagnostic
	for _, p := range strict {
		path, problem := p.path, p.problem
		rel, ok := relativePath(path, prefix)
		if !ok {
			continue
		}
		out = append(out, keyDiagnostic(rel, problem, specType))
	}
	return out
}

// outsideDiagnostics reports strict problems outside the documents: keys
// of the describe output wrapper next to them.
func outsideDiagnostics(strict []keyProblem, documentsKey string) []Diagnostic {
	var out []Diagnostic
	for _, p := range strict {
		path, problem := p.path, p.problem
		if path == documentsKey || strings.HasPrefix(path, documentsKey+".") || strings.HasPrefix(path, documentsKey+"[") {
			continue
		}
		out = append(out, Diagnostic{Severity: Warning, Message: fmt.Sprintf("%s key %q next to %s in the describe output; ignored", problem, path, documentsKey)})
	}
	return out
}

func strictReport(err error) (path, problem string) {
	msg := err.Error()
	problem = "unknown"
	if strings.HasPrefix(msg, "duplicate field") {
		problem = "duplicate"
	}
	if fe, ok := err.(kjson.FieldError); ok {
		return fe.FieldPath(), problem
	}
	return "", problem
}

// relativePath strips prefix (a document path) from path.
func relativePath(path, prefix string) (string, bool) {
	if prefix == "" {
		return path, true
	}
	if path == prefix {
		return "", true
	}
	if rest, ok := strings.CutPrefix(path, prefix); ok && strings.HasPrefix(rest, ".") {
		return rest[1:], true
	}
	return "", false
}

// describeOnlyServiceFields are read-only keys of describe-services output
// that the API types do not even carry.
var describeOnlyServiceFields = map[string]bool{
	"currentServiceDeployment": true,
	"currentServiceRevisions":  true,
	"resourceManagementType":   true,
}

// misspellings maps keys people write by mistake to the ECS key they
// meant; Docker's API calls port mappings portBindings.
var misspellings = map[string]string{
	"portBindings": "portMappings",
}

func keyDiagnostic(path, problem string, specType reflect.Type) Diagnostic {
	if problem == "duplicate" {
		return Diagnostic{Path: path, Severity: Warning, Message: "duplicate key; the last value is used, as the AWS CLI does"}
	}
	parentPath, key := splitLastKey(path)
	if parentPath == "" && specType == serviceType && describeOnlyServiceFields[key] {
		return Diagnostic{Path: path, Severity: Info, Message: "read-only describe field; ignored"}
	}
	msg := "unknown key; not an ECS field here, ignored"
	if parent := typeAt(specType, parentPath); parent != nil {
		if want, ok := misspellings[key]; ok && fieldNamed(parent, want) {
			msg = fmt.Sprintf("unknown key; ECS calls it %q (ignored)", want)
		} else if want := caseInsensitiveField(parent, key); want != "" {
			msg = fmt.Sprintf("unknown key; did you mean %q? (keys are case-sensitive; ignored)", want)
		}
	}
	return Diagnostic{Path: path, Severity: Warning, Message: msg}
}

// splitLastKey splits "a.b[0].c" into "a.b[0]" and "c".
func splitLastKey(path string) (string, string) {
	i := strings.LastIndexByte(path, '.')
	if i < 0 {
		return "", path
	}
	return path[:i], path[i+1:]
}

// typeAt resolves a path such as containerDefinitions[0].logConfiguration
// to the struct type it names, or nil.
func typeAt(t reflect.Type, path string) reflect.Type {
	for _, seg := range pathSegments(path) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if seg.index >= 0 {
			continue
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		f, ok := fieldByJSONName(t, seg.key)
		if !ok {
			return nil
		}
		t = f.typ
	}
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	return t
}

func fieldNamed(t reflect.Type, name string) bool {
	_, ok := fieldByJSONName(t, name)
	return ok
}

func caseInsensitiveField(t reflect.Type, key string) string {
	for _, f := range structFields(t) {
		if strings.EqualFold(f.name, key) {
			return f.name
		}
	}
	return ""
}

// segment is one step of a JSON path: a key, or an index (key "").
type segment struct {
	key   string
	index int
}

// pathSegments splits "a.b[0].c" into a, b, [0], c.
func pathSegments(path string) []segment {
	var out []segment
	it := segmentIter{parts: path}
	for seg, ok := it.next(); ok; seg, ok = it.next() {
		out = append(out, seg)
	}
	return out
}

// segmentIter walks the segments of a path one by one.
type segmentIter struct {
	// parts is the unread rest of the path, indices the unread "[...]"
	// rest of the current part.
	parts, indices string
	done           bool
}

func (it *segmentIter) next() (segment, bool) {
	for {
		if it.indices != "" {
			num, after, _ := strings.Cut(it.indices, "]")
			n, err := strconv.Atoi(num)
			if err != nil {
				n = 0
			}
			it.indices = strings.TrimPrefix(after, "[")
			return segment{index: n}, true
		}
		if it.done {
			return segment{}, false
		}
		part, rest, found := strings.Cut(it.parts, ".")
		it.parts, it.done = rest, !found
		if part == "" {
			continue
		}
		key, indices, _ := strings.Cut(part, "[")
		it.indices = indices
		if key != "" {
			return segment{key: key, index: -1}, true
		}
	}
}

// comparePaths orders paths by segment, indices numerically, so
// containerDefinitions[2] comes before containerDefinitions[10].
func comparePaths(a, b string) int {
	if a == b {
		return 0
	}
	// Paths that first differ inside a key compare as those two keys,
	// without splitting them: the common case when diagnostics are sorted.
	common := 0
	for common < len(a) && common < len(b) && a[common] == b[common] {
		common++
	}
	start := strings.LastIndexAny(a[:common], ".[]") + 1
	if start == 0 || a[start-1] == '.' {
		keyA, keyB := pathKeyAt(a, start), pathKeyAt(b, start)
		if keyA != "" && keyB != "" && keyA != keyB {
			return strings.Compare(keyA, keyB)
		}
	}
	ia, ib := segmentIter{parts: a}, segmentIter{parts: b}
	for {
		x, moreA := ia.next()
		y, moreB := ib.next()
		switch {
		case !moreA || !moreB:
			// The shorter path first.
			if moreA == moreB {
				return 0
			}
			if moreB {
				return -1
			}
			return 1
		case x.index >= 0 && y.index >= 0:
			if x.index != y.index {
				return x.index - y.index
			}
		case x.key != y.key:
			return strings.Compare(x.key, y.key)
		}
	}
}

// pathKeyAt returns the key that starts at path[start], up to the next
// '.' or '['.
func pathKeyAt(path string, start int) string {
	key := path[start:]
	if end := strings.IndexAny(key, ".["); end >= 0 {
		key = key[:end]
	}
	return key
}

func sortDiagnostics(ds []Diagnostic) {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int { return comparePaths(a.Path, b.Path) })
}

func sortErrors(errs Errors) {
	sort.SliceStable(errs, func(i, j int) bool { return comparePaths(errs[i].Path, errs[j].Path) < 0 })
}
