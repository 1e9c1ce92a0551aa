package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// TestKubectlPlugin builds kubectl-ecs, puts it on PATH and runs it the
// way users do, as `kubectl ecs convert`, with the test bed's kubectl.
func TestKubectlPlugin(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds the plugin and needs kubectl from the test bed")
	}
	assets, err := testenv.Assets()
	if err != nil {
		t.Fatal(err)
	}
	kubectl := filepath.Join(assets, "kubectl")
	if _, err := os.Stat(kubectl); err != nil {
		t.Skipf("skipping: no kubectl in %s", assets)
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "kubectl-ecs"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	input := filepath.Join(t.TempDir(), "task.json")
	if err := os.WriteFile(input, []byte(`{"family":"web","containerDefinitions":[{"name":"app","image":"nginx"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(kubectl, "ecs", "convert", "-f", input, "-n", "shop")
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kubectl ecs convert: %v\n%s", err, stderr.String())
	}
	objs := parseStream(t, stdout.String())
	if len(objs) != 1 || objs[0].GetKind() != "TaskDefinition" || objs[0].GetName() != "web" || objs[0].GetNamespace() != "shop" {
		t.Fatalf("unexpected output:\n%s", stdout.String())
	}

	help := exec.Command(kubectl, "ecs", "--help")
	help.Env = cmd.Env
	out, err := help.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "kubectl ecs [command]") {
		t.Errorf("kubectl ecs --help: %v\n%s", err, out)
	}
}
