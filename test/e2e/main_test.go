//go:build e2e

// Package e2e holds the end-to-end tests: they run against a real control
// plane with fake nodes (hack/cluster.sh; see framework for which cluster
// is used). Run them with `go test -tags e2e ./test/e2e/...` or `make e2e`.
package e2e

import (
	"os"
	"testing"

	"github.com/ecs-operator/ecs-operator/test/e2e/framework"
)

// cluster is shared by every test of the package.
var cluster *framework.Cluster

func TestMain(m *testing.M) { os.Exit(framework.Run(m, &cluster)) }
