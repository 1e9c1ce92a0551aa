package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// TestWaitForAPIUntilTheCRDsAreServed starts the waiting as an operator
// applied together with its CRDs does: before they are served. It returns
// once they are, and gives up naming the group when they never come.
func TestWaitForAPIUntilTheCRDsAreServed(t *testing.T) {
	env, err := testenv.Start(testenv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Error(err)
		}
	})
	ctx := t.Context()

	if err := waitForAPI(ctx, env.Config, 10*time.Second, 100*time.Millisecond); err != nil {
		t.Fatalf("CRDs installed from the start: %v", err)
	}

	crds := operatorCRDs(t)
	for _, crd := range crds {
		if err := env.Client.Delete(ctx, crd.DeepCopy()); err != nil {
			t.Fatal(err)
		}
	}
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		for _, crd := range crds {
			if err := env.Client.Get(ctx, client.ObjectKeyFromObject(crd), &apiextensionsv1.CustomResourceDefinition{}); !apierrors.IsNotFound(err) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("CRDs not deleted: %v", err)
	}

	err = waitForAPI(ctx, env.Config, 500*time.Millisecond, 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "ecs.operator.dev/v1alpha1") || !strings.Contains(err.Error(), "CRDs installed") {
		t.Fatalf("without the CRDs: got %v, want an error naming ecs.operator.dev/v1alpha1 and the CRDs", err)
	}

	done := make(chan error, 1)
	go func() { done <- waitForAPI(ctx, env.Config, time.Minute, 100*time.Millisecond) }()
	select {
	case err := <-done:
		t.Fatalf("returned before the CRDs were installed: %v", err)
	case <-time.After(time.Second):
	}
	for _, crd := range crds {
		if err := env.Client.Create(ctx, crd.DeepCopy()); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("CRDs installed while waiting: %v", err)
	}
}

// operatorCRDs reads the operator's CRDs from config/crd/bases.
func operatorCRDs(t *testing.T) []*apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "crd", "bases", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in config/crd/bases: %v", err)
	}
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.Unmarshal(data, crd); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		crds = append(crds, crd)
	}
	return crds
}
