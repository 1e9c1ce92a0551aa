package controllers

import (
	"reflect"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/resourceversion"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// ownWrites remembers the objects of one kind that the operator wrote
// itself (a status or finalizer patch answers with the object as
// stored) until the informer cache has caught up with them. Reconciles
// are often triggered by another object's event before the cache holds
// the previous reconcile's write; working from the older cached copy
// writes the same status again (a needless request, several seconds of
// a worker on a busy API server) and computes ECSService deployments[]
// from a list that misses the last update.
type ownWrites struct {
	mu        sync.Mutex
	objects   map[types.NamespacedName]ownWrite
	lastSweep time.Time
}

type ownWrite struct {
	object client.Object
	at     time.Time
}

// ownWriteTTL bounds how long a written copy is kept: the informer
// normally delivers the write within seconds, and a copy whose event
// came before it was remembered would otherwise stay until the object
// changes again.
const ownWriteTTL = time.Minute

func newOwnWrites() *ownWrites {
	return &ownWrites{objects: map[types.NamespacedName]ownWrite{}}
}

// remember records obj as written.
func (w *ownWrites) remember(obj client.Object) {
	written := obj.DeepCopyObject().(client.Object)
	// The cache strips them too; they are the largest part of an object.
	written.SetManagedFields(nil)
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.objects[client.ObjectKeyFromObject(obj)] = ownWrite{object: written, at: now}
	if now.Sub(w.lastSweep) > ownWriteTTL/4 {
		w.lastSweep = now
		for key, entry := range w.objects {
			if now.Sub(entry.at) > ownWriteTTL {
				delete(w.objects, key)
			}
		}
	}
}

// freshest replaces obj, as read from the cache, with the copy the
// operator wrote when that copy is newer.
func (w *ownWrites) freshest(obj client.Object) {
	w.mu.Lock()
	defer w.mu.Unlock()
	entry, ok := w.objects[client.ObjectKeyFromObject(obj)]
	if !ok || entry.object.GetUID() != obj.GetUID() || !newerThan(entry.object, obj) {
		return
	}
	reflect.ValueOf(obj).Elem().Set(reflect.ValueOf(entry.object.DeepCopyObject()).Elem())
}

// observed forgets the written copy of obj once the cache has it, or
// something newer.
func (w *ownWrites) observed(obj client.Object) {
	key := client.ObjectKeyFromObject(obj)
	w.mu.Lock()
	defer w.mu.Unlock()
	if entry, ok := w.objects[key]; ok && (entry.object.GetUID() != obj.GetUID() || !newerThan(entry.object, obj)) {
		delete(w.objects, key)
	}
}

func (w *ownWrites) forget(key types.NamespacedName) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.objects, key)
}

// newerThan compares resource versions of the same object, as
// apimachinery allows since Kubernetes 1.35.
func newerThan(a, b client.Object) bool {
	c, err := resourceversion.CompareResourceVersion(a.GetResourceVersion(), b.GetResourceVersion())
	return err == nil && c > 0
}

// handler keeps w in step with the informer of its kind.
func (w *ownWrites) handler() toolscache.ResourceEventHandler {
	return toolscache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if o, ok := obj.(client.Object); ok {
				w.observed(o)
			}
		},
		UpdateFunc: func(_, obj any) {
			if o, ok := obj.(client.Object); ok {
				w.observed(o)
			}
		},
		DeleteFunc: func(obj any) {
			if tombstone, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
				obj = tombstone.Obj
			}
			if o, ok := obj.(client.Object); ok {
				w.forget(client.ObjectKeyFromObject(o))
			}
		},
	}
}

// childChanged passes the events of owned objects that can need their
// owner reconciled: changes and deletions. A child appears only because
// its owner's reconcile just created it (or, after a restart, when every
// owner is reconciled anyway), so its creation would only start a
// reconcile that finds nothing to do, often before the other caches
// caught up with that same reconcile's writes.
var childChanged = predicate.Funcs{
	CreateFunc: func(event.CreateEvent) bool { return false },
}
