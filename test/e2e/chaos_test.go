//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/testenv"
	"github.com/ecs-operator/ecs-operator/test/e2e/framework"
)

// convergeTimeout bounds how long a faulted rollout may take to settle on
// a loaded machine; it is a failure bound, not a speed target.
const convergeTimeout = 15 * time.Minute

// runScopedOperator installs the CRDs and runs an operator that watches
// only ns.
func runScopedOperator(t *testing.T, ns string, extra ...string) *framework.Operator {
	t.Helper()
	if err := cluster.InstallOperatorCRDs(t.Context()); err != nil {
		t.Fatal(err)
	}
	args := append([]string{
		"--metrics-bind-address=0", "--health-probe-bind-address=0", "--leader-elect=false",
		"--watch-namespaces=" + ns,
	}, extra...)
	return cluster.RunOperator(t, framework.OperatorOptions{Args: args})
}

// TestChaosOperatorKills kills the operator with SIGKILL ten times at
// random moments while 200 services roll out, restarting it right after
// each kill. Every service must converge with exactly its children: none
// lost, none duplicated, none orphaned.
func TestChaosOperatorKills(t *testing.T) {
	const services, kills = 200, 10
	ns := cluster.Namespace(t)
	op := runScopedOperator(t, ns)
	clusterName := chaosCluster(t, ns)

	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("kill schedule seed %d", seed)

	// The killer starts once a tenth of the services exist and kills at
	// random intervals of 0.3-3 s: during creation, while caches sync
	// after a restart, while Deployments roll out.
	started := make(chan struct{})
	killed := make(chan error, 1)
	var created atomic.Int64
	begin := time.Now()
	go func() {
		select {
		case <-started:
		case <-t.Context().Done():
			killed <- t.Context().Err()
			return
		}
		for i := range kills {
			time.Sleep(time.Duration(300+rng.IntN(2700)) * time.Millisecond)
			if err := op.Kill(); err != nil {
				killed <- fmt.Errorf("kill %d: %w", i+1, err)
				return
			}
			t.Logf("kill %d after %s, %d services created", i+1, time.Since(begin).Round(100*time.Millisecond), created.Load())
			if err := op.Start(); err != nil {
				killed <- fmt.Errorf("restart %d: %w", i+1, err)
				return
			}
		}
		killed <- nil
	}()
	createServices(t, ns, clusterName, services, 1, func(done int) {
		created.Store(int64(done))
		if done == services/10 {
			close(started)
		}
	})
	if err := <-killed; err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(op.Logs(), "=== start "); n != kills+1 {
		t.Fatalf("operator started %d times, want %d", n, kills+1)
	}

	waitAllReady(t, ns, services, convergeTimeout)
	t.Logf("converged %s after the first service was created", time.Since(begin).Round(100*time.Millisecond))
	checkChildren(t, ns, services, expectedChildren(t, ns, clusterName))
	checkNoPanic(t, op)
}

// TestChaosAPIServerRestart kills the API server (SIGKILL) while the
// operator reconciles a batch of new services. Once it is back, every
// service converges and the operator still follows spec changes (its
// watches were re-established).
func TestChaosAPIServerRestart(t *testing.T) {
	const services = 30
	if cluster.Name == "" {
		t.Skip("skipping: the cluster is not a hack/cluster.sh cluster, so its API server cannot be restarted")
	}
	ns := cluster.Namespace(t)
	op := runScopedOperator(t, ns)
	clusterName := chaosCluster(t, ns)

	restarted := make(chan error, 1)
	createServices(t, ns, clusterName, services, 1, func(done int) {
		if done == services/2 {
			go func() {
				// Mid-reconcile: half the services exist and the operator is
				// registering revisions and applying children.
				restarted <- cluster.RestartComponent(context.Background(), "kube-apiserver", "KILL")
			}()
		}
	})
	if err := <-restarted; err != nil {
		t.Fatal(err)
	}
	waitAllReady(t, ns, services, convergeTimeout)
	if !op.Running() {
		t.Fatalf("the operator exited: %v", op.ExitErr())
	}

	// Watches work again: a spec change reaches the Deployment.
	name := chaosName(0)
	patch := client.RawPatch(types.MergePatchType, []byte(`{"spec":{"desiredCount":2}}`))
	if err := cluster.Client.Patch(t.Context(), &ecsv1.ECSService{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}, patch); err != nil {
		t.Fatal(err)
	}
	framework.Eventually(t, 0, "Deployment "+name+" scaled to 2", func(ctx context.Context) (bool, string, error) {
		var d appsv1.Deployment
		if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &d); err != nil {
			return false, "", err
		}
		return ptr.Deref(d.Spec.Replicas, 1) == 2, fmt.Sprintf("replicas %d", ptr.Deref(d.Spec.Replicas, 1)), nil
	})
	checkChildren(t, ns, services, expectedChildren(t, ns, clusterName))
	checkNoPanic(t, op)
}

