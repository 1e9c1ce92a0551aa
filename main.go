// Command ecs-operator runs the controllers that keep ServiceAccounts,
// Deployments, DaemonSets, Services, Ingresses and the rest in step with
// ECS-shaped ECSCluster, TaskDefinition and ECSService objects.
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	_ "k8s.io/client-go/plugin/pkg/client/auth"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/controllers"
)

var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(ecsv1.AddToScheme(scheme))
}

// options are the command-line settings of the operator.
type options struct {
	metricsAddr             string
	secureMetrics           bool
	enableHTTP2             bool
	probeAddr               string
	leaderElect             bool
	leaderElectionID        string
	leaderElectionNamespace string
	leaseDuration           time.Duration
	renewDeadline           time.Duration
	retryPeriod             time.Duration
	pprofAddr               string
	qps                     float64
	burst                   int
	concurrency             int
	watchNamespaces         string
}

func main() {
	var opts options
	flag.StringVar(&opts.metricsAddr, "metrics-bind-address", ":8443",
		"Address the metrics endpoint binds to (:8443 for HTTPS, :8080 for HTTP, 0 to disable).")
	flag.BoolVar(&opts.secureMetrics, "metrics-secure", true,
		"Serve metrics over HTTPS with Kubernetes authentication and authorization.")
	flag.BoolVar(&opts.enableHTTP2, "enable-http2", false,
		"Enable HTTP/2 for the metrics server (off by default: HTTP/2 Rapid Reset, CVE-2023-44487).")
	flag.StringVar(&opts.probeAddr, "health-probe-bind-address", ":8081", "Address the health and readiness probes bind to.")
	flag.BoolVar(&opts.leaderElect, "leader-elect", false,
		"Elect a leader so that only one replica reconciles at a time.")
	flag.StringVar(&opts.leaderElectionID, "leader-election-id", "ecs-operator.ecs.operator.dev", "Name of the leader election Lease.")
	flag.StringVar(&opts.leaderElectionNamespace, "leader-election-namespace", "",
		"Namespace of the leader election Lease (default: the namespace the operator runs in).")
	// A replica that dies without releasing the lease (kill -9, node
	// loss) is replaced once the lease expires: at most leaseDuration plus
	// about two retry periods (a follower notices the last renewal up to
	// one retry late and tries again one retry after expiry), plus the
	// API server's answer. 8s/6s/1s keeps that near 10 s, measured up to
	// 12 s on a loaded test machine with 10s/7s/1s; the client-go defaults
	// (15s/10s/2s) take up to about 20 s. The 2 s between renew deadline
	// and lease duration is the margin in which a leader that cannot renew
	// has stopped before another one starts.
	flag.DurationVar(&opts.leaseDuration, "leader-elect-lease-duration", 8*time.Second,
		"How long followers wait after the last renewal before taking over leadership.")
	flag.DurationVar(&opts.renewDeadline, "leader-elect-renew-deadline", 6*time.Second,
		"How long the leader keeps trying to renew before it gives up leadership (less than the lease duration).")
	flag.DurationVar(&opts.retryPeriod, "leader-elect-retry-period", time.Second,
		"How often the leader renews and followers try to acquire the lease.")
	flag.StringVar(&opts.pprofAddr, "pprof-bind-address", "",
		"Address that serves Go pprof profiles (e.g. 127.0.0.1:6060; empty disables it). Profiles reveal internals: bind to localhost.")
	// A reconcile spends its time waiting for the API server (a few
	// sequential writes), not computing: with 4 workers a rollout of a
	// hundred services queued for tens of seconds behind busy workers
	// (make bench). 32 workers keep a large rollout moving; 200 QPS
	// leaves them room while a converged set needs no requests at all.
	flag.Float64Var(&opts.qps, "kube-api-qps", 200, "Queries per second to the Kubernetes API server.")
	flag.IntVar(&opts.burst, "kube-api-burst", 400, "Burst of queries to the Kubernetes API server.")
	flag.IntVar(&opts.concurrency, "max-concurrent-reconciles", 32, "Objects of each kind reconciled in parallel.")
	flag.StringVar(&opts.watchNamespaces, "watch-namespaces", "",
		"Comma-separated namespaces to watch for TaskDefinitions and ECSServices (default: all).")
	zapOpts := zap.Options{Development: false}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	setMemoryLimit()

	if err := run(opts); err != nil {
		ctrl.Log.WithName("setup").Error(err, "operator stopped")
		os.Exit(1)
	}
}

