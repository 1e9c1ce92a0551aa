package framework

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// OperatorOptions say what to build and how to run it.
type OperatorOptions struct {
	// Name tells several operators apart in logs (default "operator").
	Name string
	// Package is the Go package of the operator's main (default ".", the
	// repository root).
	Package string
	// BuildFlags are extra `go build` flags, e.g. "-race".
	BuildFlags []string
	// Args are the operator's command-line arguments.
	Args []string
	// Env is added to the test's environment; KUBECONFIG is set to the
	// cluster's.
	Env []string
}

// Operator is an operator process running against the cluster.
type Operator struct {
	Binary  string
	Args    []string
	Env     []string
	LogPath string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when the current process has exited
	err    error         // how it exited
	starts int
}

// BuildOperator compiles the operator package into a temporary directory
// (removed by Teardown) and returns the binary's path. Builds are cached
// by package and flags for the life of the Cluster.
func (c *Cluster) BuildOperator(ctx context.Context, pkg string, buildFlags ...string) (string, error) {
	if pkg == "" {
		pkg = "."
	}
	if c.buildDir == "" {
		dir, err := os.MkdirTemp("", "ecs-operator-e2e-")
		if err != nil {
			return "", err
		}
		c.buildDir = dir
	}
	key := strings.NewReplacer("/", "_", ".", "_", " ", "_", "-", "_").Replace(pkg + " " + strings.Join(buildFlags, " "))
	binary := filepath.Join(c.buildDir, "operator"+key)
	if _, err := os.Stat(binary); err == nil {
		return binary, nil
	}
	// The flags of `make build`, so its compile cache is reused.
	args := append([]string{"build", "-trimpath", "-o", binary}, buildFlags...)
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = os.Environ()
	if !slices.Contains(buildFlags, "-race") { // the race detector needs cgo
		cmd.Env = append(cmd.Env, "CGO_ENABLED=0")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return binary, nil
}

// NewOperator builds the operator; Start runs it.
func (c *Cluster) NewOperator(ctx context.Context, opts OperatorOptions) (*Operator, error) {
	binary, err := c.BuildOperator(ctx, opts.Package, opts.BuildFlags...)
	if err != nil {
		return nil, err
	}
	name := opts.Name
	if name == "" {
		name = "operator"
	}
	logs, err := os.CreateTemp("", "ecs-operator-e2e-"+name+"-*.log")
	if err != nil {
		return nil, err
	}
	logs.Close()
	return &Operator{
		Binary:  binary,
		Args:    opts.Args,
		Env:     append(append(os.Environ(), "KUBECONFIG="+c.Kubeconfig), opts.Env...),
		LogPath: logs.Name(),
	}, nil
}

// RunOperator builds and starts the operator for one test. When the test
// ends the operator is stopped, and if the test failed the end of its log
// is printed.
func (c *Cluster) RunOperator(t testing.TB, opts OperatorOptions) *Operator {
	t.Helper()
	op, err := c.NewOperator(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := op.Stop(10 * time.Second); err != nil {
			t.Errorf("stopping the operator: %v", err)
		}
		if t.Failed() {
			t.Logf("operator log %s (last 100 lines):\n%s", op.LogPath, op.LogTail(100))
		} else {
			os.Remove(op.LogPath)
		}
	})
	return op
}

// Start starts the operator process; its output is appended to LogPath.
func (o *Operator) Start() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cmd != nil && !isClosed(o.exited) {
		return errors.New("operator is already running")
	}
	logs, err := os.OpenFile(o.LogPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	o.starts++
	fmt.Fprintf(logs, "=== start %d at %s: %s %s\n", o.starts, time.Now().Format(time.RFC3339Nano), o.Binary, strings.Join(o.Args, " "))
	cmd := exec.Command(o.Binary, o.Args...)
	cmd.Env = o.Env
	cmd.Stdout, cmd.Stderr = logs, logs
	// Its own process group: a Ctrl-C of go test does not reach it before
	// the test's cleanup stops it in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logs.Close()
		return fmt.Errorf("starting %s: %w", o.Binary, err)
	}
	exited := make(chan struct{})
	o.cmd, o.exited, o.err = cmd, exited, nil
	go func() {
		err := cmd.Wait()
		logs.Close()
		o.mu.Lock()
		o.err = err
		o.mu.Unlock()
		close(exited)
	}()
	return nil
}

// Pid is the current process id (0 when never started).
func (o *Operator) Pid() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cmd == nil {
		return 0
	}
	return o.cmd.Process.Pid
}

// Running reports whether the process is alive.
func (o *Operator) Running() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.cmd != nil && !isClosed(o.exited)
}

// Exited is closed when the current process exits; ExitErr then says how.
func (o *Operator) Exited() <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.exited
}

// ExitErr is how the last process exited (nil for status 0 or while running).
func (o *Operator) ExitErr() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// Signal sends sig to the process.
func (o *Operator) Signal(sig syscall.Signal) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cmd == nil || isClosed(o.exited) {
		return errors.New("operator is not running")
	}
	return o.cmd.Process.Signal(sig)
}

// Kill kills the process with SIGKILL (as a node failure or OOM kill
// would) and waits until it is gone.
func (o *Operator) Kill() error {
	if !o.Running() {
		return nil
	}
	if err := o.Signal(syscall.SIGKILL); err != nil && o.Running() {
		return err
	}
	<-o.Exited()
	return nil
}

// Stop asks the process to exit with SIGTERM (graceful shutdown, leader
// election released) and kills it after grace.
func (o *Operator) Stop(grace time.Duration) error {
	if !o.Running() {
		return nil
	}
	if err := o.Signal(syscall.SIGTERM); err != nil && o.Running() {
		return err
	}
	select {
	case <-o.Exited():
		return nil
	case <-time.After(grace):
		if err := o.Kill(); err != nil {
			return err
		}
		return fmt.Errorf("operator did not exit within %s of SIGTERM; killed", grace)
	}
}

// Restart stops the process gracefully and starts it again.
func (o *Operator) Restart(grace time.Duration) error {
	if err := o.Stop(grace); err != nil {
		return err
	}
	return o.Start()
}

// Logs returns everything the operator wrote so far, across restarts.
func (o *Operator) Logs() string {
	data, err := os.ReadFile(o.LogPath)
	if err != nil {
		return fmt.Sprintf("(reading %s: %v)", o.LogPath, err)
	}
	return string(data)
}

// LogTail returns the last n lines of the log.
func (o *Operator) LogTail(n int) string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader([]byte(o.Logs())))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// WaitLog waits until the log contains substr (e.g. "acquired lease")
// and fails the test otherwise.
func (o *Operator) WaitLog(t testing.TB, timeout time.Duration, substr string) {
	t.Helper()
	Eventually(t, timeout, fmt.Sprintf("operator log line %q", substr), func(context.Context) (bool, string, error) {
		return strings.Contains(o.Logs(), substr), "last line: " + o.LogTail(1), nil
	})
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
