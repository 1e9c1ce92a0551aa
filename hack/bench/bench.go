package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/test/e2e/framework"
)

const (
	baselineNamespace = "bench-baseline"
	operatorNamespace = "bench-operator"
	// baselineFieldManager applies the baseline's objects.
	baselineFieldManager = "ecs-operator-bench"
)

type bench struct {
	cfg         config
	cluster     *framework.Cluster
	shapes      []shape
	clusterSpec *ecsv1.ECSClusterSpec

	nodeCount int
	// budget is a client with the operator's QPS and burst: the
	// baseline's applier and the "user" creating the ECS objects.
	budget client.Client

	baselineApply time.Duration
	// baselineAPIWrites are all write requests the API server served
	// during the baseline.
	baselineAPIWrites float64

	op          *framework.Operator
	metrics     *metricsClient
	opTracker   *tracker
	stopTracker context.CancelFunc
}

// operatorResult is what the operator phase measured.
type operatorResult struct {
	create, converge time.Duration
	writes           int
	// apiWrites are all write requests the API server served during the
	// phase (the operator's, the controller manager's, kwok's, ...).
	apiWrites float64
	rssMiB    float64
}

// resyncResult is what the restart on the converged set measured.
type resyncResult struct {
	duration time.Duration
	writes   int
	rssMiB   float64
}

