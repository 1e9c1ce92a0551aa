package ecsjson

import (
	"fmt"
	"reflect"
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
	taskDefinitionType = reflect.TypeFor[ecsv1.TaskDefinitionSpec]()
	serviceType        = reflect.TypeFor[ecsv1.ECSServiceSpec]()
)

// shape is one of the accepted input shapes.
type shape struct {
	// goType is what the whole file decodes into.
	goType reflect.Type
	// containersOnly: a bare containerDefinitions array.
	containersOnly bool
	decode         func(data []byte) ([]Document, error)
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
	return shape{goType: taskDefinitionType, containersOnly: true, decode: decodeBareTaskDefinition(true)}, nil
}

func objectShape(obj map[string]any) (shape, error) {
	if services, ok := obj["services"].([]any); ok && classify(obj) == "" {
		if len(services) == 0 {
			msg := "describe-services output without services: nothing to convert"
			if failures, ok := obj["failures"].([]any); ok && len(failures) > 0 {
				msg += fmt.Sprintf(" (%s)", describeFailure(failures[0]))
			}
			return shape{}, Errors{{Path: "services", Message: msg}}
		}
		return shape{goType: reflect.TypeFor[describeServicesOutput](), decode: decodeDescribeServices}, nil
	}
	if _, ok := obj["service"].(map[string]any); ok && classify(obj) == "" {
		return shape{goType: reflect.TypeFor[createServiceOutput](), decode: decodeCreateServiceOutput}, nil
	}
	if _, ok := obj["taskDefinition"].(map[string]any); ok {
		return shape{goType: reflect.TypeFor[describeTaskDefinitionOutput](), decode: decodeDescribeTaskDefinition}, nil
	}
	switch classify(obj) {
	case KindTaskDefinition:
		return shape{goType: taskDefinitionType, decode: decodeBareTaskDefinition(false)}, nil
	case KindService:
		return shape{goType: serviceType, decode: decodeBareService}, nil
	}
	return shape{}, Errors{{Message: notECSMessage(obj)}}
}

