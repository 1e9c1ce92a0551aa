// Command bench measures the operator against applying the same objects
// by hand, on the local kwok cluster (real kube-apiserver, scheduler and
// controller-manager without client QPS limits, 100 fake nodes):
//
//	go run ./hack/bench -n 100      (make bench N=100)
//
// In one run, on one cluster:
//
//  1. baseline: the objects the operator would apply for N services
//     (internal/translate output for shapes drawn from the ECS corpus,
//     hack/bench/testdata) are server-side applied directly, with the
//     operator's client budget (QPS, burst, parallel workers), and timed
//     until every Deployment is Available;
//  2. operator: N TaskDefinitions and N ECSServices of the same shapes are
//     created with that same budget, and timed until every Deployment is
//     Available and every ECSService Ready;
//  3. update latency: a sample of ECSServices get a new desiredCount; the
//     time until their Deployment carries it;
//  4. resync: the operator is restarted on the converged set and its write
//     requests are counted (from its own metrics) until it is idle.
//
// Figures are printed one per line, `name value`, ending with
// convergence_ratio, resync_writes, rss_mib, update_p99_ms and
// translate_per_s. Progress goes to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/ecs-operator/ecs-operator/test/e2e/framework"
)

// config is the command line.
type config struct {
	n             int
	nodes         int
	clusterName   string
	instanceTypes string
	keepCluster   bool
	qps           float64
	burst         int
	workers       int
	updates       int
	pprofDir      string
	timeout       time.Duration
	skipBaseline  bool
	operatorArgs  string
	operatorBin   string
	operatorEnv   string
	writeCosts    bool
}

func main() {
	var cfg config
	flag.IntVar(&cfg.n, "n", 100, "Number of services (each with its task definition).")
	flag.IntVar(&cfg.nodes, "nodes", 100, "Fake nodes of the benchmark cluster (when the benchmark starts it).")
	flag.StringVar(&cfg.clusterName, "cluster", "ecs-operator-bench", "hack/cluster.sh cluster name; a running cluster of that name is reused and kept.")
	flag.StringVar(&cfg.instanceTypes, "instance-types", "m5.4xlarge c5.4xlarge m6g.4xlarge c6g.4xlarge",
		"EC2 instance types of the fake nodes: room for the pods of N=1000 services (about 2000 pods, 650 vCPUs).")
	flag.BoolVar(&cfg.keepCluster, "keep-cluster", false, "Keep the cluster the benchmark started (hack/cluster.sh down to delete it).")
	// The operator's defaults (main.go); both sides get the same budget.
	flag.Float64Var(&cfg.qps, "qps", 200, "Client QPS of the operator (--kube-api-qps) and of the baseline.")
	flag.IntVar(&cfg.burst, "burst", 400, "Client burst of the operator (--kube-api-burst) and of the baseline.")
	flag.IntVar(&cfg.workers, "workers", 32, "Parallel reconciles per kind (--max-concurrent-reconciles) and parallel baseline appliers.")
	flag.IntVar(&cfg.updates, "updates", 100, "Services in the update latency sample (at most N).")
	flag.StringVar(&cfg.pprofDir, "pprof", "", "Write CPU and heap profiles of the operator's convergence to this directory.")
	flag.DurationVar(&cfg.timeout, "timeout", 30*time.Minute, "Give up after this long.")
	flag.BoolVar(&cfg.skipBaseline, "skip-baseline", false, "Measure the operator only (no convergence_ratio); for profiling.")
	flag.StringVar(&cfg.operatorArgs, "operator-args", "", "Extra operator flags, space separated (e.g. --zap-log-level=6 logs every API request).")
	flag.StringVar(&cfg.operatorBin, "operator-binary", "", "Run this operator binary instead of building the repository's.")
	flag.StringVar(&cfg.operatorEnv, "operator-env", "",
		"Extra environment of the operator, space separated; GOMEMLIMIT=115MiB runs it as in a container with a 128Mi memory limit (the operator sets 90 % of its cgroup's limit).")
	flag.BoolVar(&cfg.writeCosts, "write-costs", false, "Measure instead what each kind of write request costs the API server and etcd in CPU (N requests of each).")
	flag.Parse()
	if cfg.n < 1 {
		fail(errors.New("-n must be at least 1"))
	}
	cfg.updates = min(cfg.updates, cfg.n)

	// The tracker's informers log through controller-runtime.
	ctrllog.SetLogger(zap.New(zap.WriteTo(io.Discard)))
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, cfg.timeout)
	defer cancelTimeout()
	if err := run(ctx, cfg); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "bench: %v\n", err)
	os.Exit(1)
}

// logf reports progress on stderr; stdout carries only figures.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// figure prints one result line.
func figure(name string, value float64, decimals int) {
	fmt.Printf("%s %.*f\n", name, decimals, value)
}

