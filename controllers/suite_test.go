package controllers

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// operatorEnv is a test API server with the operator running against it
// in-process, its requests counted.
type operatorEnv struct {
	env    *testenv.Env
	mgr    ctrl.Manager
	writes *writeCounter
	cancel context.CancelFunc
	done   chan error
}

// writeCounter counts the operator's write requests (anything but GET:
// list and watch are GETs too).
type writeCounter struct {
	total atomic.Int64
	mu    sync.Mutex
	log   []string
}

func (w *writeCounter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		if req.Method != http.MethodGet {
			w.total.Add(1)
			w.mu.Lock()
			w.log = append(w.log, req.Method+" "+req.URL.Path)
			w.mu.Unlock()
		}
		return rt.RoundTrip(req)
	})
}

// since returns the writes made after a mark.
func (w *writeCounter) since(mark int) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.log[mark:]...)
}

func (w *writeCounter) mark() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.log)
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

var (
	// env has every integration CRD installed; the operator runs in it.
	env *operatorEnv
	// k8s is the test's own client (not counted).
	k8s client.Client
)

func TestMain(m *testing.M) {
	logs := io.Discard
	if os.Getenv("TEST_OPERATOR_LOGS") != "" {
		logs = os.Stderr
	}
	ctrl.SetLogger(zap.New(zap.UseDevMode(true), zap.WriteTo(logs)))
	var err error
	env, err = startOperator(testenv.Options{Integrations: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the test environment:", err)
		os.Exit(1)
	}
	k8s = env.env.Client
	code := m.Run()
	env.stop()
	os.Exit(code)
}

// startOperator starts an API server and the operator's manager, wired as
// main.go wires it.
func startOperator(opts testenv.Options) (*operatorEnv, error) {
	e, err := testenv.Start(opts)
	if err != nil {
		return nil, err
	}
	writes := &writeCounter{}
	cfg := rest.CopyConfig(e.Config)
	cfg.WrapTransport = writes.wrap
	cfg.QPS, cfg.Burst = 200, 400
	mgrOpts := ctrl.Options{
		Scheme:                 e.Scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		// Tests may run a second operator in the same process.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	}
	ConfigureManager(&mgrOpts)
	mgr, err := ctrl.NewManager(cfg, mgrOpts)
	if err != nil {
		_ = e.Stop()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := Setup(ctx, mgr, Options{MaxConcurrentReconciles: 2}); err != nil {
		cancel()
		_ = e.Stop()
		return nil, err
	}
	oe := &operatorEnv{env: e, mgr: mgr, writes: writes, cancel: cancel, done: make(chan error, 1)}
	go func() { oe.done <- mgr.Start(ctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		oe.stop()
		return nil, fmt.Errorf("the manager's cache did not sync")
	}
	return oe, nil
}

func (oe *operatorEnv) stop() {
	oe.cancel()
	select {
	case <-oe.done:
	case <-time.After(30 * time.Second):
	}
	_ = oe.env.Stop()
}

// newNamespace creates a namespace for one test.
func newNamespace(t *testing.T, c client.Client) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "test-"}}
	if err := c.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

// eventually retries check until it returns nil or the time is up.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if err = check(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: %v", what, err)
}