// maxHandover is the longest a follower may take to lead after the leader
// died without releasing its lease.
const maxHandover = 15 * time.Second

// TestChaosLeaderHandover runs two replicas with leader election, kills
// the leader with SIGKILL (it cannot release its lease) and measures how
// long until the other replica holds the lease: at most 15 s. It does so
// twice (the killed replica comes back as a follower), and checks that
// the new leader reconciles.
func TestChaosLeaderHandover(t *testing.T) {
	ns := cluster.Namespace(t)
	if err := cluster.InstallOperatorCRDs(t.Context()); err != nil {
		t.Fatal(err)
	}
	clusterName := chaosCluster(t, ns)
	leaseName := "ecs-operator-" + ns
	args := []string{
		"--metrics-bind-address=0", "--health-probe-bind-address=0",
		"--leader-elect", "--leader-election-namespace=" + ns, "--leader-election-id=" + leaseName,
		"--watch-namespaces=" + ns,
	}
	replicas := []*framework.Operator{
		cluster.RunOperator(t, framework.OperatorOptions{Name: "replica-a", Args: args}),
		cluster.RunOperator(t, framework.OperatorOptions{Name: "replica-b", Args: args}),
	}

	for round := 1; round <= 2; round++ {
		holder, leader := currentLeader(t, ns, leaseName, replicas)
		follower := replicas[1-leader]
		// The follower must be running and trying before the leader dies.
		framework.Eventually(t, 0, "the follower to try for the lease", func(context.Context) (bool, string, error) {
			return containsFold(lastStart(follower.Logs()), "attempting to acquire leader lease"), follower.LogTail(1), nil
		})

		killedAt := time.Now()
		if err := replicas[leader].Kill(); err != nil {
			t.Fatal(err)
		}
		var lease coordinationv1.Lease
		framework.Eventually(t, time.Minute, "another replica to take the lease", func(ctx context.Context) (bool, string, error) {
			if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: leaseName}, &lease); err != nil {
				return false, "", err
			}
			h := ptr.Deref(lease.Spec.HolderIdentity, "")
			return h != "" && h != holder, "holder " + h, nil
		})
		// acquireTime is written by the new leader with microsecond
		// precision; it is the moment the handover completed.
		handover := time.Since(killedAt)
		if lease.Spec.AcquireTime != nil && lease.Spec.AcquireTime.After(killedAt) {
			handover = lease.Spec.AcquireTime.Sub(killedAt)
		}
		t.Logf("round %d: leader %s killed; %s took over after %s", round, holder, ptr.Deref(lease.Spec.HolderIdentity, ""), handover.Round(time.Millisecond))
		if handover > maxHandover {
			t.Errorf("round %d: handover took %s, want at most %s", round, handover.Round(time.Millisecond), maxHandover)
		}

		// The new leader runs the controllers.
		name := chaosName(round)
		createServices(t, ns, clusterName, round+1, 1, nil)
		waitService(t, ns, name, 0, "ready under the new leader", serviceReady)

		// The killed replica comes back as the follower of the next round.
		if err := replicas[leader].Start(); err != nil {
			t.Fatal(err)
		}
	}
	checkNoPanic(t, replicas...)
}

