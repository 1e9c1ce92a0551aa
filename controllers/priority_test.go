package controllers

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// TestWithPriority feeds pod events through a prioritized handler into
// controller-runtime's priority queue and reads back each request's
// priority.
func TestWithPriority(t *testing.T) {
	toService := handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
		return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: o.GetNamespace(), Name: "svc-" + o.GetName()}}}
	})
	h := withPriority(toService, backgroundPriority)
	pod := func(name, rv string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, ResourceVersion: rv}}
	}
	tests := []struct {
		name string
		feed func(q requestQueue)
		want int
	}{
		{name: "pod created", feed: func(q requestQueue) {
			h.Create(t.Context(), event.CreateEvent{Object: pod("a", "1")}, q)
		}, want: backgroundPriority},
		{name: "pod status changed", feed: func(q requestQueue) {
			h.Update(t.Context(), event.UpdateEvent{ObjectOld: pod("a", "1"), ObjectNew: pod("a", "2")}, q)
		}, want: backgroundPriority},
		{name: "pod deleted", feed: func(q requestQueue) {
			h.Delete(t.Context(), event.DeleteEvent{Object: pod("a", "2")}, q)
		}, want: backgroundPriority},
		{name: "initial listing after a restart stays lowest", feed: func(q requestQueue) {
			h.Create(t.Context(), event.CreateEvent{Object: pod("a", "1"), IsInInitialList: true}, q)
		}, want: handler.LowPriority},
		{name: "a spec change queued before keeps its priority", feed: func(q requestQueue) {
			q.Add(reconcile.Request{NamespacedName: client.ObjectKey{Namespace: "ns", Name: "svc-a"}})
			h.Update(t.Context(), event.UpdateEvent{ObjectOld: pod("a", "1"), ObjectNew: pod("a", "2")}, q)
		}, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := priorityqueue.New[reconcile.Request]("test")
			defer q.ShutDown()
			tt.feed(q)
			if q.Len() != 1 {
				t.Fatalf("%d queued requests, want 1", q.Len())
			}
			item, priority, _ := q.GetWithPriority()
			if item.Name != "svc-a" || priority != tt.want {
				t.Errorf("got %s at priority %d, want svc-a at %d", item.Name, priority, tt.want)
			}
		})
	}
}