func run(ctx context.Context, cfg config) (err error) {
	shapes, clusterSpec, err := loadShapes()
	if err != nil {
		return err
	}
	// In-process first, before the cluster loads the machine.
	translateRate, err := translateBenchmark(shapes, clusterSpec)
	if err != nil {
		return err
	}

	cluster, err := setupCluster(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if err := cluster.Teardown(); err != nil {
			logf("teardown: %v", err)
		}
	}()

	// A control-plane process that dies (the controller manager gives up
	// when the API server is slow to renew its lease) would stall every
	// rollout and make the figures meaningless: stop at once.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go watchControlPlane(ctx, cluster, cancel)

	loadStart := loadAverage()
	b := &bench{cfg: cfg, cluster: cluster, shapes: shapes, clusterSpec: clusterSpec}
	if err := b.prepare(ctx); err != nil {
		return err
	}
	defer b.cleanup()
	defer func() {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			err = cause
		}
	}()

	if cfg.writeCosts {
		return b.measureWriteCosts(ctx, cfg.n)
	}
	var baseline time.Duration
	if !cfg.skipBaseline {
		if baseline, err = b.runBaseline(ctx); err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
	}
	op, err := b.runOperator(ctx)
	if err != nil {
		return fmt.Errorf("operator: %w", err)
	}
	updates, err := b.measureUpdates(ctx)
	if err != nil {
		return fmt.Errorf("update latency: %w", err)
	}
	resync, err := b.measureResync(ctx)
	if err != nil {
		return fmt.Errorf("resync: %w", err)
	}

	figure("services", float64(cfg.n), 0)
	figure("nodes", float64(b.nodeCount), 0)
	// The machine's load, for reading the timings: other work slows both
	// sides alike only while it stays the same.
	figure("load_avg_start", loadStart, 1)
	figure("load_avg_end", loadAverage(), 1)
	if !cfg.skipBaseline {
		figure("baseline_apply_s", b.baselineApply.Seconds(), 1)
		figure("baseline_converge_s", baseline.Seconds(), 1)
		figure("baseline_apiserver_writes", b.baselineAPIWrites, 0)
	}
	figure("operator_create_s", op.create.Seconds(), 1)
	figure("operator_converge_s", op.converge.Seconds(), 1)
	figure("operator_writes", float64(op.writes), 0)
	figure("operator_apiserver_writes", op.apiWrites, 0)
	figure("update_p50_ms", percentile(updates, 0.50), 0)
	figure("resync_s", resync.duration.Seconds(), 1)
	rss := math.Max(op.rssMiB, resync.rssMiB)
	if !cfg.skipBaseline {
		figure("convergence_ratio", op.converge.Seconds()/baseline.Seconds(), 2)
	}
	figure("resync_writes", float64(resync.writes), 0)
	figure("rss_mib", rss, 0)
	figure("update_p99_ms", percentile(updates, 0.99), 0)
	figure("translate_per_s", translateRate, 0)
	return nil
}

// setupCluster starts (or reuses) the benchmark's kwok cluster through
// the e2e framework: a cluster of its own, so other users of the default
// test cluster are neither slowed down nor measured.
func setupCluster(ctx context.Context, cfg config) (*framework.Cluster, error) {
	for _, v := range []string{"E2E_KUBECONFIG", "KUBECONFIG"} {
		os.Unsetenv(v)
	}
	env := map[string]string{
		"E2E_CLUSTER_NAME":   cfg.clusterName,
		"NODES":              fmt.Sprint(cfg.nodes),
		"INSTANCE_TYPES":     cfg.instanceTypes,
		"DISABLE_QPS_LIMITS": "1",
	}
	if cfg.keepCluster {
		env["E2E_KEEP_CLUSTER"] = "1"
	}
	for k, v := range env {
		os.Setenv(k, v)
	}
	start := time.Now()
	c, err := framework.Setup(ctx)
	if err != nil {
		return nil, err
	}
	logf("cluster %s ready in %s", c.Name, time.Since(start).Round(100*time.Millisecond))
	return c, nil
}

// watchControlPlane cancels ctx when a control-plane process of the
// cluster is no longer running.
func watchControlPlane(ctx context.Context, cluster *framework.Cluster, cancel context.CancelCauseFunc) {
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		alive, err := cluster.Components()
		if err != nil {
			continue
		}
		for name, ok := range alive {
			if !ok {
				cancel(fmt.Errorf("control-plane process %s of cluster %s died (see its log under the kwok workdir); the run is void", name, cluster.Name))
				return
			}
		}
	}
}

// loadAverage is the one-minute load average of the machine.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return math.NaN()
	}
	var load float64
	fmt.Sscan(string(data), &load)
	return load
}

// percentile of durations in milliseconds (nearest rank).
func percentile(samples []time.Duration, p float64) float64 {
	if len(samples) == 0 {
		return math.NaN()
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	rank := int(math.Ceil(p*float64(len(sorted)))) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return float64(sorted[rank].Microseconds()) / 1000
}

// operatorArgs are the flags every operator process of the benchmark
// gets.
func operatorArgs(cfg config, metricsAddr, probeAddr, pprofAddr string) []string {
	args := []string{
		"--metrics-bind-address=" + metricsAddr,
		"--metrics-secure=false",
		"--health-probe-bind-address=" + probeAddr,
		"--leader-elect=false",
		fmt.Sprintf("--kube-api-qps=%g", cfg.qps),
		fmt.Sprintf("--kube-api-burst=%d", cfg.burst),
		fmt.Sprintf("--max-concurrent-reconciles=%d", cfg.workers),
		"--zap-log-level=info",
	}
	if pprofAddr != "" {
		args = append(args, "--pprof-bind-address="+pprofAddr)
	}
	return append(args, strings.Fields(cfg.operatorArgs)...)
}
