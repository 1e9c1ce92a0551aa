package ecsjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// directCases are inputs at the edges of what the direct path takes on:
// each must decode the same on both paths, or be left to the diagnostic
// path (wantDirect false).
var directCases = []struct {
	name       string
	input      string
	wantDirect bool
}{
	{"minimal task definition", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx"}]}`, true},
	{"explicit nulls everywhere", `{"family":"web","cpu":null,"volumes":null,"containerDefinitions":[{"name":"app","image":"nginx","memory":null,"command":null,"dockerLabels":null,"environment":[{"name":null,"value":null}],"linuxParameters":null}]}`, true},
	{"null items and map values", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","command":["a",null],"dockerLabels":{"a":null,"b":"c"}}]}`, true},
	{"empty lists and maps stay non-nil", `{"family":"web","requiresCompatibilities":[],"containerDefinitions":[{"name":"app","image":"nginx","environment":[],"dockerLabels":{},"portMappings":[ ]}]}`, true},
	{"escapes and unicode", `{"family":"w\u00e9b","containerDefinitions":[{"name":"app","image":"nginx","command":["echo \"hi\"\n\t\\ \/ \b\f\r","\ud83d\ude00 ü ✓"]}]}`, true},
	{"lone surrogate", `{"family":"web\ud800","containerDefinitions":[{"name":"app","image":"nginx"}]}`, false},
	{"invalid UTF-8", "{\"family\":\"w\xffb\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"nginx\"}]}", false},
	{"task cpu and memory in both forms", `{"family":"web","cpu":"1 vCPU","memory":2048,"containerDefinitions":[{"name":"app","image":"nginx","cpu":-0}]}`, true},
	{"numbers out of range", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","cpu":2147483648}]}`, false},
	{"fractional integer", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","cpu":1.0}]}`, false},
	{"exponent integer", `{"family":"web","memory":1e3,"containerDefinitions":[{"name":"app","image":"nginx"}]}`, false},
	{"unknown keys at every depth", `{"family":"web","Cpu":"256","x":{"y":[1,{"z":null}]},"containerDefinitions":[{"name":"app","image":"nginx","portBindings":[{"containerPort":80}],"portMappings":[{"ContainerPort":80}],"inferenceDevices":["x"]}]}`, true},
	{"an unknown key twice", `{"family":"web","foo":1,"containerDefinitions":[{"name":"app","image":"nginx"}],"foo":2}`, false},
	{"an unknown empty key", `{"family":"web","":1,"containerDefinitions":[{"name":"app","image":"nginx","":{}}]}`, true},
	{"duplicate field", `{"family":"a","family":"web","containerDefinitions":[{"name":"app","image":"nginx"}]}`, false},
	{"duplicate nested field", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","name":"b"}]}`, false},
	{"duplicate map key", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","dockerLabels":{"a":"1","a":"2"}}]}`, false},
	{"type error", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","essential":"true"}]}`, false},
	{"syntax error", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx"}`, false},
	{"trailing document", `{"family":"web"} {}`, false},
	{"trailing white space", "{\"family\":\"web\",\"containerDefinitions\":[]}\n\t \r\n", true},
	{"templates in every kind of place", `{"family":"{{family}}","cpu":"${CPU}","taskRoleArn":"<ROLE>","containerDefinitions":[{"name":"app","image":"repo/app:$$$TAG$$$","command":["sh","-c","echo ${HOME} {{x}}"],"entryPoint":["${ENTRY}"],"environment":[{"name":"A","value":"{a_b}"}],"dockerLabels":{"z":"{{z}}","a":"${A}","":"{{empty}}","[1]":"<X>","a.b":"{x_y}"},"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/{{env}}"}}}]}`, true},
	{"templates in read-only fields", `{"family":"web","taskDefinitionArn":"arn:{{x}}","status":"<S>","compatibilities":["{{c}}"],"registeredAt":{"t":"{{t}}"},"registeredBy":"${X}","containerDefinitions":[{"name":"app","image":"nginx"}]}`, true},
	{"describe wrapper with outer tags taken over", `{"taskDefinition":{"family":"web","revision":3,"containerDefinitions":[{"name":"app","image":"{{img}}"}]},"tags":[{"key":"team","value":"{{team}}"}],"ResponseMetadata":{"RequestId":"x"}}`, true},
	{"describe wrapper with inner and outer tags", `{"taskDefinition":{"family":"web","tags":[{"key":"a","value":"{{a}}"}],"containerDefinitions":[{"name":"app","image":"nginx"}]},"tags":[{"key":"b","value":"{{b}}"}]}`, true},
	{"describe wrapper with empty inner tags", `{"taskDefinition":{"family":"web","tags":[],"containerDefinitions":[{"name":"app","image":"nginx"}]},"tags":[{"key":"b","value":"<B>"}]}`, true},
	{"bare containers", `[{"name":"app","image":"{{image}}","portBinding":[]},{"name":"side","image":"busybox"}]`, true},
	{"bare containers with a task definition inside", `[{"family":"a","containerDefinitions":[]}]`, false},
	{"empty array", `[]`, false},
	{"not ECS", `{"name":"x","value":"y"}`, false},
	{"a string", `"web"`, false},
	{"CreateService input", `{"serviceName":"web","taskDefinition":"web:3","desiredCount":2,"deploymentConfiguration":{"maximumPercent":200,"lifecycleHooks":[{"hookTargetArn":"arn","hookDetails":{"a":[1,2,{"b":null}]}}]}}`, true},
	{"service with a template in raw JSON", `{"serviceName":"web","taskDefinition":"web","deploymentConfiguration":{"lifecycleHooks":[{"hookTargetArn":"arn","hookDetails":{"a":"{{x}}"}}]}}`, false},
	{"service with a template in a read-only raw field", `{"serviceName":"web","taskDefinition":"web","events":[{"message":"{{x}}"}],"deployments":[{"id":"<X>"}]}`, true},
	{"create-service output", `{"service":{"serviceName":"web","taskDefinition":"{{td}}","serviceArn":"arn","runningCount":0,"events":[],"createdAt":1700000000.5}}`, true},
	{"describe-services output with failures", `{"services":[{"serviceName":"a","taskDefinition":"a","clusterArn":"c"},{"serviceName":"{{b}}","taskDefinition":"b","deployments":[{"id":"x"}],"currentServiceDeployment":"arn"}],"failures":[{"arn":"arn:x","reason":"MISSING"}],"nextToken":"{{n}}"}`, true},
	{"describe-services without services", `{"services":[],"failures":[]}`, false},
	{"service floats", `{"serviceName":"web","taskDefinition":"web","deploymentConfiguration":{"canaryConfiguration":{"canaryPercent":12.5e-1}}}`, true},
	{"deep unknown value", `{"family":"web","x":` + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + `}`, false},
}

// TestDirectMatchesDiagnosticPath: wherever the direct path decodes, it
// returns exactly what the diagnostic path returns; every corpus file the
// diagnostic path accepts is decoded directly.
func TestDirectMatchesDiagnosticPath(t *testing.T) {
	for _, tc := range directCases {
		t.Run(tc.name, func(t *testing.T) {
			direct := assertDirectMatches(t, []byte(tc.input))
			if direct != tc.wantDirect {
				t.Errorf("decoded on the direct path: %t, want %t", direct, tc.wantDirect)
			}
		})
	}
	if testing.Short() {
		return
	}
	for _, f := range corpusFiles(t) {
		t.Run(f.name, func(t *testing.T) {
			direct := assertDirectMatches(t, f.data)
			if _, err := decodeDiagnostic(f.data); err == nil && !direct {
				t.Errorf("the diagnostic path decodes this file but the direct path does not")
			}
		})
	}
}

// assertDirectMatches decodes data on both paths and fails when the
// direct path's result differs; it reports whether the direct path took
// the input.
func assertDirectMatches(t *testing.T, data []byte) bool {
	t.Helper()
	direct, ok := decodeDirect(data)
	if !ok {
		return false
	}
	want, err := decodeDiagnostic(data)
	if err != nil {
		t.Fatalf("the direct path decoded input the diagnostic path rejects (%v)", err)
	}
	if !reflect.DeepEqual(direct, want) {
		t.Fatalf("the paths differ:\ndirect:     %s\ndiagnostic: %s", documentsDump(direct), documentsDump(want))
	}
	return true
}

func documentsDump(docs []Document) string {
	var b strings.Builder
	b.WriteString(summary(docs))
	for _, d := range docs {
		spec, _ := json.Marshal(d)
		b.Write(spec)
		b.WriteByte('\n')
	}
	return b.String()
}

// FuzzDirectMatchesDiagnosticPath: whatever the direct path decodes, the
// diagnostic path decodes to the same documents.
func FuzzDirectMatchesDiagnosticPath(f *testing.F) {
	addCorpusSeeds(f)
	for _, tc := range directCases {
		f.Add([]byte(tc.input))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		assertDirectMatches(t, data)
	})
}

// TestDirectPlansCoverTheAPITypes: every field of the documents' types is
// decoded directly, so no valid input is left to the slower path for its
// type alone.
func TestDirectPlansCoverTheAPITypes(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[describeTaskDefinitionOutput](),
		reflect.TypeFor[createServiceOutput](),
		reflect.TypeFor[describeServicesOutput](),
	} {
		var unsupported []string
		walkPlan(planFor(typ), typ.Name(), map[*decodePlan]bool{}, func(path string, p *decodePlan) {
			if p.kind == kindUnsupported {
				unsupported = append(unsupported, fmt.Sprintf("%s (%s)", path, p.typ))
			}
		})
		if len(unsupported) > 0 {
			t.Errorf("%s: no direct decoding for:\n%s", typ, strings.Join(unsupported, "\n"))
		}
	}
}

func walkPlan(p *decodePlan, path string, seen map[*decodePlan]bool, fn func(string, *decodePlan)) {
	fn(path, p)
	if seen[p] {
		return
	}
	seen[p] = true
	if p.elem != nil {
		walkPlan(p.elem, path+"[]", seen, fn)
	}
	for _, f := range p.fields {
		walkPlan(f.plan, path+"."+f.name, seen, fn)
	}
}

// TestDirectDecodesEveryField: a document with every field set decodes the
// same on both paths.
func TestDirectDecodesEveryField(t *testing.T) {
	for _, spec := range []any{&ecsv1.TaskDefinitionSpec{}, &ecsv1.ECSServiceSpec{}} {
		for _, intForm := range []bool{false, true} {
			fillEveryField(reflect.ValueOf(spec).Elem(), intForm)
			data, err := json.Marshal(spec)
			if err != nil {
				t.Fatal(err)
			}
			if !assertDirectMatches(t, data) {
				t.Errorf("%T with every field set was left to the diagnostic path:\n%s", spec, data)
			}
		}
	}
}

// fillEveryField sets every field under v: pointers allocated, one item
// per list and map, strings that look like placeholders where the type
// allows, so that template notes are compared too.
func fillEveryField(v reflect.Value, intForm bool) {
	switch v.Type() {
	case intOrStringType:
		if intForm {
			v.Set(reflect.ValueOf(intstr.FromInt32(512)))
		} else {
			v.Set(reflect.ValueOf(intstr.FromString("{{cpu}}")))
		}
		return
	case rawJSONType:
		v.Set(reflect.ValueOf(apiextensionsv1.JSON{Raw: []byte(`{"a":[1,"b",null]}`)}))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillEveryField(v.Elem(), intForm)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillEveryField(v.Field(i), intForm)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillEveryField(v.Index(0), intForm)
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(reflect.ValueOf("k"), reflect.ValueOf("${K}"))
	case reflect.String:
		v.SetString("<V>")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Float64:
		v.SetFloat(2.5)
	}
}

// splitPathReference and comparePathsReference are the straightforward
// forms of pathSegments and comparePaths: split every part, then compare
// the lists.
func splitPathReference(path string) []segment {
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

func comparePathsReference(a, b string) int {
	sa, sb := splitPathReference(a), splitPathReference(b)
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

var pathSamples = []string{"", "a", "a.b", "a[0]", "a[10]", "a[2]", "a[0].b", "a[0][1]", "[0]", "a.", ".a", "a..b",
	"a[x]", "a[1]x[2]", "a[", "a]", "containerDefinitions[1].environment[0].value", "dockerLabels.com.example", "a[0]b"}

func FuzzPathOrdering(f *testing.F) {
	for _, a := range pathSamples {
		f.Add(a, "a[1].b")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		checkPathOrdering(t, a, b)
	})
}

func TestPathOrdering(t *testing.T) {
	for _, a := range pathSamples {
		for _, b := range pathSamples {
			checkPathOrdering(t, a, b)
		}
	}
}

func checkPathOrdering(t *testing.T, a, b string) {
	t.Helper()
	if got, want := pathSegments(a), splitPathReference(a); !reflect.DeepEqual(got, want) {
		t.Errorf("pathSegments(%q) = %v, want %v", a, got, want)
	}
	got, want := comparePaths(a, b), comparePathsReference(a, b)
	if (got < 0) != (want < 0) || (got == 0) != (want == 0) {
		t.Errorf("comparePaths(%q, %q) = %d, want the sign of %d", a, b, got, want)
	}
}

// TestDirectListsKeepTheirItems: lists carved out of one block stay as
// decoded while later documents are decoded into the same block, whether
// those outgrow it or give up halfway through a list.
func TestDirectListsKeepTheirItems(t *testing.T) {
	taskWith := func(containers, envPerContainer int, broken bool) []byte {
		var defs []string
		for i := range containers {
			var env []string
			for j := range envPerContainer {
				env = append(env, fmt.Sprintf(`{"name":"E%d_%d","value":"v%d"}`, i, j, j))
			}
			essential := "true"
			if broken && i == containers-1 {
				essential = `"yes"` // a type error: the direct path gives up here
			}
			defs = append(defs, fmt.Sprintf(`{"name":"c%d","image":"img%d","essential":%s,"command":["run","%d"],"environment":[%s]}`, i, i, essential, i, strings.Join(env, ",")))
		}
		return []byte(`{"family":"web","containerDefinitions":[` + strings.Join(defs, ",") + `]}`)
	}
	inputs := [][]byte{
		taskWith(1, 1, false),
		taskWith(3, 2, false),
		taskWith(3, 2, true),
		taskWith(9, 150, false),
		taskWith(2, 3, true),
		taskWith(2, 0, false),
		taskWith(10, 70, false),
	}
	type decoded struct {
		docs []Document
		want []Document
	}
	var kept []decoded
	for round := range 3 {
		for i, data := range inputs {
			docs, ok := decodeDirect(data)
			want, err := decodeDiagnostic(data)
			if ok != (err == nil) {
				t.Fatalf("round %d, input %d: direct path took it: %t, diagnostic error: %v", round, i, ok, err)
			}
			if ok {
				kept = append(kept, decoded{docs, want})
			}
		}
	}
	for i, k := range kept {
		if !reflect.DeepEqual(k.docs, k.want) {
			t.Fatalf("decode %d changed after later decodes:\ndirect:     %s\ndiagnostic: %s", i, documentsDump(k.docs), documentsDump(k.want))
		}
		for _, def := range k.docs[0].TaskDefinition.ContainerDefinitions {
			if cap(def.Environment) != len(def.Environment) || cap(def.Command) != len(def.Command) {
				t.Fatalf("decode %d: a carved list has spare capacity", i)
			}
		}
	}
}

// TestNextUnplainByte: the eight-byte search finds the first byte
// stringByteClass does not call plain, for every byte at every position
// next to plain bytes of every value, and among random bytes.
func TestNextUnplainByte(t *testing.T) {
	var plain []byte
	for c := range 256 {
		if stringByteClass[c] == plainByte {
			plain = append(plain, byte(c))
		}
	}
	byByte := func(b []byte) int {
		i := 0
		for i < len(b) && stringByteClass[b[i]] == plainByte {
			i++
		}
		return i
	}
	check := func(b []byte) {
		t.Helper()
		if got, want := nextUnplainByte(b, 0), byByte(b); got != want {
			t.Fatalf("nextUnplainByte(%q) = %d, want %d", b, got, want)
		}
	}
	for c := range 256 {
		for pos := range 8 {
			for _, around := range plain {
				b := bytes.Repeat([]byte{around}, 11)
				b[pos] = byte(c)
				check(b)
			}
		}
	}
	random := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		b := make([]byte, random.IntN(20))
		for i := range b {
			// Mostly plain bytes, some of every kind.
			if random.IntN(4) == 0 {
				b[i] = byte(random.IntN(256))
			} else {
				b[i] = plain[random.IntN(len(plain))]
			}
		}
		check(b)
	}
}
