package controllers

import (
	"context"
	"time"

	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// backgroundPriority is the work-queue priority of reconciles that only
// refresh what a service reports (task counts after a pod changed):
// below the default 0 of spec, task definition and workload changes, so
// that under load a user's change is applied first instead of waiting
// behind every pod event of a large rollout; above the priority of the
// initial listing after a restart (handler.LowPriority).
const backgroundPriority = -50

// withPriority makes h enqueue at priority when the controller's queue
// supports priorities (controller-runtime's priority queue, the
// default). h keeps choosing handler.LowPriority for initial listings
// and resyncs.
func withPriority(h handler.EventHandler, priority int) handler.EventHandler {
	return prioritizedHandler{handler: h, priority: priority}
}

type requestQueue = workqueue.TypedRateLimitingInterface[reconcile.Request]

type prioritizedHandler struct {
	handler  handler.EventHandler
	priority int
}

func (p prioritizedHandler) queue(q requestQueue) requestQueue {
	if pq, ok := q.(priorityqueue.PriorityQueue[reconcile.Request]); ok {
		return prioritizedQueue{PriorityQueue: pq, priority: p.priority}
	}
	return q
}

func (p prioritizedHandler) Create(ctx context.Context, e event.CreateEvent, q requestQueue) {
	p.handler.Create(ctx, e, p.queue(q))
}

func (p prioritizedHandler) Update(ctx context.Context, e event.UpdateEvent, q requestQueue) {
	p.handler.Update(ctx, e, p.queue(q))
}

func (p prioritizedHandler) Delete(ctx context.Context, e event.DeleteEvent, q requestQueue) {
	p.handler.Delete(ctx, e, p.queue(q))
}

func (p prioritizedHandler) Generic(ctx context.Context, e event.GenericEvent, q requestQueue) {
	p.handler.Generic(ctx, e, p.queue(q))
}

// prioritizedQueue adds at its priority unless the caller asks for one.
type prioritizedQueue struct {
	priorityqueue.PriorityQueue[reconcile.Request]
	priority int
}

func (q prioritizedQueue) Add(item reconcile.Request) {
	q.AddWithOpts(priorityqueue.AddOpts{Priority: &q.priority}, item)
}

func (q prioritizedQueue) AddAfter(item reconcile.Request, d time.Duration) {
	q.AddWithOpts(priorityqueue.AddOpts{After: d, Priority: &q.priority}, item)
}

func (q prioritizedQueue) AddRateLimited(item reconcile.Request) {
	q.AddWithOpts(priorityqueue.AddOpts{RateLimited: true, Priority: &q.priority}, item)
}