// currentLeader waits for a lease holder and returns it with the index of
// the replica that holds it (the one whose log says it acquired the lease
// most recently while running).
func currentLeader(t *testing.T, ns, leaseName string, replicas []*framework.Operator) (string, int) {
	t.Helper()
	var holder string
	leader := -1
	framework.Eventually(t, 2*time.Minute, "a leader", func(ctx context.Context) (bool, string, error) {
		var lease coordinationv1.Lease
		if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: leaseName}, &lease); err != nil {
			return false, "", client.IgnoreNotFound(err)
		}
		holder = ptr.Deref(lease.Spec.HolderIdentity, "")
		leader = -1
		for i, r := range replicas {
			if r.Running() && containsFold(lastStart(r.Logs()), "successfully acquired lease") {
				leader = i
			}
		}
		return holder != "" && leader >= 0, "holder " + holder, nil
	})
	return holder, leader
}

// containsFold is a case-insensitive strings.Contains (client-go's
// leader election logs "Successfully acquired lease", or in lower case
// through klog).
func containsFold(s, substr string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(substr))
}

// lastStart is the log of the operator's current process.
func lastStart(logs string) string {
	if i := strings.LastIndex(logs, "=== start "); i >= 0 {
		return logs[i:]
	}
	return logs
}

// TestChaosDrift edits and deletes what the operator owns, the way a
// hand-edit or a cleanup script would, and expects every change undone.
func TestChaosDrift(t *testing.T) {
	ns := cluster.Namespace(t)
	op := runScopedOperator(t, ns)
	clusterName := chaosCluster(t, ns)
	name := chaosName(0)
	createServices(t, ns, clusterName, 1, 2, nil)
	waitAllReady(t, ns, 1, convergeTimeout)

	var d appsv1.Deployment
	if err := cluster.Client.Get(t.Context(), client.ObjectKey{Namespace: ns, Name: name}, &d); err != nil {
		t.Fatal(err)
	}
	image := d.Spec.Template.Spec.Containers[0].Image
	key := client.ObjectKey{Namespace: ns, Name: name}

	steps := []struct {
		what  string
		do    func(ctx context.Context) error
		check func(ctx context.Context) (bool, string, error)
	}{{
		what: "a changed container image",
		do: func(ctx context.Context) error {
			return patchJSON(ctx, &appsv1.Deployment{}, key, `[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"example.com/hijacked:1"}]`)
		},
		check: deploymentField(key, func(d *appsv1.Deployment) (bool, string) {
			got := d.Spec.Template.Spec.Containers[0].Image
			return got == image, "image " + got
		}),
	}, {
		what: "a scaled Deployment",
		do: func(ctx context.Context) error {
			return patchJSON(ctx, &appsv1.Deployment{}, key, `[{"op":"replace","path":"/spec/replicas","value":7}]`)
		},
		check: deploymentField(key, func(d *appsv1.Deployment) (bool, string) {
			return ptr.Deref(d.Spec.Replicas, 1) == 2, fmt.Sprintf("replicas %d", ptr.Deref(d.Spec.Replicas, 1))
		}),
	}, {
		// Without the label the object drops out of the operator's
		// label-selected cache: the operator must still notice.
		what: "a removed managed-by label",
		do: func(ctx context.Context) error {
			return patchJSON(ctx, &appsv1.Deployment{}, key, `[{"op":"remove","path":"/metadata/labels/app.kubernetes.io~1managed-by"}]`)
		},
		check: deploymentField(key, func(d *appsv1.Deployment) (bool, string) {
			v := d.Labels[ecsv1.LabelManagedBy]
			return v == ecsv1.ManagedByValue, "managed-by " + v
		}),
	}, {
		what:  "a deleted Deployment",
		do:    deleteObject(&appsv1.Deployment{}, key),
		check: recreated(&appsv1.Deployment{}, key),
	}, {
		what:  "a deleted Service",
		do:    deleteObject(&corev1.Service{}, key),
		check: recreated(&corev1.Service{}, key),
	}, {
		what:  "a deleted PodDisruptionBudget",
		do:    deleteObject(&policyv1.PodDisruptionBudget{}, key),
		check: recreated(&policyv1.PodDisruptionBudget{}, key),
	}, {
		what:  "a deleted ServiceAccount",
		do:    deleteObject(&corev1.ServiceAccount{}, key),
		check: recreated(&corev1.ServiceAccount{}, key),
	}}
	for _, step := range steps {
		if err := step.do(t.Context()); err != nil {
			t.Fatalf("%s: %v", step.what, err)
		}
		framework.Eventually(t, 0, step.what+" to be restored", step.check)
	}
	waitAllReady(t, ns, 1, convergeTimeout)
	checkChildren(t, ns, 1, expectedChildren(t, ns, clusterName))
	checkNoPanic(t, op)
}

