package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/ecsjson"
	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// apiServer is the real kube-apiserver with the operator's CRDs, started
// once for the package; nil with -short.
var apiServer *testenv.Env

func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Short() {
		env, err := testenv.Start(testenv.Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		apiServer = env
	}
	code := m.Run()
	if err := apiServer.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

func requireAPIServer(t *testing.T) client.Client {
	t.Helper()
	if apiServer == nil {
		t.Skip("skipping: needs the test API server (not started with -short)")
	}
	return apiServer.Client
}

// dryRunApply server-side applies obj without persisting it, as the
// operator's field manager, and returns the API server's verdict.
func dryRunApply(t *testing.T, c client.Client, obj client.Object) error {
	t.Helper()
	content, err := manifest(obj)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: content}
	return c.Apply(context.Background(), client.ApplyConfigurationFromUnstructured(u),
		client.FieldOwner(ecsv1.FieldManager), client.ForceOwnership, client.DryRunAll)
}

// corpusAPIFailures names, for each corpus file the API server rejects,
// the field its message must mention. They are the files whose pre-check
// fails in corpusCLIFailures, less those that are not JSON (nothing to
// apply) and the services lacking a taskDefinition (filled in here with
// --task-definition, as users do).
var corpusAPIFailures = map[string]string{
	"taskdefs/022-ecs-agent-iam-roles.json":                  "spec.networkMode",
	"taskdefs/045-cwagent-prometheus-templated.json":         "spec.networkMode",
	"taskdefs/052-devguide-register-skeleton-template.json":  "spec.containerDefinitions[0].name",
	"taskdefs/053-devguide-fsx-windows.json":                 "mountPoints",
	"services/007-devguide-service-definition-template.json": "launchType and capacityProviderStrategy are mutually exclusive",
}

// TestCorpusAppliesToAPIServer converts every corpus file as
// `kubectl ecs convert -f FILE --task-definition corpus` would and
// server-side applies (dry run) each resulting object to a real API
// server: all are accepted except corpusAPIFailures, whose messages name
// the field. For every document the offline pre-check (ecsjson.Validate)
// must reach the same verdict as the API server.
func TestCorpusAppliesToAPIServer(t *testing.T) {
	c := requireAPIServer(t)
	applied := 0
	for _, f := range corpusFiles(t) {
		t.Run(f.name, func(t *testing.T) {
			data, err := os.ReadFile(f.path)
			if err != nil {
				t.Fatal(err)
			}
			converted := convertFiles([]inputFile{{Name: f.path, Data: data}},
				convertOptions{namespace: "default", taskDefinition: "corpus"})[0]
			if len(converted.objects) == 0 {
				if _, notJSON := corpusCLIFailures[f.name]; !notJSON {
					t.Fatalf("no objects and not an expected failure: %v", converted.problems)
				}
				return
			}
			want, shouldFail := corpusAPIFailures[f.name]
			for i, obj := range converted.objects {
				applied++
				apiErr := dryRunApply(t, c, obj)
				precheck := ecsjson.Validate(converted.docs[i])
				if (apiErr != nil) != (len(precheck) > 0) {
					t.Errorf("%s: the pre-check and the API server disagree:\npre-check: %v\nAPI server: %v", obj.GetName(), precheck, apiErr)
				}
				switch {
				case shouldFail && apiErr == nil:
					t.Errorf("%s: accepted, want a rejection naming %q", obj.GetName(), want)
				case shouldFail && !strings.Contains(apiErr.Error(), want):
					t.Errorf("%s: rejected with %v\nwant the message to name %q", obj.GetName(), apiErr, want)
				case !shouldFail && apiErr != nil:
					t.Errorf("%s: rejected: %v", obj.GetName(), apiErr)
				}
			}
		})
	}
	t.Logf("applied %d converted corpus objects", applied)
}

// TestValidateAgreesWithAPIServer applies the documents of ecsjson's
// Validate table, one rule broken in each, and checks that the API server
// rejects exactly those Validate rejects, naming the same field.
func TestValidateAgreesWithAPIServer(t *testing.T) {
	c := requireAPIServer(t)
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "internal", "ecsjson", "testdata", "validate_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name     string          `json:"name"`
		Document json.RawMessage `json:"document"`
		Error    string          `json:"error"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			docs, err := ecsjson.Decode(tt.Document)
			if err != nil {
				t.Fatal(err)
			}
			precheck := ecsjson.Validate(docs[0])
			apiErr := dryRunApply(t, c, objectFor(docs[0], "default"))
			if (apiErr != nil) != (len(precheck) > 0) {
				t.Fatalf("the pre-check and the API server disagree:\npre-check: %v\nAPI server: %v", precheck, apiErr)
			}
			if apiErr == nil {
				return
			}
			// The API server's message names the field the pre-check
			// reports (its last key).
			segments := strings.FieldsFunc(precheck[0].Path, func(r rune) bool { return r == '.' || r == '[' || r == ']' })
			field := ""
			for _, s := range segments {
				if s[0] < '0' || s[0] > '9' {
					field = s
				}
			}
			if !strings.Contains(apiErr.Error(), field) {
				t.Errorf("API server message does not name %q: %v", field, apiErr)
			}
		})
	}
}
