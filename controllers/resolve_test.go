package controllers

import (
	"context"
	"errors"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// An ECSCluster or TaskDefinition applied together with the service may
// reach the API server a moment before the operator's cache. Seen only on
// the server, it makes the service wait without a word; missing on the
// server too, it stalls the service naming the reference.
func TestResolveWaitsForReferencesTheCacheHasNotSeen(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	createTaskDefinition(t, ns, "fresh", taskSpec("fresh", "fresh:1"))
	clusterName := "fresh-" + ns
	if err := k8s.Create(ctx, &ecsv1.ECSCluster{ObjectMeta: metav1.ObjectMeta{Name: clusterName}}); err != nil {
		t.Fatal(err)
	}
	// A cache that has seen none of them yet.
	lagging := fake.NewClientBuilder().WithScheme(k8s.Scheme()).
		WithIndex(&ecsv1.TaskDefinition{}, indexTaskFamily, func(o client.Object) []string {
			return []string{familyOf(o.(*ecsv1.TaskDefinition))}
		}).Build()
	r := &ECSServiceReconciler{deps: &deps{client: lagging, apiReader: k8s, scheme: k8s.Scheme()}}

	cases := []struct {
		name, cluster, taskDefinition string
		wantReason                    string
		wantUnseen                    bool
	}{
		{"task definition on the server only", "", "fresh", reasonWaitingForRevision, true},
		{"cluster on the server only", clusterName, "fresh", reasonWaitingForRevision, true},
		{"task definition nowhere", "", "missing", reasonTaskDefNotFound, false},
		{"cluster nowhere", "missing-" + ns, "fresh", reasonClusterNotFound, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc := &ecsv1.ECSService{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
				Spec: ecsv1.ECSServiceSpec{TaskDefinition: c.taskDefinition}}
			if c.cluster != "" {
				svc.Spec.Cluster = ptr.To(c.cluster)
			}
			_, err := r.resolve(ctx, svc)
			var u unresolved
			if !errors.As(err, &u) {
				t.Fatalf("resolve: %v, want an unresolved verdict", err)
			}
			if u.reason != c.wantReason || u.unseen != c.wantUnseen {
				t.Errorf("verdict %s (unseen %v): %s; want %s (unseen %v)", u.reason, u.unseen, u.message, c.wantReason, c.wantUnseen)
			}
		})
	}
}