func patchJSON(ctx context.Context, obj client.Object, key client.ObjectKey, patch string) error {
	obj.SetNamespace(key.Namespace)
	obj.SetName(key.Name)
	return cluster.Client.Patch(ctx, obj, client.RawPatch(types.JSONPatchType, []byte(patch)))
}

func deploymentField(key client.ObjectKey, ok func(*appsv1.Deployment) (bool, string)) func(context.Context) (bool, string, error) {
	return func(ctx context.Context) (bool, string, error) {
		var d appsv1.Deployment
		if err := cluster.Client.Get(ctx, key, &d); err != nil {
			return false, "", err
		}
		done, state := ok(&d)
		return done, state, nil
	}
}

// deleteObject deletes the object and remembers its UID in it, so
// recreated can tell the new object from the old.
func deleteObject(obj client.Object, key client.ObjectKey) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := cluster.Client.Get(ctx, key, obj); err != nil {
			return err
		}
		return cluster.Client.Delete(ctx, obj, client.Preconditions{UID: ptr.To(obj.GetUID())})
	}
}

func recreated(obj client.Object, key client.ObjectKey) func(context.Context) (bool, string, error) {
	return func(ctx context.Context) (bool, string, error) {
		old := obj.GetUID()
		live := obj.DeepCopyObject().(client.Object)
		if err := cluster.Client.Get(ctx, key, live); err != nil {
			return false, "", client.IgnoreNotFound(err)
		}
		return live.GetUID() != old && live.GetDeletionTimestamp() == nil, "uid " + string(live.GetUID()), nil
	}
}