// classify tells a task definition from a service by its keys: the
// defining keys first (containerDefinitions or family; serviceName or a
// string taskDefinition), then whichever kind has more of its own keys.
// Keys set to null and read-only describe fields say nothing: they are
// dropped, and a document of only those would convert to nothing.
func classify(obj map[string]any) Kind {
	has := func(key string) bool { return obj[key] != nil }
	switch {
	case has("containerDefinitions"), has("family"):
		return KindTaskDefinition
	case has("serviceName"):
		return KindService
	}
	if _, ok := obj["taskDefinition"].(string); ok {
		return KindService
	}
	taskKeys, serviceKeys := 0, 0
	for key, value := range obj {
		if value == nil {
			continue
		}
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
	if r := []rune(s); len(r) > 80 {
		return string(r[:77]) + "..."
	}
	return s
}

func decodeBareTaskDefinition(containersOnly bool) func([]byte) ([]Document, error) {
	return func(data []byte) ([]Document, error) {
		spec := &ecsv1.TaskDefinitionSpec{}
		strict, err := kjson.UnmarshalStrict(data, spec)
		if err != nil {
			return nil, Errors{{Message: "decoding the task definition: " + err.Error()}}
		}
		doc := Document{Kind: KindTaskDefinition, TaskDefinition: spec, ContainersOnly: containersOnly}
		doc.Diagnostics = strictDiagnostics(strict, "", taskDefinitionType)
		finishTaskDefinition(&doc)
		return []Document{doc}, nil
	}
}

func decodeDescribeTaskDefinition(data []byte) ([]Document, error) {
	var out describeTaskDefinitionOutput
	strict, err := kjson.UnmarshalStrict(data, &out)
	if err != nil {
		return nil, Errors{{Message: "decoding the task definition: " + err.Error()}}
	}
	doc := Document{Kind: KindTaskDefinition, Path: "taskDefinition", TaskDefinition: out.TaskDefinition}
	doc.Diagnostics = strictDiagnostics(strict, "taskDefinition", taskDefinitionType)
	doc.Diagnostics = append(doc.Diagnostics, outsideDiagnostics(strict, "taskDefinition")...)
	if len(out.Tags) > 0 {
		switch {
		case len(doc.TaskDefinition.Tags) == 0:
			doc.TaskDefinition.Tags = out.Tags
		case !reflect.DeepEqual(doc.TaskDefinition.Tags, out.Tags):
			doc.Diagnostics = append(doc.Diagnostics, Diagnostic{Path: "tags", Severity: Warning,
				Message: "tags appear both inside and next to taskDefinition; the inner ones are used"})
		}
	}
	finishTaskDefinition(&doc)
	return []Document{doc}, nil
}

func decodeBareService(data []byte) ([]Document, error) {
	spec := &ecsv1.ECSServiceSpec{}
	strict, err := kjson.UnmarshalStrict(data, spec)
	if err != nil {
		return nil, Errors{{Message: "decoding the service: " + err.Error()}}
	}
	doc := Document{Kind: KindService, Service: spec}
	doc.Diagnostics = strictDiagnostics(strict, "", serviceType)
	finishService(&doc)
	return []Document{doc}, nil
}

func decodeCreateServiceOutput(data []byte) ([]Document, error) {
	var out createServiceOutput
	strict, err := kjson.UnmarshalStrict(data, &out)
	if err != nil {
		return nil, Errors{{Message: "decoding the service: " + err.Error()}}
	}
	doc := Document{Kind: KindService, Path: "service", Service: out.Service}
	doc.Diagnostics = strictDiagnostics(strict, "service", serviceType)
	doc.Diagnostics = append(doc.Diagnostics, outsideDiagnostics(strict, "service")...)
	finishService(&doc)
	return []Document{doc}, nil
}

func decodeDescribeServices(data []byte) ([]Document, error) {
	var out describeServicesOutput
	strict, err := kjson.UnmarshalStrict(data, &out)
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
		finishService(&docs[i])
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

// strictDiagnostics turns the unknown- and duplicate-key reports of
// UnmarshalStrict under prefix into diagnostics relative to it. specType
// is the type of the document, used to suggest the intended key.
func strictDiagnostics(strict []error, prefix string, specType reflect.Type) []Diagnostic {
	var out []Diagnostic
	for _, err := range strict {
		path, problem := strictReport(err)
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
func outsideDiagnostics(strict []error, documentsKey string) []Diagnostic {
	var out []Diagnostic
	for _, err := range strict {
		path, problem := strictReport(err)
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
	for _, part := range strings.Split(path, ".") {
		if part == "" {
			continue
		}
		key, rest, _ := strings.Cut(part, "[")
		if key != "" {
			out = append(out, segment{key: key, index: -1})
		}
		for rest != "" {
			num, after, _ := strings.Cut(rest, "]")
			n, err := strconv.Atoi(num)
			if err != nil {
				n = 0
			}
			out = append(out, segment{index: n})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out
}

// comparePaths orders paths by segment, indices numerically, so
// containerDefinitions[2] comes before containerDefinitions[10].
func comparePaths(a, b string) int {
	sa, sb := pathSegments(a), pathSegments(b)
	for i := 0; i < len(sa) && i < len(sb); i++ {
		x, y := sa[i], sb[i]
		switch {
		case x.index >= 0 && y.index >= 0:
			if x.index != y.index {
				return x.index - y.index
			}
		case x.key != y.key:
			return strings.Compare(x.key, y.key)
		}
	}
	return len(sa) - len(sb)
}

func sortDiagnostics(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool { return comparePaths(ds[i].Path, ds[j].Path) < 0 })
}

func sortErrors(errs Errors) {
	sort.SliceStable(errs, func(i, j int) bool { return comparePaths(errs[i].Path, errs[j].Path) < 0 })
}
