package translate

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

const svcProviders = `{"capacityProviders":[
	{"name":"EC2","nodeSelector":{"karpenter.sh/nodepool":"general"}},
	{"name":"spot","nodeSelector":{"karpenter.sh/capacity-type":"spot"},"tolerations":[{"key":"spot","operator":"Exists","effect":"NoSchedule"}],"podLabels":{"cost":"low"}},
	{"name":"FARGATE","fargate":true,"podLabels":{"fargate":"yes"}}],
	"defaultCapacityProviderStrategy":[{"capacityProvider":"spot","weight":1}]}`

func TestServiceCapacity(t *testing.T) {
	tests := []struct {
		name, spec    string
		nodeSelector  map[string]string
		tolerations   int
		podLabel      string // key=value expected on pods, "" for none
		warningField  string
		warningSubstr string
	}{
		{"launch type", `{"launchType":"EC2"}`, map[string]string{"karpenter.sh/nodepool": "general"}, 0, "", "", ""},
		{"strategy", `{"capacityProviderStrategy":[{"capacityProvider":"spot","weight":1}]}`,
			map[string]string{"karpenter.sh/capacity-type": "spot"}, 1, "cost=low", "", ""},
		{"highest weight", `{"capacityProviderStrategy":[{"capacityProvider":"EC2","weight":1},{"capacityProvider":"spot","weight":4}]}`,
			map[string]string{"karpenter.sh/capacity-type": "spot"}, 1, "cost=low", "capacityProviderStrategy", "capacity provider split EC2 weight 1, spot weight 4 not reproduced; all pods use spot"},
		{"base wins", `{"capacityProviderStrategy":[{"capacityProvider":"spot","weight":4},{"capacityProvider":"EC2","base":2,"weight":1}]}`,
			map[string]string{"karpenter.sh/nodepool": "general"}, 0, "", "capacityProviderStrategy", "all pods use EC2"},
		{"cluster default", `{}`, map[string]string{"karpenter.sh/capacity-type": "spot"}, 1, "cost=low", "", ""},
		{"fargate", `{"launchType":"FARGATE"}`, nil, 0, "fargate=yes", "", ""},
		{"unknown provider", `{"capacityProviderStrategy":[{"capacityProvider":"gpu","weight":1}]}`, nil, 0, "", "capacityProviderStrategy", "capacity provider gpu is not defined"},
		{"no weights", `{"capacityProviderStrategy":[{"capacityProvider":"spot","weight":-1},{"capacityProvider":"EC2","weight":-2}]}`,
			map[string]string{"karpenter.sh/capacity-type": "spot"}, 1, "cost=low", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := svcInput(t, tt.spec)
			in.Cluster = svcClusterSpec(t, svcProviders)
			res := svcTranslate(t, in)
			pod := res.Deployment.Spec.Template
			if !reflect.DeepEqual(pod.Spec.NodeSelector, tt.nodeSelector) {
				t.Errorf("nodeSelector = %v, want %v", pod.Spec.NodeSelector, tt.nodeSelector)
			}
			if len(pod.Spec.Tolerations) != tt.tolerations {
				t.Errorf("tolerations = %v", pod.Spec.Tolerations)
			}
			for k, v := range map[string]string{"cost": "low", "fargate": "yes"} {
				_, has := pod.Labels[k]
				if want := tt.podLabel == k+"="+v; has != want || (has && pod.Labels[k] != v) {
					t.Errorf("pod label %s: %v, want %v", k, pod.Labels, tt.podLabel)
				}
			}
			if tt.warningField != "" && !svcHasNote(res.Warnings, tt.warningField, tt.warningSubstr) {
				t.Errorf("no warning on %s with %q: %v", tt.warningField, tt.warningSubstr, res.Warnings)
			}
		})
	}
}

