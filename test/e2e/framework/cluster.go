// Package framework runs end-to-end tests against a real Kubernetes control
// plane: the local kwok cluster of hack/cluster.sh (real kube-apiserver,
// kube-controller-manager and kube-scheduler, fake nodes), or any cluster
// with kwok fake nodes that a kubeconfig points at.
//
// A test package starts it once in TestMain:
//
//	var cluster *framework.Cluster
//
//	func TestMain(m *testing.M) { os.Exit(framework.Run(m, &cluster)) }
//
// Which cluster is used:
//   - E2E_KUBECONFIG, else KUBECONFIG: that cluster; it is never started or
//     deleted. It must have kwok fake nodes (E2E_ALLOW_ANY_CLUSTER=1 skips
//     the check), so a kubeconfig left pointing at a real cluster is not
//     filled with test objects.
//   - otherwise the cluster E2E_CLUSTER_NAME (default CLUSTER_NAME, else
//     ecs-operator) of hack/cluster.sh: reused when it is running, else
//     started and, unless E2E_KEEP_CLUSTER=1, deleted when the tests end.
package framework

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/procfs"
	corev1 "k8s.io/api/core/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// KwokNodeAnnotation marks the nodes kwok manages.
const KwokNodeAnnotation = "kwok.x-k8s.io/node"

// FieldOwner is the server-side apply field manager of objects the tests
// create.
const FieldOwner = "ecs-operator-e2e"

// Cluster is a connection to the e2e cluster.
type Cluster struct {
	// Name is the hack/cluster.sh cluster name; empty when the kubeconfig
	// is not one of its clusters (then RestartComponent is unavailable).
	Name       string
	Kubeconfig string
	// BinDir holds the pinned kubectl, helm and control-plane binaries.
	BinDir    string
	Config    *rest.Config
	Client    client.Client
	Clientset kubernetes.Interface
	Scheme    *k8sruntime.Scheme

	// started: this process created the cluster, so Teardown deletes it.
	started bool
	// buildDir holds operator binaries built by BuildOperator.
	buildDir string
}

