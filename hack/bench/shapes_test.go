package main

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestShapesRender checks that every shape decodes cleanly and renders to
// a Deployment and its ServiceAccount-or-Service companions on core kinds
// only, under unique names.
func TestShapesRender(t *testing.T) {
	shapes, cluster, err := loadShapes()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for i := range 2 * len(shapes) {
		in := newInstance(shapes, i)
		objs, err := in.render(renderInput{namespace: "bench", cluster: cluster, nodes: []corev1.Node{}})
		if err != nil {
			t.Fatal(err)
		}
		deployments := 0
		for _, o := range objs {
			key := o.GetKind() + "/" + o.GetName()
			if prev, ok := seen[key]; ok {
				t.Errorf("%s: %s also rendered by %s", in.name, key, prev)
			}
			seen[key] = in.name
			if o.GetKind() == "Deployment" {
				deployments++
			}
			t.Logf("%s: %s %s", in.name, o.GetKind(), o.GetName())
		}
		if deployments != 1 {
			t.Errorf("%s: %d Deployments, want 1", in.name, deployments)
		}
	}
}