// setMemoryLimit gives the Go runtime a soft memory limit of 90 % of the
// container's (its cgroup's) memory limit, unless GOMEMLIMIT is set.
// Without one the heap grows to twice what is live before a collection,
// so a large cluster's operator would be killed by the kernel while most
// of its memory is garbage; with one the collector runs more often as
// the limit nears. Outside a memory-limited cgroup nothing changes.
func setMemoryLimit() {
	log := ctrl.Log.WithName("setup")
	limit, err := memlimit.Set(memlimit.WithRatio(0.9), memlimit.WithLogger(slog.New(logr.ToSlogHandler(log.V(1)))))
	if err != nil {
		log.Info("no soft memory limit from the cgroup", "reason", err.Error())
		return
	}
	if limit > 0 && limit < math.MaxInt64 {
		log.Info("soft memory limit", "bytes", limit)
	}
}

func run(opts options) error {
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("loading kubeconfig: %w", err)
	}
	cfg.QPS = float32(opts.qps)
	cfg.Burst = opts.burst
	cfg.UserAgent = "ecs-operator"
	ctx := ctrl.SetupSignalHandler()
	if err := waitForAPI(ctx, cfg, apiWaitTimeout, time.Second); err != nil {
		return err
	}

	var tlsOpts []func(*tls.Config)
	if !opts.enableHTTP2 {
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	metricsOpts := metricsserver.Options{
		BindAddress:   opts.metricsAddr,
		SecureServing: opts.secureMetrics,
		TLSOpts:       tlsOpts,
	}
	if opts.secureMetrics {
		metricsOpts.FilterProvider = filters.WithAuthenticationAndAuthorization
	}

	mgrOpts := ctrl.Options{
		Scheme:                        scheme,
		Metrics:                       metricsOpts,
		HealthProbeBindAddress:        opts.probeAddr,
		LeaderElection:                opts.leaderElect,
		LeaderElectionID:              opts.leaderElectionID,
		LeaderElectionNamespace:       opts.leaderElectionNamespace,
		LeaderElectionReleaseOnCancel: true,
		LeaseDuration:                 &opts.leaseDuration,
		RenewDeadline:                 &opts.renewDeadline,
		RetryPeriod:                   &opts.retryPeriod,
		PprofBindAddress:              opts.pprofAddr,
		Cache:                         cache.Options{DefaultNamespaces: namespaceConfig(opts.watchNamespaces)},
	}
	controllers.ConfigureManager(&mgrOpts)
	mgr, err := ctrl.NewManager(cfg, mgrOpts)
	if err != nil {
		return fmt.Errorf("creating manager: %w", err)
	}
	if err := controllers.Setup(ctx, mgr, controllers.Options{MaxConcurrentReconciles: opts.concurrency}); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return fmt.Errorf("adding health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return fmt.Errorf("adding readiness check: %w", err)
	}
	ctrl.Log.WithName("setup").Info("starting ecs-operator")
	return mgr.Start(ctx)
}

// apiWaitTimeout is how long the operator waits at start for the API
// server to serve its kinds.
const apiWaitTimeout = 2 * time.Minute

// servedResources are the resources of ecsv1.GroupVersion the operator
// needs.
var servedResources = []string{"ecsclusters", "taskdefinitions", "ecsservices"}

// waitForAPI waits until the API server serves the operator's kinds. The
// CRDs and the operator are often applied together (kubectl apply -k,
// a GitOps sync); a new CRD takes a moment to be served, and a manager
// created before then cannot map the kinds and exits, which a Deployment
// turns into restarts with growing back-off.
func waitForAPI(ctx context.Context, cfg *rest.Config, timeout, interval time.Duration) error {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	log := ctrl.Log.WithName("setup")
	var missing error
	logged := ""
	err = wait.PollUntilContextTimeout(ctx, interval, timeout, true, func(context.Context) (bool, error) {
		list, err := dc.ServerResourcesForGroupVersion(ecsv1.GroupVersion.String())
		if err != nil {
			missing = err
		} else {
			missing = nil
			for _, name := range servedResources {
				if !slices.ContainsFunc(list.APIResources, func(r metav1.APIResource) bool { return r.Name == name }) {
					missing = fmt.Errorf("%s not served yet", name)
					break
				}
			}
		}
		if missing != nil && missing.Error() != logged {
			logged = missing.Error()
			log.Info("waiting for the API server to serve the operator's kinds", "groupVersion", ecsv1.GroupVersion.String(), "reason", logged)
		}
		return missing == nil, nil
	})
	if err != nil {
		return fmt.Errorf("the API server does not serve %s after %s (are the operator's CRDs installed?): %w", ecsv1.GroupVersion, timeout, missing)
	}
	return nil
}

// namespaceConfig turns "a,b" into the cache's per-namespace settings; an
// empty list means all namespaces.
func namespaceConfig(list string) map[string]cache.Config {
	var namespaces map[string]cache.Config
	for _, ns := range strings.Split(list, ",") {
		if ns = strings.TrimSpace(ns); ns == "" {
			continue
		}
		if namespaces == nil {
			namespaces = map[string]cache.Config{}
		}
		namespaces[ns] = cache.Config{}
	}
	return namespaces
}
