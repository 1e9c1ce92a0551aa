package controllers

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

func TestOwnWrites(t *testing.T) {
	service := func(uid, rv string, running int32) *ecsv1.ECSService {
		return &ecsv1.ECSService{
			ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web", UID: types.UID("uid-" + uid), ResourceVersion: rv,
				ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "ecs-operator"}}},
			Status: ecsv1.ECSServiceStatus{RunningCount: running},
		}
	}
	running := func(w *ownWrites, cached *ecsv1.ECSService) int32 {
		w.freshest(cached)
		return cached.Status.RunningCount
	}

	w := newOwnWrites()
	w.remember(service("a", "20", 2))
	if got := running(w, service("a", "10", 0)); got != 2 {
		t.Errorf("stale cache (rv 10 < written 20): running %d, want the written 2", got)
	}
	if got := service("a", "10", 0); running(w, got) != 2 || got.ManagedFields != nil {
		t.Errorf("the written copy keeps managedFields %v; the cache strips them", got.ManagedFields)
	}
	if got := running(w, service("a", "30", 5)); got != 5 {
		t.Errorf("newer cache (rv 30): running %d, want the cached 5", got)
	}
	if got := running(w, service("b", "10", 0)); got != 0 {
		t.Errorf("recreated object (other uid): running %d, want the cached 0", got)
	}

	// The informer delivering the write (or anything newer) ends it.
	w.handler().OnUpdate(nil, service("a", "20", 2))
	if got := running(w, service("a", "10", 0)); got != 0 || len(w.objects) != 0 {
		t.Errorf("after the cache saw rv 20: running %d, %d copies kept; want the cached 0, none", got, len(w.objects))
	}
	// An older event keeps it.
	w.remember(service("a", "40", 3))
	w.handler().OnUpdate(nil, service("a", "30", 5))
	if len(w.objects) != 1 {
		t.Errorf("an event older than the write dropped the copy")
	}
	// Deletion, also as a tombstone, forgets it.
	w.handler().OnDelete(toolscache.DeletedFinalStateUnknown{Key: "ns/web", Obj: service("a", "30", 5)})
	if len(w.objects) != 0 {
		t.Errorf("deletion kept %d copies", len(w.objects))
	}
}