func (b *bench) prepare(ctx context.Context) error {
	var nodes corev1.NodeList
	if err := b.cluster.Client.List(ctx, &nodes, client.MatchingLabels{"type": "kwok"}); err != nil {
		return err
	}
	b.nodeCount = len(nodes.Items)
	if b.nodeCount < b.cfg.nodes {
		logf("warning: cluster %s has %d nodes, not %d (hack/cluster.sh down it to recreate)", b.cluster.Name, b.nodeCount, b.cfg.nodes)
	}
	if err := b.cluster.InstallOperatorCRDs(ctx); err != nil {
		return err
	}
	cfg := rest.CopyConfig(b.cluster.Config)
	cfg.QPS, cfg.Burst = float32(b.cfg.qps), b.cfg.burst
	var err error
	if b.budget, err = client.New(cfg, client.Options{Scheme: b.cluster.Scheme}); err != nil {
		return err
	}
	// Left over from an interrupted run on a kept cluster.
	for _, ns := range []string{baselineNamespace, operatorNamespace} {
		if err := b.deleteNamespace(ctx, ns); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) apiserverRequests(ctx context.Context) (map[string]requestStats, error) {
	return apiserverRequests(ctx, b.cluster.Clientset.CoreV1().RESTClient())
}

// logAPIWrites logs what the API server wrote and read since before and
// returns the total of writes.
func (b *bench) logAPIWrites(ctx context.Context, phase string, before map[string]requestStats) (float64, error) {
	after, err := b.apiserverRequests(ctx)
	if err != nil {
		return 0, err
	}
	writes, total := requestsDelta(before, after, "POST", "PUT", "PATCH", "APPLY", "DELETE")
	logf("%s: the API server served %.0f writes: %s", phase, total, describeRequests(writes, 14))
	reads, readTotal := requestsDelta(before, after, "GET", "LIST", "WATCH")
	logf("%s: and %.0f reads: %s", phase, readTotal, describeRequests(reads, 8))
	return total, nil
}

// cleanup stops the operator and, on a cluster that outlives the run,
// removes what the benchmark created.
func (b *bench) cleanup() {
	if b.stopTracker != nil {
		b.stopTracker()
	}
	if b.op != nil {
		if err := b.op.Stop(10 * time.Second); err != nil {
			logf("stopping the operator: %v", err)
		}
		logf("operator log: %s", b.op.LogPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, ns := range []string{baselineNamespace, operatorNamespace} {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}
		if err := b.cluster.Client.Delete(ctx, ns); err != nil && !apierrors.IsNotFound(err) {
			logf("deleting namespace %s: %v", ns.Name, err)
		}
	}
}

func (b *bench) createNamespace(ctx context.Context, name string) (map[string]string, error) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := b.cluster.Client.Create(ctx, ns); err != nil {
		return nil, err
	}
	return ns.Labels, nil
}

// deleteNamespace deletes a namespace and waits until it is gone, so
// the next phase starts on a cluster that is no longer busy with it.
func (b *bench) deleteNamespace(ctx context.Context, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := b.cluster.Client.Delete(ctx, ns); apierrors.IsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	start := time.Now()
	err := wait.PollUntilContextTimeout(ctx, time.Second, 15*time.Minute, true, func(ctx context.Context) (bool, error) {
		err := b.cluster.Client.Get(ctx, client.ObjectKey{Name: name}, &corev1.Namespace{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		return fmt.Errorf("namespace %s not deleted: %w", name, err)
	}
	logf("namespace %s deleted in %s", name, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// retryTransient runs fn until it succeeds, fails for good, or five
// attempts timed out: an overloaded API server answers with timeouts
// that a client retries.
func retryTransient(ctx context.Context, fn func() error) error {
	var err error
	for range 5 {
		err = fn()
		if err == nil || ctx.Err() != nil {
			return err
		}
		if !apierrors.IsTimeout(err) && !apierrors.IsServerTimeout(err) && !apierrors.IsTooManyRequests(err) &&
			!apierrors.IsInternalError(err) && !apierrors.IsServiceUnavailable(err) {
			return err
		}
		logf("retrying after: %v", err)
	}
	return err
}

// parallel runs fn(i) for i in [0, n) on workers goroutines and returns
// the first error.
func parallel(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

func progressLogger(phase string, deployments, services int, start time.Time) func(int, int) {
	return func(available, ready int) {
		if services == 0 {
			logf("%s: %d/%d Deployments available after %s", phase, available, deployments, time.Since(start).Round(time.Second))
			return
		}
		logf("%s: %d/%d Deployments available, %d/%d ECSServices Ready after %s", phase, available, deployments, ready, services, time.Since(start).Round(time.Second))
	}
}

// runBaseline applies the rendered objects directly and returns the time
// until every Deployment is Available.
func (b *bench) runBaseline(ctx context.Context) (time.Duration, error) {
	nsLabels, err := b.createNamespace(ctx, baselineNamespace)
	if err != nil {
		return 0, err
	}
	var nodes corev1.NodeList
	if err := b.cluster.Client.List(ctx, &nodes); err != nil {
		return 0, err
	}
	ri := renderInput{namespace: baselineNamespace, namespaceLabels: nsLabels, cluster: b.clusterSpec, nodes: nodes.Items}
	docs := make([][]*unstructured.Unstructured, b.cfg.n)
	for i := range docs {
		if docs[i], err = newInstance(b.shapes, i).render(ri); err != nil {
			return 0, err
		}
	}

	trackCtx, stop := context.WithCancel(ctx)
	defer stop()
	t, err := newTracker(trackCtx, b.cluster.Config, baselineNamespace)
	if err != nil {
		return 0, err
	}
	logf("baseline: applying the objects of %d services (QPS %g, burst %d, %d workers)", b.cfg.n, b.cfg.qps, b.cfg.burst, b.cfg.workers)
	apiBefore, err := b.apiserverRequests(ctx)
	if err != nil {
		return 0, err
	}
	profileDone := b.profileCPU(ctx, "baseline")
	cpuBefore := b.cpuSnapshot()
	start := time.Now()
	err = parallel(ctx, b.cfg.n, b.cfg.workers, func(ctx context.Context, i int) error {
		for _, doc := range docs[i] {
			err := retryTransient(ctx, func() error {
				return b.budget.Apply(ctx, client.ApplyConfigurationFromUnstructured(doc),
					client.FieldOwner(baselineFieldManager), client.ForceOwnership)
			})
			if err != nil {
				return fmt.Errorf("applying %s %s: %w", doc.GetKind(), doc.GetName(), err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	b.baselineApply = time.Since(start)
	logf("baseline: applied in %s", b.baselineApply.Round(100*time.Millisecond))
	done, err := t.waitDone(ctx, b.cfg.n, 0, progressLogger("baseline", b.cfg.n, 0, start))
	if err != nil {
		return 0, err
	}
	converge := done.Sub(start)
	logf("baseline: converged in %s (%s)", converge.Round(100*time.Millisecond), t.timeline(start))
	logf("baseline: CPU seconds: %s", describeCPU(cpuBefore, b.cpuSnapshot()))
	if b.baselineAPIWrites, err = b.logAPIWrites(ctx, "baseline", apiBefore); err != nil {
		return 0, err
	}
	stop()
	if profileDone != nil {
		<-profileDone
	}
	return converge, b.deleteNamespace(ctx, baselineNamespace)
}

// startOperator starts a fresh operator process (or restarts the one
// there is) and waits until its three controllers run.
func (b *bench) startOperator(ctx context.Context) error {
	if b.op == nil {
		metricsAddr, err := freeAddr()
		if err != nil {
			return err
		}
		probeAddr, err := freeAddr()
		if err != nil {
			return err
		}
		pprofAddr := ""
		if b.cfg.pprofDir != "" {
			if pprofAddr, err = freeAddr(); err != nil {
				return err
			}
		}
		b.op, err = b.cluster.NewOperator(ctx, framework.OperatorOptions{
			Name: "bench",
			Args: operatorArgs(b.cfg, metricsAddr, probeAddr, pprofAddr),
			Env:  strings.Fields(b.cfg.operatorEnv),
		})
		if err != nil {
			return err
		}
		if b.cfg.operatorBin != "" {
			b.op.Binary = b.cfg.operatorBin
		}
		b.metrics = newMetricsClient(metricsAddr)
		b.metrics.pprofAddr = pprofAddr
	}
	before := strings.Count(b.op.Logs(), "Starting workers")
	if err := b.op.Start(); err != nil {
		return err
	}
	return wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 3*time.Minute, true, func(context.Context) (bool, error) {
		if !b.op.Running() {
			return false, fmt.Errorf("operator exited: %v\n%s", b.op.ExitErr(), b.op.LogTail(20))
		}
		return strings.Count(b.op.Logs(), "Starting workers")-before >= 3, nil
	})
}

// runOperator creates the ECS objects and measures the operator's
// convergence.
func (b *bench) runOperator(ctx context.Context) (operatorResult, error) {
	var res operatorResult
	cluster := &ecsv1.ECSCluster{ObjectMeta: metav1.ObjectMeta{Name: benchClusterName}, Spec: *b.clusterSpec}
	if err := b.cluster.Client.Create(ctx, cluster); err != nil && !apierrors.IsAlreadyExists(err) {
		return res, err
	}
	if _, err := b.createNamespace(ctx, operatorNamespace); err != nil {
		return res, err
	}
	if err := b.startOperator(ctx); err != nil {
		return res, err
	}
	trackCtx, stop := context.WithCancel(ctx)
	b.stopTracker = stop
	var err error
	if b.opTracker, err = newTracker(trackCtx, b.cluster.Config, operatorNamespace); err != nil {
		return res, err
	}

	profileDone := b.profileCPU(ctx, "operator")
	logf("operator: creating %d TaskDefinitions and ECSServices", b.cfg.n)
	apiBefore, err := b.apiserverRequests(ctx)
	if err != nil {
		return res, err
	}
	cpuBefore := b.cpuSnapshot()
	start := time.Now()
	err = parallel(ctx, b.cfg.n, b.cfg.workers, func(ctx context.Context, i int) error {
		td, svc := newInstance(b.shapes, i).objects(operatorNamespace)
		for _, obj := range []client.Object{td, svc} {
			err := retryTransient(ctx, func() error {
				err := b.budget.Create(ctx, obj)
				if apierrors.IsAlreadyExists(err) {
					return nil // an earlier attempt timed out after it succeeded
				}
				return err
			})
			if err != nil {
				return fmt.Errorf("creating %T %s: %w", obj, obj.GetName(), err)
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res.create = time.Since(start)
	logf("operator: created in %s", res.create.Round(100*time.Millisecond))
	done, err := b.opTracker.waitDone(ctx, b.cfg.n, b.cfg.n, progressLogger("operator", b.cfg.n, b.cfg.n, start))
	if err != nil {
		return res, fmt.Errorf("%w\noperator log tail:\n%s", err, b.op.LogTail(20))
	}
	res.converge = done.Sub(start)
	logf("operator: converged in %s (%s)", res.converge.Round(100*time.Millisecond), b.opTracker.timeline(start))
	logf("operator: CPU seconds: %s", describeCPU(cpuBefore, b.cpuSnapshot()))

	samples, err := b.metrics.scrape(ctx)
	if err != nil {
		return res, err
	}
	res.writes = writeRequests(samples)
	logf("operator: %d write requests during convergence (%s)", res.writes, writesByMethod(samples))
	logf("operator: %s", describeOperator(samples))
	if res.apiWrites, err = b.logAPIWrites(ctx, "operator", apiBefore); err != nil {
		return res, err
	}
	if res.rssMiB, err = peakRSSMiB(b.op.Pid()); err != nil {
		return res, err
	}
	if profileDone != nil {
		<-profileDone
		b.saveProfile(ctx, "heap.pprof", b.operatorProfile("heap"))
	}
	return res, nil
}

// measureUpdates changes desiredCount of a sample of services, ten per
// second, and measures how long until each Deployment carries the new
// replica count; then it waits for the set to converge again.
func (b *bench) measureUpdates(ctx context.Context) ([]time.Duration, error) {
	logf("update latency: changing desiredCount of %d services", b.cfg.updates)
	type result struct {
		name    string
		latency time.Duration
		err     error
	}
	results := make(chan result, b.cfg.updates)
	pace := time.NewTicker(100 * time.Millisecond)
	defer pace.Stop()
	for k := range b.cfg.updates {
		name := newInstance(b.shapes, k*b.cfg.n/b.cfg.updates).name
		current, ok := b.opTracker.deploymentReplicas(name)
		if !ok {
			return nil, fmt.Errorf("no Deployment %s", name)
		}
		target := current + 1
		seen := b.opTracker.awaitReplicas(name, target)
		patch := fmt.Appendf(nil, `{"spec":{"desiredCount":%d}}`, target)
		sent := time.Now()
		svc := &ecsv1.ECSService{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNamespace, Name: name}}
		if err := b.budget.Patch(ctx, svc, client.RawPatch(types.MergePatchType, patch)); err != nil {
			return nil, fmt.Errorf("updating %s: %w", name, err)
		}
		go func() {
			select {
			case at := <-seen:
				results <- result{name: name, latency: at.Sub(sent)}
			case <-time.After(2 * time.Minute):
				results <- result{name: name, err: fmt.Errorf("Deployment %s did not reach %d replicas within 2m", name, target)}
			case <-ctx.Done():
				results <- result{name: name, err: ctx.Err()}
			}
		}()
		select {
		case <-pace.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var latencies []time.Duration
	for range b.cfg.updates {
		r := <-results
		if r.err != nil {
			return nil, r.err
		}
		latencies = append(latencies, r.latency)
	}
	start := time.Now()
	if _, err := b.opTracker.waitDone(ctx, b.cfg.n, b.cfg.n, progressLogger("after updates", b.cfg.n, b.cfg.n, start)); err != nil {
		return nil, err
	}
	logf("update latency: p50 %.0f ms, p99 %.0f ms; converged again in %s", percentile(latencies, 0.5), percentile(latencies, 0.99),
		time.Since(start).Round(100*time.Millisecond))
	return latencies, nil
}

// measureResync restarts the operator on the converged set, which makes
// it reconcile every object from scratch (a full resync with cold caches),
// and counts its write requests until it is idle. The operator is first
// left to finish what it has (delayed writes of counts, late events), so
// that only the resync is counted.
func (b *bench) measureResync(ctx context.Context) (resyncResult, error) {
	var res resyncResult
	if _, _, err := b.waitIdle(ctx, nil); err != nil {
		return res, fmt.Errorf("operator did not go idle before the restart: %w", err)
	}
	if err := b.op.Stop(30 * time.Second); err != nil {
		return res, err
	}
	start := time.Now()
	if err := b.startOperator(ctx); err != nil {
		return res, err
	}
	// Every object reconciled at least once since the restart.
	caughtUp := func(samples []sample) bool {
		return reconciles(samples, "ecsservice") >= float64(b.cfg.n) && reconciles(samples, "taskdefinition") >= float64(b.cfg.n) &&
			reconciles(samples, "ecscluster") >= 1
	}
	samples, idleSince, err := b.waitIdle(ctx, caughtUp)
	if err != nil {
		return res, fmt.Errorf("operator did not go idle after the restart: %w", err)
	}
	res.duration = idleSince.Sub(start)
	res.writes = writeRequests(samples)
	logf("resync: every object reconciled in %s with %d write requests (%s)", res.duration.Round(100*time.Millisecond), res.writes, writesByMethod(samples))
	if res.writes > 0 {
		logf("resync: operator log tail:\n%s", b.op.LogTail(20))
	}
	res.rssMiB, err = peakRSSMiB(b.op.Pid())
	return res, err
}

// idleQuiet is how long the operator must do nothing to count as idle:
// longer than its delayed writes (cluster counts after 1 s, held-back
// task counts after at most 2 s).
const idleQuiet = 5 * time.Second

// waitIdle waits until the operator's work queues are empty and neither
// its reconcile count nor its write count moved for idleQuiet (and ready,
// when given, holds). It returns the last metrics and when the quiet
// began.
func (b *bench) waitIdle(ctx context.Context, ready func([]sample) bool) ([]sample, time.Time, error) {
	var idleSince time.Time
	var samples []sample
	last := -1.0
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 10*time.Minute, true, func(ctx context.Context) (bool, error) {
		var err error
		if samples, err = b.metrics.scrape(ctx); err != nil {
			return false, nil
		}
		activity := reconciles(samples, "") + float64(writeRequests(samples))
		quiet := activity == last && sum(samples, "workqueue_depth", nil) == 0 && (ready == nil || ready(samples))
		last = activity
		if !quiet {
			idleSince = time.Time{}
			return false, nil
		}
		if idleSince.IsZero() {
			idleSince = time.Now()
		}
		return time.Since(idleSince) >= idleQuiet, nil
	})
	return samples, idleSince, err
}

// reconciles is controller_runtime_reconcile_total of one controller
// ("" for all of them).
func reconciles(samples []sample, controller string) float64 {
	if controller == "" {
		return sum(samples, "controller_runtime_reconcile_total", nil)
	}
	return sum(samples, "controller_runtime_reconcile_total", map[string][]string{"controller": {controller}})
}

// profileCPU starts, when -pprof is set, CPU profiles of the operator
// (unless phase is the baseline) and of the API server, which bounds both
// phases; the returned channel is closed when they are written.
func (b *bench) profileCPU(ctx context.Context, phase string) <-chan struct{} {
	if b.cfg.pprofDir == "" {
		return nil
	}
	var wg sync.WaitGroup
	if phase != "baseline" {
		wg.Go(func() {
			b.saveProfile(ctx, "cpu.pprof", b.operatorProfile("profile?seconds=60"))
		})
	}
	wg.Go(func() {
		b.saveProfile(ctx, "apiserver-"+phase+".pprof", func(ctx context.Context) (io.ReadCloser, error) {
			return b.cluster.Clientset.CoreV1().RESTClient().Get().AbsPath("/debug/pprof/profile").Param("seconds", "30").Stream(ctx)
		})
	})
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	return done
}

// operatorProfile fetches one of the operator's pprof endpoints.
func (b *bench) operatorProfile(endpoint string) func(ctx context.Context) (io.ReadCloser, error) {
	return func(ctx context.Context) (io.ReadCloser, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+b.metrics.pprofAddr+"/debug/pprof/"+endpoint, nil)
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		return resp.Body, nil
	}
}

// saveProfile writes what fetch returns to file in the -pprof directory.
func (b *bench) saveProfile(ctx context.Context, file string, fetch func(context.Context) (io.ReadCloser, error)) {
	if err := os.MkdirAll(b.cfg.pprofDir, 0o755); err != nil {
		logf("pprof: %v", err)
		return
	}
	body, err := fetch(ctx)
	if err != nil {
		logf("pprof: %s: %v", file, err)
		return
	}
	defer body.Close()
	path := filepath.Join(b.cfg.pprofDir, file)
	f, err := os.Create(path)
	if err != nil {
		logf("pprof: %v", err)
		return
	}
	defer f.Close()
	if _, err := io.Copy(f, body); err != nil {
		logf("pprof: %v", err)
		return
	}
	logf("pprof: wrote %s", path)
}