// Run connects to (or starts) the cluster, stores it in *cluster, runs the
// tests and tears down what it started. It returns the exit code for
// os.Exit.
func Run(m *testing.M, cluster **Cluster) int {
	c, err := Setup(context.Background())
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	*cluster = c
	code := m.Run()
	if err := c.Teardown(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Setup connects to the cluster chosen as the package comment describes,
// starting it when needed.
func Setup(ctx context.Context) (*Cluster, error) {
	bin, err := runScript(ctx, nil, "testbed.sh")
	if err != nil {
		return nil, err
	}
	c := &Cluster{BinDir: bin, Scheme: testenv.Scheme()}

	kubeconfig := os.Getenv("E2E_KUBECONFIG")
	if kubeconfig == "" {
		kubeconfig = os.Getenv("KUBECONFIG")
	}
	if kubeconfig != "" {
		c.Kubeconfig = kubeconfig
		c.Name = clusterNameOf(kubeconfig, kwokWorkdir())
	} else {
		c.Name = clusterName()
		env := []string{"CLUSTER_NAME=" + c.Name}
		if _, err := runScript(ctx, env, "cluster.sh", "status"); err != nil {
			start := time.Now()
			fmt.Fprintf(os.Stderr, "e2e: starting cluster %s (hack/cluster.sh up)\n", c.Name)
			c.started = true
			if c.Kubeconfig, err = runScript(ctx, env, "cluster.sh", "up"); err != nil {
				return nil, err
			}
			fmt.Fprintf(os.Stderr, "e2e: cluster %s up in %s\n", c.Name, time.Since(start).Round(100*time.Millisecond))
		} else if c.Kubeconfig, err = runScript(ctx, env, "cluster.sh", "kubeconfig"); err != nil {
			return nil, err
		}
	}

	if err := c.connect(); err != nil {
		_ = c.Teardown()
		return nil, err
	}
	if os.Getenv("E2E_ALLOW_ANY_CLUSTER") != "1" {
		if err := c.requireKwokNodes(ctx); err != nil {
			_ = c.Teardown()
			return nil, err
		}
	}
	return c, nil
}

func (c *Cluster) connect() error {
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		return fmt.Errorf("loading kubeconfig %s: %w", c.Kubeconfig, err)
	}
	// The tests create many objects and poll; client-go's default 5 QPS
	// would make them measure the client's rate limiter.
	cfg.QPS, cfg.Burst = 200, 400
	c.Config = cfg
	if c.Client, err = client.New(cfg, client.Options{Scheme: c.Scheme}); err != nil {
		return err
	}
	c.Clientset, err = kubernetes.NewForConfig(cfg)
	return err
}

func (c *Cluster) requireKwokNodes(ctx context.Context) error {
	var nodes corev1.NodeList
	if err := c.Client.List(ctx, &nodes); err != nil {
		return fmt.Errorf("listing nodes of %s: %w", c.Kubeconfig, err)
	}
	for _, n := range nodes.Items {
		if _, ok := n.Annotations[KwokNodeAnnotation]; ok {
			return nil
		}
	}
	return fmt.Errorf("%s points at a cluster without kwok fake nodes; unset KUBECONFIG to let the tests start hack/cluster.sh, "+
		"set E2E_KUBECONFIG to a test cluster, or E2E_ALLOW_ANY_CLUSTER=1", c.Kubeconfig)
}

// Teardown deletes the cluster when Setup started it (unless
// E2E_KEEP_CLUSTER=1) and removes built binaries.
func (c *Cluster) Teardown() error {
	var errs []error
	if c.buildDir != "" {
		errs = append(errs, os.RemoveAll(c.buildDir))
	}
	if c.started {
		if os.Getenv("E2E_KEEP_CLUSTER") == "1" {
			fmt.Fprintf(os.Stderr, "e2e: keeping cluster %s: KUBECONFIG=%s (hack/cluster.sh down to delete it)\n", c.Name, c.Kubeconfig)
		} else {
			_, err := runScript(context.Background(), []string{"CLUSTER_NAME=" + c.Name}, "cluster.sh", "down")
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Kubectl runs the pinned kubectl against the cluster and returns its
// standard output.
func (c *Cluster) Kubectl(ctx context.Context, args ...string) (string, error) {
	return c.runBinary(ctx, "kubectl", args...)
}

// Helm runs the pinned helm against the cluster and returns its standard
// output.
func (c *Cluster) Helm(ctx context.Context, args ...string) (string, error) {
	return c.runBinary(ctx, "helm", args...)
}

func (c *Cluster) runBinary(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, name), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.Kubeconfig)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// RestartComponent kills one control-plane component (etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler or
// kwok-controller) with signal (e.g. "KILL", "TERM") and starts it again;
// it returns once the component's process is back.
func (c *Cluster) RestartComponent(ctx context.Context, component, signal string) error {
	if c.Name == "" {
		return fmt.Errorf("restarting %s: %s is not a hack/cluster.sh cluster", component, c.Kubeconfig)
	}
	_, err := runScript(ctx, []string{"CLUSTER_NAME=" + c.Name}, "cluster.sh", "restart", component, signal)
	return err
}

// Components reports which control-plane processes of the hack/cluster.sh
// cluster are alive, by component name (etcd, kube-apiserver, ...).
func (c *Cluster) Components() (map[string]bool, error) {
	pids, err := c.ComponentPIDs()
	if err != nil {
		return nil, err
	}
	alive := map[string]bool{}
	for name, pid := range pids {
		// A killed component can linger as a zombie where nothing reaps
		// orphans.
		var stat procfs.ProcStat
		proc, err := procfs.NewProc(pid)
		if err == nil {
			stat, err = proc.Stat()
		}
		alive[name] = err == nil && stat.State != "Z"
	}
	return alive, nil
}

// ComponentPIDs returns the process ID of each control-plane component
// (etcd, kube-apiserver, ..., kwok-controller) by name.
func (c *Cluster) ComponentPIDs() (map[string]int, error) {
	if c.Name == "" {
		return nil, fmt.Errorf("%s is not a hack/cluster.sh cluster", c.Kubeconfig)
	}
	files, err := filepath.Glob(filepath.Join(kwokWorkdir(), "clusters", c.Name, "pids", "*.pid"))
	if err != nil {
		return nil, err
	}
	pids := map[string]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		pids[strings.TrimSuffix(filepath.Base(f), ".pid")] = pid
	}
	return pids, nil
}

// runScript runs hack/NAME with args and returns its trimmed standard
// output; its standard error (progress) goes to ours.
func runScript(ctx context.Context, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(testenv.RepoRoot(), "hack", name), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("hack/%s %s: %w", name, strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

func clusterName() string {
	for _, v := range []string{"E2E_CLUSTER_NAME", "CLUSTER_NAME"} {
		if name := os.Getenv(v); name != "" {
			return name
		}
	}
	return "ecs-operator"
}

// kwokWorkdir mirrors hack/cluster.sh's default.
func kwokWorkdir() string {
	if dir := os.Getenv("KWOK_WORKDIR"); dir != "" {
		return dir
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "ecs-operator", "kwok")
}

// clusterNameOf returns the hack/cluster.sh cluster a kubeconfig belongs to
// (workdir/clusters/NAME/kubeconfig.yaml), or "".
func clusterNameOf(kubeconfig, workdir string) string {
	rel, err := filepath.Rel(filepath.Join(workdir, "clusters"), kubeconfig)
	if err != nil {
		return ""
	}
	name, file, ok := strings.Cut(filepath.ToSlash(rel), "/")
	if !ok || file != "kubeconfig.yaml" || name == ".." || name == "." {
		return ""
	}
	return name
}
