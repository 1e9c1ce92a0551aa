package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/testenv"
	"github.com/ecs-operator/ecs-operator/test/e2e/framework"
)

// tracker follows the Deployments and ECSServices of one namespace
// through informers and timestamps the moment they are all done, so the
// measurement neither polls the API server nor depends on a poll
// interval.
type tracker struct {
	cache cache.Cache

	mu                  sync.Mutex
	availableDeployment map[string]bool
	readyService        map[string]bool
	replicas            map[string]int32
	// firstSeen, availableAt and readyAt are when each Deployment first
	// appeared and first became available, and each ECSService first
	// became Ready: the timeline that shows where convergence time goes.
	firstSeen, availableAt, readyAt map[string]time.Time
	// changed is closed and replaced whenever a count changes.
	changed chan struct{}
	// replicaWaiters are notified when a Deployment's spec.replicas
	// reaches a value (update latency samples).
	replicaWaiters map[string]replicaWaiter
}

type replicaWaiter struct {
	replicas int32
	seen     chan time.Time
}

func newTracker(ctx context.Context, cfg *rest.Config, namespace string) (*tracker, error) {
	c, err := cache.New(cfg, cache.Options{
		Scheme:            testenv.Scheme(),
		DefaultNamespaces: map[string]cache.Config{namespace: {}},
		DefaultTransform:  cache.TransformStripManagedFields(),
	})
	if err != nil {
		return nil, err
	}
	t := &tracker{
		cache:               c,
		availableDeployment: map[string]bool{},
		readyService:        map[string]bool{},
		replicas:            map[string]int32{},
		firstSeen:           map[string]time.Time{},
		availableAt:         map[string]time.Time{},
		readyAt:             map[string]time.Time{},
		changed:             make(chan struct{}),
		replicaWaiters:      map[string]replicaWaiter{},
	}
	deployments, err := c.GetInformer(ctx, &appsv1.Deployment{})
	if err != nil {
		return nil, err
	}
	if _, err := deployments.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { t.observeDeployment(obj) },
		UpdateFunc: func(_, obj any) { t.observeDeployment(obj) },
	}); err != nil {
		return nil, err
	}
	services, err := c.GetInformer(ctx, &ecsv1.ECSService{})
	if err != nil {
		return nil, err
	}
	if _, err := services.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { t.observeService(obj) },
		UpdateFunc: func(_, obj any) { t.observeService(obj) },
	}); err != nil {
		return nil, err
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		return nil, fmt.Errorf("tracker cache did not sync")
	}
	return t, nil
}

func (t *tracker) observeDeployment(obj any) {
	d, ok := obj.(*appsv1.Deployment)
	if !ok {
		return
	}
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	replicas := int32(1)
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	if w, ok := t.replicaWaiters[d.Name]; ok && replicas == w.replicas {
		w.seen <- now
		delete(t.replicaWaiters, d.Name)
	}
	t.replicas[d.Name] = replicas
	if _, ok := t.firstSeen[d.Name]; !ok {
		t.firstSeen[d.Name] = now
	}
	available := framework.DeploymentAvailable(d)
	if _, ok := t.availableAt[d.Name]; !ok && available {
		t.availableAt[d.Name] = now
	}
	t.set(t.availableDeployment, d.Name, available)
}

func (t *tracker) observeService(obj any) {
	svc, ok := obj.(*ecsv1.ECSService)
	if !ok {
		return
	}
	ready := false
	if c := meta.FindStatusCondition(svc.Status.Conditions, ecsv1.ConditionReady); c != nil {
		ready = c.Status == "True" && c.ObservedGeneration == svc.Generation && svc.Status.ObservedGeneration == svc.Generation
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.readyAt[svc.Name]; !ok && ready {
		t.readyAt[svc.Name] = time.Now()
	}
	t.set(t.readyService, svc.Name, ready)
}

// set records a done flag and wakes waiters when it changed. Callers hold
// mu.
func (t *tracker) set(m map[string]bool, name string, done bool) {
	if m[name] == done {
		return
	}
	m[name] = done
	close(t.changed)
	t.changed = make(chan struct{})
}

func countTrue(m map[string]bool) int {
	n := 0
	for _, v := range m {
		if v {
			n++
		}
	}
	return n
}

// waitDone waits until deployments Deployments are available and
// services ECSServices are Ready (both at once), and returns when that
// first happened. progress is called every few seconds with the counts.
func (t *tracker) waitDone(ctx context.Context, deployments, services int, progress func(available, ready int)) (time.Time, error) {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		t.mu.Lock()
		available, ready := countTrue(t.availableDeployment), countTrue(t.readyService)
		changed := t.changed
		t.mu.Unlock()
		if available >= deployments && ready >= services {
			return time.Now(), nil
		}
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("%d/%d Deployments available, %d/%d ECSServices Ready: %w", available, deployments, ready, services, ctx.Err())
		case <-changed:
		case <-tick.C:
			progress(available, ready)
		}
	}
}

// awaitReplicas returns a channel that receives the time the tracker sees
// Deployment name with spec.replicas == replicas.
func (t *tracker) awaitReplicas(name string, replicas int32) <-chan time.Time {
	seen := make(chan time.Time, 1)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.replicaWaiters[name] = replicaWaiter{replicas: replicas, seen: seen}
	return seen
}

// deploymentReplicas is the last spec.replicas seen for a Deployment.
func (t *tracker) deploymentReplicas(name string) (int32, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.replicas[name]
	return r, ok
}

// reader serves reads from the tracker's cache.
func (t *tracker) reader() client.Reader { return t.cache }

// timeline describes when Deployments appeared and became available and
// ECSServices became Ready, relative to start (median and last).
func (t *tracker) timeline(start time.Time) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	describe := func(what string, m map[string]time.Time) string {
		if len(m) == 0 {
			return ""
		}
		var d []time.Duration
		for _, at := range m {
			d = append(d, at.Sub(start))
		}
		return fmt.Sprintf("%s p50 %.1fs last %.1fs", what, percentile(d, 0.5)/1000, percentile(d, 1)/1000)
	}
	parts := []string{describe("Deployment created", t.firstSeen), describe("available", t.availableAt), describe("ECSService Ready", t.readyAt)}
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), "; ")
}