// TestChaosBadInput feeds every class of invalid document to the
// operator and to kubectl-ecs: each must be refused with a message that
// names the offending field, and nothing may panic.
func TestChaosBadInput(t *testing.T) {
	ns := cluster.Namespace(t)
	op := runScopedOperator(t, ns)
	clusterName := chaosCluster(t, ns)

	tooLong := strings.Repeat("x", 300)
	cases := []struct {
		class string
		// task and service are the documents; service may be nil.
		task    func(*ecsv1.TaskDefinitionSpec)
		service func(*ecsv1.ECSServiceSpec)
		// field must appear in the refusal: the API server's error, or
		// the Stalled condition of the refused object.
		field string
		// serviceReports: the task definition registers and the service
		// using it is refused (the expression is only evaluated for a
		// service).
		serviceReports bool
	}{{
		class: "unknown container (dependsOn)",
		task: func(s *ecsv1.TaskDefinitionSpec) {
			s.ContainerDefinitions[0].DependsOn = []ecsv1.ContainerDependency{{ContainerName: "missing", Condition: "START"}}
		},
		field: "dependsOn",
	}, {
		class: "unknown container (service load balancer)",
		service: func(s *ecsv1.ECSServiceSpec) {
			s.LoadBalancers = []ecsv1.LoadBalancer{{ContainerName: ptr.To("missing"), ContainerPort: ptr.To[int32](80),
				TargetGroupArn: ptr.To("arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/0123456789abcdef")}}
		},
		field: "loadBalancers[0]",
	}, {
		class: "dependsOn cycle",
		task: func(s *ecsv1.TaskDefinitionSpec) {
			sidecar := s.ContainerDefinitions[0]
			sidecar.Name = "sidecar"
			sidecar.PortMappings = nil
			sidecar.Essential = ptr.To(false)
			sidecar.DependsOn = []ecsv1.ContainerDependency{{ContainerName: "web", Condition: "START"}}
			s.ContainerDefinitions[0].DependsOn = []ecsv1.ContainerDependency{{ContainerName: "sidecar", Condition: "START"}}
			s.ContainerDefinitions = append(s.ContainerDefinitions, sidecar)
		},
		field: "dependsOn",
	}, {
		class: "bad cluster query language (task placement)",
		task: func(s *ecsv1.TaskDefinitionSpec) {
			s.PlacementConstraints = []ecsv1.PlacementConstraint{{Type: ptr.To("memberOf"), Expression: ptr.To("attribute:ecs.instance-type =~ (")}}
		},
		field:          "taskDefinition.placementConstraints[0].expression",
		serviceReports: true,
	}, {
		class: "bad cluster query language (service placement)",
		service: func(s *ecsv1.ECSServiceSpec) {
			s.PlacementConstraints = []ecsv1.PlacementConstraint{{Type: ptr.To("memberOf"), Expression: ptr.To("attribute:ecs.os-type in [linux")}}
		},
		field: "placementConstraints[0].expression",
	}, {
		class: "disallowed task role",
		task: func(s *ecsv1.TaskDefinitionSpec) {
			s.TaskRoleArn = ptr.To("arn:aws:iam::" + chaosRoleAccount + ":role/admin")
		},
		field: "taskRoleArn",
	}, {
		class: "oversized container name",
		task: func(s *ecsv1.TaskDefinitionSpec) {
			s.ContainerDefinitions[0].Name = tooLong
		},
		field: "containerDefinitions[0].name",
	}, {
		class: "oversized family",
		task: func(s *ecsv1.TaskDefinitionSpec) {
			s.Family = ptr.To(tooLong)
		},
		field: "family",
	}, {
		class: "oversized service name",
		service: func(s *ecsv1.ECSServiceSpec) {
			s.ServiceName = ptr.To(tooLong)
		},
		field: "serviceName",
	}}

	for i, c := range cases {
		t.Run(c.class, func(t *testing.T) {
			name := fmt.Sprintf("bad-%02d", i)
			task := chaosTask(name)
			svc := chaosService(name, clusterName, 1)
			if c.task != nil {
				c.task(&task)
			}
			if c.service != nil {
				c.service(&svc)
			}
			td := &ecsv1.TaskDefinition{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: task}
			es := &ecsv1.ECSService{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: svc}
			// The refused document is the one the case changed; the other
			// one is valid and created first (the task definition) or
			// after it (the service), as a user would.
			refused := client.Object(es)
			if c.task != nil && !c.serviceReports {
				refused = td
			}
			var err error
			for _, obj := range []client.Object{td, es} {
				if err = cluster.Client.Create(t.Context(), obj); err != nil {
					if obj != refused {
						t.Fatalf("creating the valid %T: %v", obj, err)
					}
					break
				}
			}
			if err != nil {
				if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), c.field) {
					t.Fatalf("API server refused it without naming %q: %v", c.field, err)
				}
				t.Logf("refused by the API server: %v", err)
				return
			}
			message := waitStalled(t, refused, c.field)
			t.Logf("refused by the operator: %s", message)
			var d appsv1.Deployment
			if err := cluster.Client.Get(t.Context(), client.ObjectKey{Namespace: ns, Name: name}, &d); !apierrors.IsNotFound(err) {
				t.Errorf("a Deployment exists for the refused %T (err %v)", refused, err)
			}
		})
	}

	t.Run("malformed JSON (kubectl-ecs)", func(t *testing.T) {
		plugin := buildPlugin(t)
		dir := t.TempDir()
		// Each refusal must say where: a line and column or a field path.
		documents := map[string]struct{ document, where string }{
			"truncated.json":     {`{"family": "web", "containerDefinitions": [{"name": "web", "image": "nginx"}`, "line 1, column"},
			"missing-comma.json": {"{\n  \"family\": \"web\"\n  \"containerDefinitions\": []\n}\n", "line 3, column 3"},
			"wrong-type.json":    {`{"family": "web", "containerDefinitions": [{"name": "web", "image": "nginx", "cpu": "lots"}]}`, "containerDefinitions[0].cpu"},
			"template.json":      {`{"family": "web", "containerDefinitions": [{"name": "web", "image": "nginx", "cpu": {{cpu}}}]}`, "containerDefinitions[0].cpu"},
			"not-ecs.json":       {`{"apiVersion": "v1", "kind": "ConfigMap"}`, "not an ECS task definition or service"},
			"oversized.json":     {`{"family": "` + tooLong + `", "containerDefinitions": [{"name": "web", "image": "nginx", "memory": 128}]}`, "family"},
			"empty.json":         {``, "empty input"},
		}
		for file, content := range documents {
			path := filepath.Join(dir, file)
			if err := os.WriteFile(path, []byte(content.document), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.CommandContext(t.Context(), plugin, "convert", "-f", path).CombinedOutput()
			text := string(out)
			if err == nil {
				t.Errorf("%s: kubectl-ecs convert succeeded; want a refusal\n%s", file, text)
				continue
			}
			if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 {
				t.Errorf("%s: %v, want exit status 1\n%s", file, err, text)
			}
			if strings.Contains(strings.ToLower(text), "panic") || strings.Contains(text, "goroutine ") {
				t.Errorf("%s: kubectl-ecs panicked:\n%s", file, text)
			}
			if !strings.Contains(text, file) || !strings.Contains(text, content.where) {
				t.Errorf("%s: the error does not name the file and %q:\n%s", file, content.where, text)
			}
			t.Logf("%s: %s", file, strings.TrimSpace(text))
		}
	})

	if !op.Running() {
		t.Fatalf("the operator exited: %v", op.ExitErr())
	}
	checkNoPanic(t, op)
}

