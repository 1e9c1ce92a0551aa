// Package testenv starts a real kube-apiserver and etcd (controller-runtime
// envtest) with the operator's CRDs and, on request, the real CRDs of the
// integrations the operator creates objects for. Tests never use
// hand-written stand-ins for those schemas.
//
// The control-plane binaries come from KUBEBUILDER_ASSETS when set, else
// from hack/testbed.sh, which builds them once into the user's cache.
package testenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// ModuleCRD is an integration CRD shipped inside a Go module.
type ModuleCRD struct {
	Module string // module@version
	Path   string // file inside the module
}

// ModuleCRDs are the integration CRDs provided by Go modules (see
// ../shared/crds/README.md for provenance).
var ModuleCRDs = []ModuleCRD{
	{"github.com/external-secrets/external-secrets@v1.3.2", "config/crds/bases/external-secrets.io_externalsecrets.yaml"},
	{"github.com/external-secrets/external-secrets@v1.3.2", "config/crds/bases/external-secrets.io_clustersecretstores.yaml"},
	{"github.com/external-secrets/external-secrets@v1.3.2", "config/crds/bases/external-secrets.io_secretstores.yaml"},
	{"github.com/external-secrets/external-secrets@v1.3.2", "config/crds/bases/generators.external-secrets.io_ecrauthorizationtokens.yaml"},
	{"github.com/aws/amazon-vpc-resource-controller-k8s@v1.8.2", "config/crd/bases/vpcresources.k8s.aws_securitygrouppolicies.yaml"},
	{"github.com/kedacore/keda/v2@v2.21.0", "config/crd/bases/keda.sh_scaledobjects.yaml"},
}

// SharedCRDFiles are the integration CRDs kept in ../shared/crds.
var SharedCRDFiles = []string{
	"elbv2.k8s.aws_targetgroupbindings.yaml",
	"elbv2.k8s.aws_ingressclassparams.yaml",
	"eks.services.k8s.aws_podidentityassociations.yaml",
}

// RepoRoot is the root of this repository.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// SharedDir is the shared corpus and CRD folder next to the repository
// (override with ECS_OPERATOR_SHARED). It exists for developers and CI,
// not for users: tests that read it skip when it is absent.
func SharedDir() (string, bool) {
	dir := os.Getenv("ECS_OPERATOR_SHARED")
	if dir == "" {
		dir = filepath.Join(RepoRoot(), "..", "shared")
	}
	st, err := os.Stat(dir)
	return dir, err == nil && st.IsDir()
}

// Assets returns the directory holding etcd, kube-apiserver and kubectl:
// KUBEBUILDER_ASSETS when set, else what hack/testbed.sh builds (once).
func Assets() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	cmd := exec.Command(filepath.Join(RepoRoot(), "hack", "testbed.sh"), "k8s")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("building the test bed with hack/testbed.sh: %w", err)
	}
	dir := strings.TrimSpace(string(out))
	os.Setenv("KUBEBUILDER_ASSETS", dir)
	return dir, nil
}

// ModuleDir returns the module cache directory of module@version,
// downloading it through the Go module proxy when needed.
func ModuleDir(moduleAtVersion string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", moduleAtVersion)
	cmd.Dir = os.TempDir() // outside this module: do not touch go.mod
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr == nil && info.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s", moduleAtVersion, info.Error)
	}
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w: %s", moduleAtVersion, err, stderr.String())
	}
	if info.Dir == "" {
		return "", fmt.Errorf("go mod download %s: no directory reported", moduleAtVersion)
	}
	return info.Dir, nil
}

// ErrNoShared means ../shared is absent, so the integration CRDs kept there
// cannot be installed.
var ErrNoShared = errors.New("../shared is absent (set ECS_OPERATOR_SHARED): integration CRDs from ../shared/crds are not available")

