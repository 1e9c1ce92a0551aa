package framework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// Apply server-side applies objects (field manager FieldOwner, forcing
// ownership), in order.
func (c *Cluster) Apply(ctx context.Context, objs ...*unstructured.Unstructured) error {
	for _, obj := range objs {
		err := c.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj), client.FieldOwner(FieldOwner), client.ForceOwnership)
		if err != nil {
			return fmt.Errorf("applying %s %s: %w", obj.GetKind(), client.ObjectKeyFromObject(obj), err)
		}
	}
	return nil
}

// ApplyYAML server-side applies the objects of a (multi-document) YAML or
// JSON manifest. Namespaced objects without a namespace go to namespace.
func (c *Cluster) ApplyYAML(ctx context.Context, namespace, manifest string) error {
	objs, err := decodeObjects(strings.NewReader(manifest))
	if err != nil {
		return err
	}
	for _, obj := range objs {
		if obj.GetNamespace() == "" && namespace != "" {
			namespaced, err := c.Client.IsObjectNamespaced(obj)
			if err != nil {
				return fmt.Errorf("%s %s: %w", obj.GetKind(), obj.GetName(), err)
			}
			if namespaced {
				obj.SetNamespace(namespace)
			}
		}
	}
	return c.Apply(ctx, objs...)
}

// ReadObjects reads the objects of YAML/JSON manifests; a directory stands
// for its *.yaml, *.yml and *.json files in name order.
func ReadObjects(paths ...string) ([]*unstructured.Unstructured, error) {
	var objs []*unstructured.Unstructured
	for _, path := range paths {
		files := []string{path}
		if st, err := os.Stat(path); err != nil {
			return nil, err
		} else if st.IsDir() {
			files = nil
			for _, pattern := range []string{"*.yaml", "*.yml", "*.json"} {
				matches, err := filepath.Glob(filepath.Join(path, pattern))
				if err != nil {
					return nil, err
				}
				files = append(files, matches...)
			}
			slices.Sort(files)
		}
		for _, file := range files {
			f, err := os.Open(file)
			if err != nil {
				return nil, err
			}
			read, err := decodeObjects(f)
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			objs = append(objs, read...)
		}
	}
	return objs, nil
}

func decodeObjects(r io.Reader) ([]*unstructured.Unstructured, error) {
	decoder := utilyaml.NewYAMLOrJSONDecoder(r, 4096)
	var objs []*unstructured.Unstructured
	for {
		obj := &unstructured.Unstructured{}
		err := decoder.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(obj.Object) == 0 { // empty document between separators
			continue
		}
		if obj.GetKind() == "" || obj.GetAPIVersion() == "" {
			return nil, fmt.Errorf("object %q has no apiVersion or kind", obj.GetName())
		}
		objs = append(objs, obj)
	}
}

// InstallCRDs server-side applies the CRDs in paths (files or directories)
// and waits until the API server serves them. Server-side apply because
// some CRDs (External Secrets) exceed the 256 KiB annotation client-side
// apply would store.
func (c *Cluster) InstallCRDs(ctx context.Context, paths ...string) error {
	objs, err := ReadObjects(paths...)
	if err != nil {
		return err
	}
	for _, obj := range objs {
		if obj.GetKind() != "CustomResourceDefinition" {
			return fmt.Errorf("%s %s is not a CustomResourceDefinition", obj.GetKind(), obj.GetName())
		}
	}
	if err := c.Apply(ctx, objs...); err != nil {
		return err
	}
	for _, obj := range objs {
		if err := c.waitCRDEstablished(ctx, obj.GetName()); err != nil {
			return err
		}
	}
	return nil
}

// InstallOperatorCRDs installs the CRDs of this repository
// (config/crd/bases).
func (c *Cluster) InstallOperatorCRDs(ctx context.Context) error {
	return c.InstallCRDs(ctx, filepath.Join(testenv.RepoRoot(), "config", "crd", "bases"))
}

// InstallIntegrationCRDs installs the real CRDs of the integrations
// (External Secrets, AWS Load Balancer Controller, ACK, VPC resource
// controller, KEDA). It returns testenv.ErrNoShared when ../shared is
// absent; tests then skip.
func (c *Cluster) InstallIntegrationCRDs(ctx context.Context) error {
	paths, err := testenv.IntegrationCRDPaths()
	if err != nil {
		return err
	}
	return c.InstallCRDs(ctx, paths...)
}

func (c *Cluster) waitCRDEstablished(ctx context.Context, name string) error {
	var crd apiextensionsv1.CustomResourceDefinition
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		if err := c.Client.Get(ctx, client.ObjectKey{Name: name}, &crd); err != nil {
			return false, nil
		}
		for _, cond := range crd.Status.Conditions {
			if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("CRD %s not established: %w", name, err)
	}
	return nil
}
