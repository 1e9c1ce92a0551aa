package v1alpha1_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// These tests install the generated CRDs into a real kube-apiserver and
// check that every OpenAPI and CEL rule rejects what ECS rejects, with a
// message naming the field, and accepts valid objects. Installing the CRDs
// at all proves the CEL rules fit the API server's cost budget.

var k8sClient client.Client

func TestMain(m *testing.M) {
	env, err := testenv.Start(testenv.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	k8sClient = env.Client
	code := m.Run()
	if err := env.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

func validTaskDefinition() *ecsv1.TaskDefinition {
	return &ecsv1.TaskDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: ecsv1.TaskDefinitionSpec{
			Family:      ptr.To("web"),
			NetworkMode: ptr.To("awsvpc"),
			CPU:         ptr.To(intstr.FromString("0.5 vCPU")),
			Memory:      ptr.To(intstr.FromString("1 GB")),
			Volumes:     []ecsv1.Volume{{Name: ptr.To("data")}},
			ContainerDefinitions: []ecsv1.ContainerDefinition{
				{
					Name:  "app",
					Image: "nginx:1.27",
					CPU:   ptr.To[int32](256),
					PortMappings: []ecsv1.PortMapping{
						{ContainerPort: ptr.To[int32](80), Protocol: ptr.To("tcp"), Name: ptr.To("http"), AppProtocol: ptr.To("http")},
					},
					HealthCheck: &ecsv1.HealthCheck{
						Command:  []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"},
						Interval: ptr.To[int32](30), Timeout: ptr.To[int32](5), Retries: ptr.To[int32](3), StartPeriod: ptr.To[int32](60),
					},
					DependsOn:   []ecsv1.ContainerDependency{{ContainerName: "init", Condition: "SUCCESS"}},
					Links:       []string{"init:setup"},
					MountPoints: []ecsv1.MountPoint{{SourceVolume: ptr.To("data"), ContainerPath: ptr.To("/data")}},
					VolumesFrom: []ecsv1.VolumeFrom{{SourceContainer: ptr.To("init")}},
				},
				{Name: "init", Image: "busybox", Essential: ptr.To(false)},
			},
			PlacementConstraints:    []ecsv1.PlacementConstraint{{Type: ptr.To("memberOf"), Expression: ptr.To("attribute:ecs.cpu-architecture == arm64")}},
			RequiresCompatibilities: []string{"EC2", "FARGATE"},
		},
	}
}

func validService() *ecsv1.ECSService {
	return &ecsv1.ECSService{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: ecsv1.ECSServiceSpec{
			TaskDefinition:     "web:3",
			DesiredCount:       ptr.To[int32](4),
			LaunchType:         ptr.To("EC2"),
			SchedulingStrategy: ptr.To("REPLICA"),
			DeploymentConfiguration: &ecsv1.DeploymentConfiguration{
				MaximumPercent: ptr.To[int32](150), MinimumHealthyPercent: ptr.To[int32](50),
				DeploymentCircuitBreaker: &ecsv1.DeploymentCircuitBreaker{Enable: true, Rollback: true},
			},
			PlacementStrategy:    []ecsv1.PlacementStrategy{{Type: ptr.To("spread"), Field: ptr.To("attribute:ecs.availability-zone")}},
			PlacementConstraints: []ecsv1.PlacementConstraint{{Type: ptr.To("distinctInstance")}},
		},
	}
}

func validCluster() *ecsv1.ECSCluster {
	return &ecsv1.ECSCluster{
		ObjectMeta: metav1.ObjectMeta{Name: "default"},
		Spec: ecsv1.ECSClusterSpec{
			IAM: &ecsv1.ClusterIAM{Mode: ecsv1.IAMModeIRSA, AccountID: "111122223333",
				AllowedRoleArns: []ecsv1.AllowedRoles{{Patterns: []string{"arn:aws:iam::111122223333:role/*"}}}},
			SecretStoreRef: &ecsv1.SecretStoreRef{Kind: "ClusterSecretStore", Name: "aws"},
		},
	}
}

func dryRunCreate(obj client.Object) error {
	return k8sClient.Create(context.Background(), obj, client.DryRunAll)
}

func TestValidObjectsAreAccepted(t *testing.T) {
	for _, obj := range []client.Object{validTaskDefinition(), validService(), validCluster()} {
		if err := dryRunCreate(obj); err != nil {
			t.Errorf("valid %T rejected: %v", obj, err)
		}
	}
}

func TestTaskDefinitionValidation(t *testing.T) {
	container := func(name string) ecsv1.ContainerDefinition {
		return ecsv1.ContainerDefinition{Name: name, Image: "busybox"}
	}
	tests := []struct {
		name   string
		mutate func(*ecsv1.TaskDefinitionSpec)
		want   string
	}{
		{"no containers", func(s *ecsv1.TaskDefinitionSpec) { s.ContainerDefinitions = []ecsv1.ContainerDefinition{} },
			"spec.containerDefinitions: Invalid value"},
		{"more than 10 containers", func(s *ecsv1.TaskDefinitionSpec) {
			s.ContainerDefinitions = nil
			for i := range 11 {
				s.ContainerDefinitions = append(s.ContainerDefinitions, container(fmt.Sprintf("c%d", i)))
			}
		}, "spec.containerDefinitions: Too many: 11: must have at most 10 items"},
		{"duplicate container names", func(s *ecsv1.TaskDefinitionSpec) {
			s.ContainerDefinitions = append(s.ContainerDefinitions, container("app"))
		}, "containerDefinitions: container names must be unique"},
		{"no essential container", func(s *ecsv1.TaskDefinitionSpec) {
			for i := range s.ContainerDefinitions {
				s.ContainerDefinitions[i].Essential = ptr.To(false)
			}
		}, "containerDefinitions: at least one container must be essential"},
		{"dependsOn unknown container", func(s *ecsv1.TaskDefinitionSpec) {
			s.ContainerDefinitions[0].DependsOn = []ecsv1.ContainerDependency{{ContainerName: "db", Condition: "START"}}
		}, "containerDefinitions[].dependsOn: every containerName must name another container of this task definition"},
		{"dependsOn itself", func(s *ecsv1.TaskDefinitionSpec) {
			s.ContainerDefinitions[0].DependsOn = []ecsv1.ContainerDependency{{ContainerName: "app", Condition: "START"}}
		}, "containerDefinitions[].dependsOn: every containerName must name another container"},
		{"dependsOn bad condition", func(s *ecsv1.TaskDefinitionSpec) {
			s.ContainerDefinitions[0].DependsOn[0].Condition = "READY"
		}, `spec.containerDefinitions[0].dependsOn[0].condition: Unsupported value: "READY"`},
		{"links unknown container", func(s *ecsv1.TaskDefinitionSpec) {
			s.ContainerDefinitions[0].Links = []string{"cache:redis"}
		}, "containerDefinitions[].links: every link must name a container of this task definition (name or name:alias)"},
		{"volumesFrom unknown container", func(s *ecsv1.TaskDefinitionSpec) {
			s.ContainerDefinitions[0].VolumesFrom = []ecsv1.VolumeFrom{{SourceContainer: ptr.To("sidecar")}}
		}, "containerDefinitions[].volumesFrom: every sourceContainer must name another container of this task definition"},
		{"mountPoints unknown volume", func(s *ecsv1.TaskDefinitionSpec) {
			s.ContainerDefinitions[0].MountPoints[0].SourceVolume = ptr.To("logs")
		}, "containerDefinitions[].mountPoints: every sourceVolume must name a volume declared in volumes"},
		{"duplicate volume names", func(s *ecsv1.TaskDefinitionSpec) {
			s.Volumes = append(s.Volumes, ecsv1.Volume{Name: ptr.To("data")})
		}, "volumes: volume names must be unique"},
		{"networkMode enum", func(s *ecsv1.TaskDefinitionSpec) { s.NetworkMode = ptr.To("{{networkmode}}") },
			`spec.networkMode: Unsupported value: "{{networkmode}}"`},
		{"pidMode enum", func(s *ecsv1.TaskDefinitionSpec) { s.PidMode = ptr.To("container") },
			`spec.pidMode: Unsupported value: "container"`},
		{"protocol enum", func(s *ecsv1.TaskDefinitionSpec) { s.ContainerDefinitions[0].PortMappings[0].Protocol = ptr.To("sctp") },
			`spec.containerDefinitions[0].portMappings[0].protocol: Unsupported value: "sctp"`},
		{"containerPort above 65535", func(s *ecsv1.TaskDefinitionSpec) {
			s.ContainerDefinitions[0].PortMappings[0].ContainerPort = ptr.To[int32](70000)
		}, "spec.containerDefinitions[0].portMappings[0].containerPort: Invalid value: 70000: spec.containerDefinitions[0].portMappings[0].containerPort in body should be less than or equal to 65535"},
		{"hostPort negative", func(s *ecsv1.TaskDefinitionSpec) {
			s.ContainerDefinitions[0].PortMappings[0].HostPort = ptr.To[int32](-1)
		}, "portMappings[0].hostPort in body should be greater than or equal to 0"},
		{"healthCheck interval below 5", func(s *ecsv1.TaskDefinitionSpec) { s.ContainerDefinitions[0].HealthCheck.Interval = ptr.To[int32](4) },
			"healthCheck.interval in body should be greater than or equal to 5"},
		{"healthCheck interval above 300", func(s *ecsv1.TaskDefinitionSpec) { s.ContainerDefinitions[0].HealthCheck.Interval = ptr.To[int32](301) },
			"healthCheck.interval in body should be less than or equal to 300"},
		{"healthCheck timeout below 2", func(s *ecsv1.TaskDefinitionSpec) { s.ContainerDefinitions[0].HealthCheck.Timeout = ptr.To[int32](1) },
			"healthCheck.timeout in body should be greater than or equal to 2"},
		{"healthCheck timeout above 60", func(s *ecsv1.TaskDefinitionSpec) { s.ContainerDefinitions[0].HealthCheck.Timeout = ptr.To[int32](61) },
			"healthCheck.timeout in body should be less than or equal to 60"},
		{"healthCheck retries 0", func(s *ecsv1.TaskDefinitionSpec) { s.ContainerDefinitions[0].HealthCheck.Retries = ptr.To[int32](0) },
			"healthCheck.retries in body should be greater than or equal to 1"},
		{"healthCheck retries 11", func(s *ecsv1.TaskDefinitionSpec) { s.ContainerDefinitions[0].HealthCheck.Retries = ptr.To[int32](11) },
			"healthCheck.retries in body should be less than or equal to 10"},
		{"healthCheck startPeriod 301", func(s *ecsv1.TaskDefinitionSpec) {
			s.ContainerDefinitions[0].HealthCheck.StartPeriod = ptr.To[int32](301)
		}, "healthCheck.startPeriod in body should be less than or equal to 300"},
		{"task cpu format", func(s *ecsv1.TaskDefinitionSpec) { s.CPU = ptr.To(intstr.FromString("half a core")) },
			`cpu: must be CPU units (1024 or "1024") or vCPUs`},
		{"task memory format", func(s *ecsv1.TaskDefinitionSpec) { s.Memory = ptr.To(intstr.FromString("2 TB")) },
			`memory: must be MiB (2048 or "2048") or GB`},
		{"task memory empty", func(s *ecsv1.TaskDefinitionSpec) { s.Memory = ptr.To(intstr.FromString("")) },
			`memory: must be MiB`},
		{"more than 10 placement constraints", func(s *ecsv1.TaskDefinitionSpec) {
			for range 10 {
				s.PlacementConstraints = append(s.PlacementConstraints, s.PlacementConstraints[0])
			}
		}, "spec.placementConstraints: Too many: 11: must have at most 10 items"},
		{"placement constraint type", func(s *ecsv1.TaskDefinitionSpec) { s.PlacementConstraints[0].Type = ptr.To("sameZone") },
			`spec.placementConstraints[0].type: Unsupported value: "sameZone"`},
		{"requiresCompatibilities enum", func(s *ecsv1.TaskDefinitionSpec) { s.RequiresCompatibilities = []string{"{{launchtype}}"} },
			`spec.requiresCompatibilities[0]: Unsupported value: "{{launchtype}}"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := validTaskDefinition()
			tt.mutate(&td.Spec)
			expectRejected(t, td, tt.want)
		})
	}
}

func TestTaskDefinitionAcceptsECSForms(t *testing.T) {
	forms := []struct{ cpu, memory intstr.IntOrString }{
		{intstr.FromInt32(1024), intstr.FromInt32(2048)},
		{intstr.FromString("1024"), intstr.FromString("2048")},
		{intstr.FromString("1 vCPU"), intstr.FromString("2 GB")},
		{intstr.FromString(".25 vcpu"), intstr.FromString("2GB")},
		{intstr.FromString("0.5 VCPU"), intstr.FromString(".5 gb")},
	}
	for _, f := range forms {
		td := validTaskDefinition()
		td.Spec.CPU, td.Spec.Memory = ptr.To(f.cpu), ptr.To(f.memory)
		if err := dryRunCreate(td); err != nil {
			t.Errorf("cpu %v memory %v rejected: %v", f.cpu.String(), f.memory.String(), err)
		}
	}
	// Empty strings in the mode fields are what ecspresso writes for "unset".
	td := validTaskDefinition()
	td.Spec.PidMode, td.Spec.IpcMode = ptr.To(""), ptr.To("")
	if err := dryRunCreate(td); err != nil {
		t.Errorf("empty pidMode/ipcMode rejected: %v", err)
	}
}

func TestECSServiceValidation(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*ecsv1.ECSServiceSpec)
		want   string
	}{
		{"missing taskDefinition", func(s *ecsv1.ECSServiceSpec) { s.TaskDefinition = "" },
			"spec.taskDefinition: Invalid value: \"\": spec.taskDefinition in body should be at least 1 chars long"},
		{"schedulingStrategy enum", func(s *ecsv1.ECSServiceSpec) { s.SchedulingStrategy = ptr.To("SINGLETON") },
			`spec.schedulingStrategy: Unsupported value: "SINGLETON"`},
		{"launchType enum", func(s *ecsv1.ECSServiceSpec) { s.LaunchType = ptr.To("LAMBDA") },
			`spec.launchType: Unsupported value: "LAMBDA"`},
		{"negative desiredCount", func(s *ecsv1.ECSServiceSpec) { s.DesiredCount = ptr.To[int32](-1) },
			"spec.desiredCount in body should be greater than or equal to 0"},
		{"minimumHealthyPercent above 100", func(s *ecsv1.ECSServiceSpec) {
			s.DeploymentConfiguration.MinimumHealthyPercent = ptr.To[int32](101)
		}, "minimumHealthyPercent in body should be less than or equal to 100"},
		{"maximumPercent negative", func(s *ecsv1.ECSServiceSpec) {
			s.DeploymentConfiguration.MaximumPercent = ptr.To[int32](-5)
		}, "maximumPercent in body should be greater than or equal to 0"},
		{"minimumHealthyPercent above maximumPercent", func(s *ecsv1.ECSServiceSpec) {
			s.DeploymentConfiguration.MaximumPercent = ptr.To[int32](40)
		}, "deploymentConfiguration: minimumHealthyPercent must not exceed maximumPercent"},
		{"more than 5 placement strategies", func(s *ecsv1.ECSServiceSpec) {
			for range 5 {
				s.PlacementStrategy = append(s.PlacementStrategy, s.PlacementStrategy[0])
			}
		}, "spec.placementStrategy: Too many: 6: must have at most 5 items"},
		{"placement strategy type", func(s *ecsv1.ECSServiceSpec) { s.PlacementStrategy[0].Type = ptr.To("pack") },
			`spec.placementStrategy[0].type: Unsupported value: "pack"`},
		{"more than 10 placement constraints", func(s *ecsv1.ECSServiceSpec) {
			for range 10 {
				s.PlacementConstraints = append(s.PlacementConstraints, s.PlacementConstraints[0])
			}
		}, "spec.placementConstraints: Too many: 11: must have at most 10 items"},
		{"launchType with capacityProviderStrategy", func(s *ecsv1.ECSServiceSpec) {
			s.CapacityProviderStrategy = []ecsv1.CapacityProviderStrategyItem{{CapacityProvider: "FARGATE_SPOT", Weight: ptr.To[int32](1)}}
		}, "launchType and capacityProviderStrategy are mutually exclusive"},
		{"DAEMON with placementStrategy", func(s *ecsv1.ECSServiceSpec) { s.SchedulingStrategy = ptr.To("DAEMON") },
			"placementStrategy: not allowed with schedulingStrategy DAEMON"},
		{"DAEMON on FARGATE", func(s *ecsv1.ECSServiceSpec) {
			s.SchedulingStrategy, s.LaunchType, s.PlacementStrategy = ptr.To("DAEMON"), ptr.To("FARGATE"), nil
		}, "schedulingStrategy DAEMON is not supported with launchType FARGATE"},
		{"deploymentController enum", func(s *ecsv1.ECSServiceSpec) {
			s.DeploymentController = &ecsv1.DeploymentController{Type: "ARGO"}
		}, `spec.deploymentController.type: Unsupported value: "ARGO"`},
		{"autoScaling min above max", func(s *ecsv1.ECSServiceSpec) {
			s.AutoScaling = &ecsv1.AutoScaling{MinCapacity: 5, MaxCapacity: 2}
		}, "autoScaling: minCapacity must not exceed maxCapacity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := validService()
			tt.mutate(&svc.Spec)
			expectRejected(t, svc, tt.want)
		})
	}
}

func TestECSServiceNameIsImmutable(t *testing.T) {
	ctx := context.Background()
	svc := validService()
	svc.Name = "immutable-name"
	svc.Spec.ServiceName = ptr.To("checkout")
	if err := k8sClient.Create(ctx, svc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8sClient.Delete(ctx, svc) })
	svc.Spec.ServiceName = ptr.To("checkout-v2")
	expectUpdateRejected(t, svc, "serviceName is immutable, as in ECS")
	svc.Spec.ServiceName = nil
	expectUpdateRejected(t, svc, "serviceName is immutable, as in ECS")
	svc.Spec.ServiceName = ptr.To("checkout")
	svc.Spec.DesiredCount = ptr.To[int32](6)
	if err := k8sClient.Update(ctx, svc, client.DryRunAll); err != nil {
		t.Errorf("an update keeping serviceName was rejected: %v", err)
	}
}

func expectUpdateRejected(t *testing.T, obj client.Object, want string) {
	t.Helper()
	err := k8sClient.Update(context.Background(), obj, client.DryRunAll)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("update error = %v, want one containing %q", err, want)
	}
}

func TestECSClusterValidation(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*ecsv1.ECSClusterSpec)
		want   string
	}{
		{"iam mode enum", func(s *ecsv1.ECSClusterSpec) { s.IAM.Mode = "Kiam" }, `spec.iam.mode: Unsupported value: "Kiam"`},
		{"accountId pattern", func(s *ecsv1.ECSClusterSpec) { s.IAM.AccountID = "12345" }, "spec.iam.accountId in body should match"},
		{"secret store kind", func(s *ecsv1.ECSClusterSpec) { s.SecretStoreRef.Kind = "Vault" }, `spec.secretStoreRef.kind: Unsupported value: "Vault"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCluster()
			tt.mutate(&c.Spec)
			expectRejected(t, c, tt.want)
		})
	}
}

func expectRejected(t *testing.T, obj client.Object, want string) {
	t.Helper()
	err := dryRunCreate(obj)
	if err == nil {
		t.Fatalf("accepted; want rejection containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("rejected with\n  %v\nwant message containing\n  %q", err, want)
	}
}
