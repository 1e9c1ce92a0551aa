package translate

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// The package's API server tests share one control plane: it starts with
// the first test that needs it and stops when the tests end.
var (
	apiServerOnce sync.Once
	apiServer     *testenv.Env
	apiServerErr  error
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if apiServer != nil {
		if err := apiServer.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the test API server:", err)
		}
	}
	os.Exit(code)
}

// integrationAPIServer returns the package's API server with the
// integration CRDs installed, skipping in -short mode and when ../shared
// (which holds some of those CRDs) is absent.
func integrationAPIServer(tb testing.TB) *testenv.Env {
	tb.Helper()
	if testing.Short() {
		tb.Skip("skipping API server test in -short mode")
	}
	apiServerOnce.Do(func() {
		apiServer, apiServerErr = testenv.Start(testenv.Options{Integrations: true})
	})
	if apiServerErr != nil {
		tb.Fatalf("starting the test API server: %v", apiServerErr)
	}
	apiServer.RequireIntegrations(tb)
	return apiServer
}