func TestServiceCapacityBuiltIns(t *testing.T) {
	res := svcTranslate(t, svcInput(t, `{"launchType":"FARGATE"}`))
	if pod := res.Deployment.Spec.Template.Spec; pod.NodeSelector != nil || pod.Tolerations != nil {
		t.Errorf("built-in FARGATE adds no node placement: %v %v", pod.NodeSelector, pod.Tolerations)
	}
	if !svcHasNote(res.Notes, "launchType", `Fargate profile selects namespace "shop"`) {
		t.Errorf("notes = %v", res.Notes)
	}
	res = svcTranslate(t, svcInput(t, `{"capacityProviderStrategy":[{"capacityProvider":"FARGATE_SPOT","weight":1}]}`))
	if !svcHasNote(res.Warnings, "capacityProviderStrategy", "EKS Fargate has no Spot") {
		t.Errorf("warnings = %v", res.Warnings)
	}
	// A FARGATE-only task definition defaults to Fargate: placement is
	// then ignored with a warning.
	in := svcInput(t, `{"placementConstraints":[{"type":"memberOf","expression":"attribute:ecs.instance-type == m5.large"}]}`)
	in.TaskSpec.RequiresCompatibilities = []string{"FARGATE"}
	res = svcTranslate(t, in)
	if res.Deployment.Spec.Template.Spec.Affinity != nil || !svcHasNote(res.Warnings, "placementConstraints[0]", "ignored on Fargate") {
		t.Errorf("affinity %v warnings %v", res.Deployment.Spec.Template.Spec.Affinity, res.Warnings)
	}
}

func TestServiceCapacityErrors(t *testing.T) {
	tests := []struct {
		name, spec, field, message string
		bridge                     bool
		task                       func(*ecsv1.TaskDefinitionSpec)
	}{
		{"bridge on fargate", `{"launchType":"FARGATE"}`, "launchType", "requires networkMode awsvpc", true, nil},
		{"privileged on fargate", `{"launchType":"FARGATE"}`, "launchType", "privileged", false, func(s *ecsv1.TaskDefinitionSpec) { s.ContainerDefinitions[0].Privileged = ptr.To(true) }},
		{"gpu on fargate", `{"launchType":"FARGATE"}`, "launchType", "GPUs", false, func(s *ecsv1.TaskDefinitionSpec) {
			s.ContainerDefinitions[0].ResourceRequirements = []ecsv1.ResourceRequirement{{Type: "GPU", Value: "1"}}
		}},
		{"two bases", `{"capacityProviderStrategy":[{"capacityProvider":"EC2","base":1},{"capacityProvider":"spot","base":1}]}`, "capacityProviderStrategy", "only one capacity provider may have a base", false, nil},
		{"no provider name", `{"capacityProviderStrategy":[{"capacityProvider":"","weight":1}]}`, "capacityProviderStrategy[0].capacityProvider", "required", false, nil},
		{"conflicting selector", `{"launchType":"EC2"}`, "launchType", "no node can satisfy both", false, func(s *ecsv1.TaskDefinitionSpec) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := svcInput(t, tt.spec)
			if tt.bridge {
				in = svcBridgeInput(t, tt.spec)
			}
			in.Cluster = svcClusterSpec(t, svcProviders)
			if tt.task != nil {
				tt.task(in.TaskSpec)
			}
			if tt.name == "conflicting selector" {
				in.Task.PodTemplate.Spec.NodeSelector = map[string]string{"karpenter.sh/nodepool": "arm"}
			}
			errs := svcErrors(t, in)
			if !svcHasError(errs, tt.field, tt.message) {
				t.Errorf("want %s: %q, got %v", tt.field, tt.message, errs)
			}
		})
	}
}