// IntegrationCRDPaths lists the files of every integration CRD.
func IntegrationCRDPaths() ([]string, error) {
	shared, ok := SharedDir()
	if !ok {
		return nil, ErrNoShared
	}
	var paths []string
	for _, f := range SharedCRDFiles {
		paths = append(paths, filepath.Join(shared, "crds", f))
	}
	dirs := map[string]string{}
	for _, m := range ModuleCRDs {
		dir, ok := dirs[m.Module]
		if !ok {
			var err error
			if dir, err = ModuleDir(m.Module); err != nil {
				return nil, err
			}
			dirs[m.Module] = dir
		}
		paths = append(paths, filepath.Join(dir, m.Path))
	}
	return paths, nil
}

// Options select what the test API server gets.
type Options struct {
	// Integrations installs the integration CRDs too (External Secrets,
	// TargetGroupBinding, PodIdentityAssociation, SecurityGroupPolicy,
	// ScaledObject, IngressClassParams).
	Integrations bool
	// APIServerArgs are extra kube-apiserver flags ("--name=value").
	APIServerArgs []string
}

// Env is a running test control plane.
type Env struct {
	Environment *envtest.Environment
	Config      *rest.Config
	Client      client.Client
	Scheme      *k8sruntime.Scheme
	// IntegrationsMissing says why integration CRDs are not installed
	// ("" when they are, or were not asked for).
	IntegrationsMissing string
}

// Scheme returns a scheme with the built-in kinds, CRDs and the ECS kinds.
func Scheme() *k8sruntime.Scheme {
	s := k8sruntime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := apiextensionsv1.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := ecsv1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}

// Start starts etcd and kube-apiserver with the operator's CRDs installed.
// When opts.Integrations is set but ../shared is absent, the operator's
// CRDs are still installed and IntegrationsMissing says why the rest are
// not; tests that need them call RequireIntegrations.
func Start(opts Options) (*Env, error) {
	assets, err := Assets()
	if err != nil {
		return nil, err
	}
	paths := []string{filepath.Join(RepoRoot(), "config", "crd", "bases")}
	env := &Env{Scheme: Scheme()}
	if opts.Integrations {
		extra, err := IntegrationCRDPaths()
		switch {
		case errors.Is(err, ErrNoShared):
			env.IntegrationsMissing = err.Error()
		case err != nil:
			return nil, err
		default:
			paths = append(paths, extra...)
		}
	}
	env.Environment = &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDInstallOptions: envtest.CRDInstallOptions{
			Paths:              paths,
			ErrorIfPathMissing: true,
			Scheme:             env.Scheme,
		},
		ErrorIfCRDPathMissing: true,
		Scheme:                env.Scheme,
	}
	if os.Getenv("KUBEBUILDER_CONTROLPLANE_START_TIMEOUT") == "" {
		// envtest allows each component 20 s to start. `go test ./...`
		// starts several API servers at once (one per package), which on a
		// small or busy machine takes longer than that.
		env.Environment.ControlPlaneStartTimeout = 2 * time.Minute
	}
	if len(opts.APIServerArgs) > 0 {
		args := env.Environment.ControlPlane.GetAPIServer().Configure()
		for _, a := range opts.APIServerArgs {
			name, value, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
			args.Append(name, value)
		}
	}
	cfg, err := env.Environment.Start()
	if err != nil {
		// Start may fail after etcd and kube-apiserver are up (for example
		// when a CRD is rejected); stop them so no process outlives the test.
		_ = env.Environment.Stop()
		return nil, fmt.Errorf("starting the test API server: %w", err)
	}
	env.Config = cfg
	env.Client, err = client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		_ = env.Environment.Stop()
		return nil, err
	}
	return env, nil
}

// Stop stops the control plane.
func (e *Env) Stop() error {
	if e == nil || e.Environment == nil {
		return nil
	}
	return e.Environment.Stop()
}

// TB is the part of testing.TB the helpers need.
type TB interface {
	Helper()
	Skip(args ...any)
}

// RequireIntegrations skips the test when the integration CRDs are not
// installed.
func (e *Env) RequireIntegrations(t TB) {
	t.Helper()
	if e.IntegrationsMissing != "" {
		t.Skip("skipping: " + e.IntegrationsMissing)
	}
}