// waitStalled waits until obj (a TaskDefinition or an ECSService) is
// Stalled with a message naming field, and returns the message.
func waitStalled(t *testing.T, obj client.Object, field string) string {
	t.Helper()
	key := client.ObjectKeyFromObject(obj)
	var message string
	framework.Eventually(t, 0, fmt.Sprintf("%T %s Stalled naming %s", obj, key.Name, field), func(ctx context.Context) (bool, string, error) {
		live := obj.DeepCopyObject().(client.Object)
		if err := cluster.Client.Get(ctx, key, live); err != nil {
			return false, "", err
		}
		var conditions []metav1.Condition
		switch o := live.(type) {
		case *ecsv1.TaskDefinition:
			conditions = o.Status.Conditions
		case *ecsv1.ECSService:
			conditions = o.Status.Conditions
		}
		c := meta.FindStatusCondition(conditions, ecsv1.ConditionStalled)
		if c == nil || c.Status != metav1.ConditionTrue {
			return false, fmt.Sprintf("conditions %+v", conditions), nil
		}
		message = c.Message
		return strings.Contains(c.Message, field), "Stalled: " + c.Message, nil
	})
	return message
}

// buildPlugin builds kubectl-ecs once per test binary.
func buildPlugin(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kubectl-ecs")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-trimpath", "-o", bin, "./cmd/kubectl-ecs")
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building kubectl-ecs: %v\n%s", err, out)
	}
	return bin
}