func TestServicePlacement(t *testing.T) {
	in := svcInput(t, `{"desiredCount":3,"placementConstraints":[{"type":"distinctInstance"}],
		"placementStrategy":[{"type":"spread","field":"attribute:ecs.availability-zone"},{"type":"binpack","field":"memory"}]}`)
	in.TaskSpec.PlacementConstraints = []ecsv1.PlacementConstraint{{Type: ptr.To("memberOf"), Expression: ptr.To("attribute:ecs.cpu-architecture == arm64")}}
	in.Cluster = svcClusterSpec(t, `{"binpackSchedulerNames":{"memory":"binpack-memory"}}`)
	res := svcTranslate(t, in)
	pod := res.Deployment.Spec.Template.Spec
	terms := pod.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	want := []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/arch", Operator: corev1.NodeSelectorOpIn, Values: []string{"arm64"}}}}}
	if !reflect.DeepEqual(terms, want) {
		t.Errorf("node terms = %+v", terms)
	}
	anti := pod.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	if len(anti) != 1 || anti[0].TopologyKey != "kubernetes.io/hostname" || anti[0].LabelSelector.MatchLabels[ecsv1.LabelService] != "web" {
		t.Errorf("anti-affinity = %+v", anti)
	}
	if len(pod.TopologySpreadConstraints) != 1 || pod.TopologySpreadConstraints[0].TopologyKey != "topology.kubernetes.io/zone" {
		t.Errorf("spread = %+v", pod.TopologySpreadConstraints)
	}
	if pod.SchedulerName != "binpack-memory" {
		t.Errorf("schedulerName = %q", pod.SchedulerName)
	}
	// A zone spread with the default availabilityZoneRebalancing (ENABLED).
	if !svcHasNote(res.Warnings, "availabilityZoneRebalancing", "descheduler") {
		t.Errorf("warnings = %v", res.Warnings)
	}
}

func TestServicePlacementErrorsNameTheTaskDefinition(t *testing.T) {
	in := svcInput(t, `{"desiredCount":1}`)
	in.TaskSpec.PlacementConstraints = []ecsv1.PlacementConstraint{{Type: ptr.To("memberOf"), Expression: ptr.To("attribute:ecs.instance-type =~ t2.*")}}
	errs := svcErrors(t, in)
	found := false
	for _, e := range errs {
		if len(e.Field) > len("taskDefinition.placementConstraints[0]")-1 && e.Field[:len("taskDefinition.placementConstraints[0]")] == "taskDefinition.placementConstraints[0]" {
			found = true
		}
	}
	if !found {
		t.Errorf("errors = %v", errs)
	}
	// With known values the regex expands.
	in.Cluster = svcClusterSpec(t, `{"knownAttributeValues":{"ecs.instance-type":["t2.micro","t3.micro","t2.large"]}}`)
	res := svcTranslate(t, in)
	terms := res.Deployment.Spec.Template.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	if got := terms[0].MatchExpressions[0].Values; !reflect.DeepEqual(got, []string{"t2.large", "t2.micro"}) {
		t.Errorf("expanded values = %v", got)
	}
	// A node inventory works the same way.
	in.Cluster = nil
	in.Nodes = NodeInventory{"node.kubernetes.io/instance-type": {"t2.small", "m5.large"}}
	res = svcTranslate(t, in)
	terms = res.Deployment.Spec.Template.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	if got := terms[0].MatchExpressions[0].Values; !reflect.DeepEqual(got, []string{"t2.small"}) {
		t.Errorf("expanded values = %v", got)
	}
}

func TestServiceZoneRebalancing(t *testing.T) {
	for _, tt := range []struct {
		spec, severity string
	}{
		{`{"availabilityZoneRebalancing":"ENABLED"}`, "info"},
		{`{"availabilityZoneRebalancing":"DISABLED","placementStrategy":[{"type":"spread","field":"attribute:ecs.availability-zone"}]}`, "info"},
		{`{"availabilityZoneRebalancing":"ENABLED","placementStrategy":[{"type":"spread","field":"attribute:ecs.availability-zone"}]}`, "warning"},
		{`{}`, "none"},
	} {
		res := svcTranslate(t, svcInput(t, tt.spec))
		w, n := svcHasNote(res.Warnings, "availabilityZoneRebalancing", ""), svcHasNote(res.Notes, "availabilityZoneRebalancing", "")
		if got := map[[2]bool]string{{true, false}: "warning", {false, true}: "info", {false, false}: "none"}[[2]bool{w, n}]; got != tt.severity {
			t.Errorf("%s: %s, want %s", tt.spec, got, tt.severity)
		}
	}
}

func TestServiceManagedEBSVolume(t *testing.T) {
	in := svcInput(t, `{"desiredCount":2,"tags":[{"key":"team","value":"shop"}],"volumeConfigurations":[{"name":"data","managedEBSVolume":{
		"sizeInGiB":20,"volumeType":"io2","iops":4000,"throughput":250,"encrypted":true,"kmsKeyId":"arn:aws:kms:us-east-1:1:key/k","filesystemType":"ext4",
		"roleArn":"arn:aws:iam::1:role/ecs-infra","tagSpecifications":[{"resourceType":"volume","tags":[{"key":"backup","value":"daily"}],"propagateTags":"SERVICE"}]}}]}`)
	in.TaskSpec.Volumes = []ecsv1.Volume{{Name: ptr.To("data"), ConfiguredAtLaunch: ptr.To(true)}}
	in.Task.PodTemplate.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{
		VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{}}}}}
	in.Task.PodTemplate.Spec.Volumes[0].Ephemeral.VolumeClaimTemplate.Annotations = map[string]string{ecsv1.AnnotationOriginalName: "data"}
	res := svcTranslate(t, in)
	if len(res.StorageClasses) != 1 {
		t.Fatalf("storage classes = %d", len(res.StorageClasses))
	}
	sc := res.StorageClasses[0]
	wantParams := map[string]string{
		"type": "io2", "iops": "4000", "throughput": "250", "encrypted": "true", "kmsKeyId": "arn:aws:kms:us-east-1:1:key/k",
		"csi.storage.k8s.io/fstype": "ext4", "tagSpecification_1": "backup=daily",
	}
	if !reflect.DeepEqual(sc.Parameters, wantParams) {
		t.Errorf("parameters = %v, want %v", sc.Parameters, wantParams)
	}
	if sc.APIVersion != "storage.k8s.io/v1" || sc.Kind != "StorageClass" || sc.Namespace != "" || sc.Provisioner != "ebs.csi.aws.com" ||
		*sc.VolumeBindingMode != storagev1.VolumeBindingWaitForFirstConsumer || *sc.ReclaimPolicy != corev1.PersistentVolumeReclaimDelete {
		t.Errorf("storage class = %+v", sc)
	}
	if sc.Name != serviceStorageClassName(wantParams) || len(sc.Name) != len("ecs-ebs-")+10 {
		t.Errorf("name = %q", sc.Name)
	}
	// Shared by services with the same parameters: no service label, no tags.
	if !reflect.DeepEqual(sc.Labels, map[string]string{ecsv1.LabelManagedBy: ecsv1.ManagedByValue}) {
		t.Errorf("labels = %v", sc.Labels)
	}
	vol := res.Deployment.Spec.Template.Spec.Volumes[0]
	claim := vol.Ephemeral.VolumeClaimTemplate
	if vol.Name != "data" || ptr.Deref(claim.Spec.StorageClassName, "") != sc.Name || claim.Spec.Resources.Requests.Storage().String() != "20Gi" ||
		!reflect.DeepEqual(claim.Spec.AccessModes, []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}) {
		t.Errorf("volume = %+v", vol)
	}
	if in.Task.PodTemplate.Spec.Volumes[0].Ephemeral.VolumeClaimTemplate.Spec.StorageClassName != nil {
		t.Errorf("the input pod template was modified")
	}
	for field, substr := range map[string]string{
		"volumeConfigurations[0].managedEBSVolume.tagSpecifications[0].propagateTags": "SERVICE tags are not copied",
	} {
		if !svcHasNote(res.Warnings, field, substr) {
			t.Errorf("no warning on %s: %v", field, res.Warnings)
		}
	}
	if !svcHasNote(res.Notes, "volumeConfigurations[0].managedEBSVolume.roleArn", "") {
		t.Errorf("notes = %v", res.Notes)
	}
}

func TestServiceManagedEBSVolumeDefaults(t *testing.T) {
	in := svcInput(t, `{"desiredCount":1,"volumeConfigurations":[{"name":"data","managedEBSVolume":{"sizeInGiB":1,"snapshotId":"snap-0123"}}]}`)
	in.TaskSpec.Volumes = []ecsv1.Volume{{Name: ptr.To("data"), ConfiguredAtLaunch: ptr.To(true)}}
	res := svcTranslate(t, in)
	// ECS defaults: gp3, encrypted, xfs.
	want := map[string]string{"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "xfs"}
	if !reflect.DeepEqual(res.StorageClasses[0].Parameters, want) {
		t.Errorf("parameters = %v", res.StorageClasses[0].Parameters)
	}
	claim := res.Deployment.Spec.Template.Spec.Volumes[0].Ephemeral.VolumeClaimTemplate.Spec
	if claim.DataSource == nil || claim.DataSource.Kind != "VolumeSnapshot" || claim.DataSource.Name != "snap-0123" || ptr.Deref(claim.DataSource.APIGroup, "") != "snapshot.storage.k8s.io" {
		t.Errorf("dataSource = %+v", claim.DataSource)
	}
	if !svcHasNote(res.Warnings, "volumeConfigurations[0].managedEBSVolume.snapshotId", "must be imported as VolumeSnapshot") {
		t.Errorf("warnings = %v", res.Warnings)
	}
}

func TestServiceManagedEBSVolumeErrors(t *testing.T) {
	tests := []struct {
		name, spec, field, message string
		atLaunch                   bool
	}{
		{"missing configuration", `{}`, "volumeConfigurations", `volume "data" is configuredAtLaunch`, true},
		{"not at launch", `{"volumeConfigurations":[{"name":"data","managedEBSVolume":{"sizeInGiB":1}}]}`, "volumeConfigurations[0].name", "no configuredAtLaunch volume", false},
		{"no size", `{"volumeConfigurations":[{"name":"data","managedEBSVolume":{}}]}`, "volumeConfigurations[0].managedEBSVolume.sizeInGiB", "required", true},
		{"snapshot without size", `{"volumeConfigurations":[{"name":"data","managedEBSVolume":{"snapshotId":"snap-1"}}]}`, "volumeConfigurations[0].managedEBSVolume.sizeInGiB", "even with a snapshot", true},
		{"no volume", `{"volumeConfigurations":[{"name":"data"}]}`, "volumeConfigurations[0].managedEBSVolume", "required", true},
		{"bad type", `{"volumeConfigurations":[{"name":"data","managedEBSVolume":{"sizeInGiB":1,"volumeType":"gp9"}}]}`, "volumeConfigurations[0].managedEBSVolume.volumeType", "not an EBS volume type", true},
		{"bad tag resource", `{"volumeConfigurations":[{"name":"data","managedEBSVolume":{"sizeInGiB":1,"tagSpecifications":[{"resourceType":"snapshot"}]}}]}`, "volumeConfigurations[0].managedEBSVolume.tagSpecifications[0].resourceType", "only volume", true},
		{"fargate", `{"launchType":"FARGATE","volumeConfigurations":[{"name":"data","managedEBSVolume":{"sizeInGiB":1}}]}`, "volumeConfigurations[0]", "EKS Fargate", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := svcInput(t, tt.spec)
			if tt.atLaunch {
				in.TaskSpec.Volumes = []ecsv1.Volume{{Name: ptr.To("data"), ConfiguredAtLaunch: ptr.To(true)}}
			}
			errs := svcErrors(t, in)
			if !svcHasError(errs, tt.field, tt.message) {
				t.Errorf("want %s: %q, got %v", tt.field, tt.message, errs)
			}
		})
	}
}
