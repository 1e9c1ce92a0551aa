package translate

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// serviceFieldSample proves that one ECS service field is mapped or
// reported: translating with differs from translating base (objects,
// warnings, notes or errors), and base and with differ only in that
// field. Fields of an object that is reported as a whole (for example
// advancedConfiguration) are proven by adding the object with the field.
type serviceFieldSample struct {
	base, with string
	// input adjusts the input of both translations.
	input func(*testing.T, *ServiceInput)
	// wantErr says with is invalid: the field is proven by the error.
	wantErr bool
}

// serviceFieldsResolvedBeforeTranslation are consumed by the controller,
// which resolves them into the translation's inputs (ClusterName and
// Cluster; TaskSpec and Task).
var serviceFieldsResolvedBeforeTranslation = []string{"cluster", "taskDefinition"}

const (
	svcLB       = `{"targetGroupArn":"` + svcTargetGroup + `","containerName":"app","containerPort":80}`
	svcRegistry = `"registryArn":"arn:aws:servicediscovery:us-east-1:1:service/srv-1"`
	svcSC       = `"enabled":true,"services":[{"portName":"http","clientAliases":[{"port":80}]}]`
	svcEBS      = `"name":"data","managedEBSVolume":{"sizeInGiB":10`
	svcScaling  = `"minCapacity":1,"maxCapacity":5,"targetTrackingScalingPolicies":[`
	svcCustom   = `{"targetValue":10,"customizedMetricSpecification":{"metricName":"Depth","namespace":"Shop"`
)

// svcWithProviders gives the cluster EC2 and spot capacity providers.
func svcWithProviders(t *testing.T, in *ServiceInput) { in.Cluster = svcClusterSpec(t, svcProviders) }

// svcWithBridge makes the task a bridge task (see svcBridgeInput).
func svcWithBridge(t *testing.T, in *ServiceInput) { *in = svcBridgeInput(t, "{}") }

// svcWithLaunchVolume gives the task a configuredAtLaunch volume "data".
func svcWithLaunchVolume(_ *testing.T, in *ServiceInput) {
	name, atLaunch := "data", true
	in.TaskSpec.Volumes = []ecsv1.Volume{{Name: &name, ConfiguredAtLaunch: &atLaunch}}
}

// svcWithRegion sets the cluster's AWS region.
func svcWithRegion(_ *testing.T, in *ServiceInput) { in.Cluster.Region = "us-east-1" }

// svcWithAdminPort gives container app a second port, admin 9090.
func svcWithAdminPort(_ *testing.T, in *ServiceInput) {
	in.Task.Ports = append(in.Task.Ports, TaskPort{Container: "app", Name: "admin", ECSName: "admin", ContainerPort: 9090, Protocol: corev1.ProtocolTCP})
}

var serviceFieldSamples = map[string]serviceFieldSample{
	"serviceName":                 {with: `{"serviceName":"storefront"}`},
	"availabilityZoneRebalancing": {with: `{"availabilityZoneRebalancing":"DISABLED"}`},
	"loadBalancers[].targetGroupArn": {
		base: `{"loadBalancers":[{"loadBalancerName":"classic","containerName":"app","containerPort":80}]}`,
		with: `{"loadBalancers":[{"loadBalancerName":"classic","containerName":"app","containerPort":80,"targetGroupArn":"` + svcTargetGroup + `"}]}`},
	"loadBalancers[].loadBalancerName": {base: `{"loadBalancers":[` + svcLB + `]}`,
		with: `{"loadBalancers":[{"loadBalancerName":"classic","targetGroupArn":"` + svcTargetGroup + `","containerName":"app","containerPort":80}]}`},
	"loadBalancers[].containerName": {base: `{"loadBalancers":[` + svcLB + `]}`,
		with: `{"loadBalancers":[{"targetGroupArn":"` + svcTargetGroup + `","containerName":"db","containerPort":80}]}`, wantErr: true},
	"loadBalancers[].containerPort": {base: `{"loadBalancers":[` + svcLB + `]}`,
		with: `{"loadBalancers":[{"targetGroupArn":"` + svcTargetGroup + `","containerName":"app","containerPort":81}]}`, wantErr: true},
	"loadBalancers[].advancedConfiguration.alternateTargetGroupArn": {base: `{"loadBalancers":[` + svcLB + `]}`,
		with: `{"loadBalancers":[{"targetGroupArn":"` + svcTargetGroup + `","containerName":"app","containerPort":80,"advancedConfiguration":{"alternateTargetGroupArn":"x"}}]}`},
	"loadBalancers[].advancedConfiguration.productionListenerRule": {base: `{"loadBalancers":[` + svcLB + `]}`,
		with: `{"loadBalancers":[{"targetGroupArn":"` + svcTargetGroup + `","containerName":"app","containerPort":80,"advancedConfiguration":{"productionListenerRule":"x"}}]}`},
	"loadBalancers[].advancedConfiguration.testListenerRule": {base: `{"loadBalancers":[` + svcLB + `]}`,
		with: `{"loadBalancers":[{"targetGroupArn":"` + svcTargetGroup + `","containerName":"app","containerPort":80,"advancedConfiguration":{"testListenerRule":"x"}}]}`},
	"loadBalancers[].advancedConfiguration.roleArn": {base: `{"loadBalancers":[` + svcLB + `]}`,
		with: `{"loadBalancers":[{"targetGroupArn":"` + svcTargetGroup + `","containerName":"app","containerPort":80,"advancedConfiguration":{"roleArn":"x"}}]}`},
	"serviceRegistries[].registryArn": {with: `{"serviceRegistries":[{` + svcRegistry + `}]}`},
	"serviceRegistries[].port":        {base: `{"serviceRegistries":[{` + svcRegistry + `}]}`, with: `{"serviceRegistries":[{` + svcRegistry + `,"port":80}]}`},
	"serviceRegistries[].containerName": {input: svcWithBridge,
		base: `{"serviceRegistries":[{` + svcRegistry + `,"containerName":"app","containerPort":8080}]}`,
		with: `{"serviceRegistries":[{` + svcRegistry + `,"containerName":"db","containerPort":8080}]}`, wantErr: true},
	"serviceRegistries[].containerPort": {input: svcWithBridge,
		base: `{"serviceRegistries":[{` + svcRegistry + `,"containerName":"app","containerPort":8080}]}`,
		with: `{"serviceRegistries":[{` + svcRegistry + `,"containerName":"app","containerPort":8081}]}`, wantErr: true},
	"desiredCount":    {base: `{"desiredCount":2}`, with: `{"desiredCount":5}`},
	"clientToken":     {with: `{"clientToken":"abc"}`},
	"launchType":      {with: `{"launchType":"FARGATE"}`},
	"platformVersion": {with: `{"platformVersion":"LATEST"}`},
	"role":            {with: `{"role":"ecsServiceRole"}`},
	"capacityProviderStrategy[].capacityProvider": {input: svcWithProviders,
		base: `{"capacityProviderStrategy":[{"capacityProvider":"EC2","weight":1}]}`,
		with: `{"capacityProviderStrategy":[{"capacityProvider":"spot","weight":1}]}`},
	"capacityProviderStrategy[].weight": {input: svcWithProviders,
		base: `{"capacityProviderStrategy":[{"capacityProvider":"EC2","weight":1},{"capacityProvider":"spot","weight":0}]}`,
		with: `{"capacityProviderStrategy":[{"capacityProvider":"EC2","weight":1},{"capacityProvider":"spot","weight":2}]}`},
	"capacityProviderStrategy[].base": {input: svcWithProviders,
		base: `{"capacityProviderStrategy":[{"capacityProvider":"EC2","weight":1},{"capacityProvider":"spot","weight":2}]}`,
		with: `{"capacityProviderStrategy":[{"capacityProvider":"EC2","weight":1,"base":1},{"capacityProvider":"spot","weight":2}]}`},
	"deploymentConfiguration.deploymentCircuitBreaker.enable": {
		base: `{"deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":false,"rollback":false}}}`,
		with: `{"deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":false}}}`},
	"deploymentConfiguration.deploymentCircuitBreaker.rollback": {
		base: `{"deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":false}}}`,
		with: `{"deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":true}}}`},
	"deploymentConfiguration.maximumPercent": {base: `{"desiredCount":4}`, with: `{"desiredCount":4,"deploymentConfiguration":{"maximumPercent":150}}`},
	"deploymentConfiguration.minimumHealthyPercent": {base: `{"desiredCount":4}`,
		with: `{"desiredCount":4,"deploymentConfiguration":{"minimumHealthyPercent":50}}`},
	"deploymentConfiguration.alarms.alarmNames[]": {with: `{"deploymentConfiguration":{"alarms":{"alarmNames":["high-latency"],"enable":false,"rollback":false}}}`},
	"deploymentConfiguration.alarms.rollback":     {with: `{"deploymentConfiguration":{"alarms":{"alarmNames":[],"enable":false,"rollback":true}}}`},
	"deploymentConfiguration.alarms.enable": {
		base: `{"deploymentConfiguration":{"alarms":{"alarmNames":["a"],"enable":false,"rollback":true}}}`,
		with: `{"deploymentConfiguration":{"alarms":{"alarmNames":["a"],"enable":true,"rollback":true}}}`},
	"deploymentConfiguration.strategy":                                    {with: `{"deploymentConfiguration":{"strategy":"CANARY"}}`},
	"deploymentConfiguration.bakeTimeInMinutes":                           {with: `{"deploymentConfiguration":{"bakeTimeInMinutes":5}}`},
	"deploymentConfiguration.lifecycleHooks[].hookTargetArn":              {with: `{"deploymentConfiguration":{"lifecycleHooks":[{"hookTargetArn":"arn:aws:lambda:us-east-1:1:function:f"}]}}`},
	"deploymentConfiguration.lifecycleHooks[].roleArn":                    {with: `{"deploymentConfiguration":{"lifecycleHooks":[{"roleArn":"r"}]}}`},
	"deploymentConfiguration.lifecycleHooks[].lifecycleStages[]":          {with: `{"deploymentConfiguration":{"lifecycleHooks":[{"lifecycleStages":["PRE_SCALE_UP"]}]}}`},
	"deploymentConfiguration.lifecycleHooks[].hookDetails":                {with: `{"deploymentConfiguration":{"lifecycleHooks":[{"hookDetails":{"a":1}}]}}`},
	"deploymentConfiguration.linearConfiguration.stepPercent":             {with: `{"deploymentConfiguration":{"linearConfiguration":{"stepPercent":10}}}`},
	"deploymentConfiguration.linearConfiguration.stepBakeTimeInMinutes":   {with: `{"deploymentConfiguration":{"linearConfiguration":{"stepBakeTimeInMinutes":3}}}`},
	"deploymentConfiguration.canaryConfiguration.canaryPercent":           {with: `{"deploymentConfiguration":{"canaryConfiguration":{"canaryPercent":5}}}`},
	"deploymentConfiguration.canaryConfiguration.canaryBakeTimeInMinutes": {with: `{"deploymentConfiguration":{"canaryConfiguration":{"canaryBakeTimeInMinutes":3}}}`},
	"placementConstraints[].type":                                         {with: `{"placementConstraints":[{"type":"distinctInstance"}]}`},
	"placementConstraints[].expression": {
		base: `{"placementConstraints":[{"type":"memberOf","expression":"attribute:ecs.instance-type == m5.large"}]}`,
		with: `{"placementConstraints":[{"type":"memberOf","expression":"attribute:ecs.instance-type == c5.large"}]}`},
	"placementStrategy[].type": {
		base: `{"placementStrategy":[{"type":"random"}]}`,
		with: `{"placementStrategy":[{"type":"spread","field":"instanceId"}]}`},
	"placementStrategy[].field": {
		base: `{"placementStrategy":[{"type":"spread","field":"instanceId"}]}`,
		with: `{"placementStrategy":[{"type":"spread","field":"attribute:ecs.availability-zone"}]}`},
	"networkConfiguration.awsvpcConfiguration.subnets[]":        {with: `{"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"]}}}`},
	"networkConfiguration.awsvpcConfiguration.securityGroups[]": {with: `{"networkConfiguration":{"awsvpcConfiguration":{"securityGroups":["sg-1"]}}}`},
	"networkConfiguration.awsvpcConfiguration.assignPublicIp":   {with: `{"networkConfiguration":{"awsvpcConfiguration":{"assignPublicIp":"ENABLED"}}}`},
	"healthCheckGracePeriodSeconds":                             {with: `{"healthCheckGracePeriodSeconds":120}`},
	"schedulingStrategy":                                        {with: `{"schedulingStrategy":"DAEMON"}`},
	"deploymentController.type":                                 {with: `{"deploymentController":{"type":"CODE_DEPLOY"}}`},
	"tags[].key":                                                {base: `{"tags":[{"value":"shop"}]}`, with: `{"tags":[{"key":"team","value":"shop"}]}`},
	"tags[].value":                                              {base: `{"tags":[{"key":"team","value":"shop"}]}`, with: `{"tags":[{"key":"team","value":"payments"}]}`},
	"enableECSManagedTags":                                      {with: `{"enableECSManagedTags":true}`},
	"propagateTags":                                             {base: `{"tags":[{"key":"team","value":"shop"}]}`, with: `{"tags":[{"key":"team","value":"shop"}],"propagateTags":"SERVICE"}`},
	"enableExecuteCommand":                                      {with: `{"enableExecuteCommand":false}`},
	"serviceConnectConfiguration.enabled": {
		base: `{"serviceConnectConfiguration":{"enabled":false,"services":[{"portName":"http","clientAliases":[{"port":80}]}]}}`,
		with: `{"serviceConnectConfiguration":{` + svcSC + `}}`},
	"serviceConnectConfiguration.namespace": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`, with: `{"serviceConnectConfiguration":{` + svcSC + `,"namespace":"internal"}}`},
	"serviceConnectConfiguration.services[].portName": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"grpc","clientAliases":[{"port":80}]}]}}`, wantErr: true},
	"serviceConnectConfiguration.services[].discoveryName": {
		base: `{"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"http"}]}}`,
		with: `{"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"http","discoveryName":"api"}]}}`},
	"serviceConnectConfiguration.services[].clientAliases[].port": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"http","clientAliases":[{"port":8080}]}]}}`},
	"serviceConnectConfiguration.services[].clientAliases[].dnsName": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"http","clientAliases":[{"port":80,"dnsName":"api"}]}]}}`},
	"serviceConnectConfiguration.services[].clientAliases[].testTrafficRules": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"http","clientAliases":[{"port":80,"testTrafficRules":{"header":{"name":"x"}}}]}]}}`},
	"serviceConnectConfiguration.services[].ingressPortOverride": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"http","clientAliases":[{"port":80}],"ingressPortOverride":15000}]}}`},
	"serviceConnectConfiguration.services[].timeout.idleTimeoutSeconds": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"http","clientAliases":[{"port":80}],"timeout":{"idleTimeoutSeconds":30}}]}}`},
	"serviceConnectConfiguration.services[].timeout.perRequestTimeoutSeconds": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"http","clientAliases":[{"port":80}],"timeout":{"perRequestTimeoutSeconds":30}}]}}`},
	"serviceConnectConfiguration.services[].tls.issuerCertificateAuthority.awsPcaAuthorityArn": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"http","clientAliases":[{"port":80}],"tls":{"issuerCertificateAuthority":{"awsPcaAuthorityArn":"arn"}}}]}}`},
	"serviceConnectConfiguration.services[].tls.kmsKey": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"http","clientAliases":[{"port":80}],"tls":{"kmsKey":"k"}}]}}`},
	"serviceConnectConfiguration.services[].tls.roleArn": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"http","clientAliases":[{"port":80}],"tls":{"roleArn":"r"}}]}}`},
	"serviceConnectConfiguration.logConfiguration.logDriver": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{` + svcSC + `,"logConfiguration":{"logDriver":"awslogs"}}}`},
	"serviceConnectConfiguration.logConfiguration.options": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{` + svcSC + `,"logConfiguration":{"logDriver":"","options":{"awslogs-group":"g"}}}}`},
	"serviceConnectConfiguration.logConfiguration.secretOptions[].name": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{` + svcSC + `,"logConfiguration":{"logDriver":"","secretOptions":[{"name":"n","valueFrom":""}]}}}`},
	"serviceConnectConfiguration.logConfiguration.secretOptions[].valueFrom": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{` + svcSC + `,"logConfiguration":{"logDriver":"","secretOptions":[{"name":"","valueFrom":"arn"}]}}}`},
	"serviceConnectConfiguration.accessLogConfiguration.format": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{` + svcSC + `,"accessLogConfiguration":{"format":"JSON"}}}`},
	"serviceConnectConfiguration.accessLogConfiguration.includeQueryParameters": {base: `{"serviceConnectConfiguration":{` + svcSC + `}}`,
		with: `{"serviceConnectConfiguration":{` + svcSC + `,"accessLogConfiguration":{"includeQueryParameters":"ENABLED"}}}`},
	"volumeConfigurations[].name": {input: svcWithLaunchVolume, base: `{"volumeConfigurations":[{` + svcEBS + `}}]}`,
		with: `{"volumeConfigurations":[{"name":"other","managedEBSVolume":{"sizeInGiB":10}}]}`, wantErr: true},
	"volumeConfigurations[].managedEBSVolume.encrypted":  {input: svcWithLaunchVolume, base: `{"volumeConfigurations":[{` + svcEBS + `}}]}`, with: `{"volumeConfigurations":[{` + svcEBS + `,"encrypted":false}}]}`},
	"volumeConfigurations[].managedEBSVolume.kmsKeyId":   {input: svcWithLaunchVolume, base: `{"volumeConfigurations":[{` + svcEBS + `}}]}`, with: `{"volumeConfigurations":[{` + svcEBS + `,"kmsKeyId":"k"}}]}`},
	"volumeConfigurations[].managedEBSVolume.volumeType": {input: svcWithLaunchVolume, base: `{"volumeConfigurations":[{` + svcEBS + `}}]}`, with: `{"volumeConfigurations":[{` + svcEBS + `,"volumeType":"gp2"}}]}`},
	"volumeConfigurations[].managedEBSVolume.sizeInGiB": {input: svcWithLaunchVolume, base: `{"volumeConfigurations":[{` + svcEBS + `}}]}`,
		with: `{"volumeConfigurations":[{"name":"data","managedEBSVolume":{"sizeInGiB":20}}]}`},
	"volumeConfigurations[].managedEBSVolume.snapshotId":               {input: svcWithLaunchVolume, base: `{"volumeConfigurations":[{` + svcEBS + `}}]}`, with: `{"volumeConfigurations":[{` + svcEBS + `,"snapshotId":"snap-1"}}]}`},
	"volumeConfigurations[].managedEBSVolume.volumeInitializationRate": {input: svcWithLaunchVolume, base: `{"volumeConfigurations":[{` + svcEBS + `}}]}`, with: `{"volumeConfigurations":[{` + svcEBS + `,"volumeInitializationRate":100}}]}`},
	"volumeConfigurations[].managedEBSVolume.iops":                     {input: svcWithLaunchVolume, base: `{"volumeConfigurations":[{` + svcEBS + `}}]}`, with: `{"volumeConfigurations":[{` + svcEBS + `,"iops":3000}}]}`},
	"volumeConfigurations[].managedEBSVolume.throughput":               {input: svcWithLaunchVolume, base: `{"volumeConfigurations":[{` + svcEBS + `}}]}`, with: `{"volumeConfigurations":[{` + svcEBS + `,"throughput":125}}]}`},
	"volumeConfigurations[].managedEBSVolume.tagSpecifications[].resourceType": {input: svcWithLaunchVolume,
		base: `{"volumeConfigurations":[{` + svcEBS + `,"tagSpecifications":[{"resourceType":"volume","tags":[{"key":"k","value":"v"}]}]}}]}`,
		with: `{"volumeConfigurations":[{` + svcEBS + `,"tagSpecifications":[{"resourceType":"snapshot","tags":[{"key":"k","value":"v"}]}]}}]}`, wantErr: true},
	"volumeConfigurations[].managedEBSVolume.tagSpecifications[].tags[].key": {input: svcWithLaunchVolume,
		base: `{"volumeConfigurations":[{` + svcEBS + `,"tagSpecifications":[{"resourceType":"volume","tags":[{"value":"v"}]}]}}]}`,
		with: `{"volumeConfigurations":[{` + svcEBS + `,"tagSpecifications":[{"resourceType":"volume","tags":[{"key":"k","value":"v"}]}]}}]}`},
	"volumeConfigurations[].managedEBSVolume.tagSpecifications[].tags[].value": {input: svcWithLaunchVolume,
		base: `{"volumeConfigurations":[{` + svcEBS + `,"tagSpecifications":[{"resourceType":"volume","tags":[{"key":"k","value":"v"}]}]}}]}`,
		with: `{"volumeConfigurations":[{` + svcEBS + `,"tagSpecifications":[{"resourceType":"volume","tags":[{"key":"k","value":"w"}]}]}}]}`},
	"volumeConfigurations[].managedEBSVolume.tagSpecifications[].propagateTags": {input: svcWithLaunchVolume,
		base: `{"volumeConfigurations":[{` + svcEBS + `,"tagSpecifications":[{"resourceType":"volume"}]}}]}`,
		with: `{"volumeConfigurations":[{` + svcEBS + `,"tagSpecifications":[{"resourceType":"volume","propagateTags":"SERVICE"}]}}]}`},
	"volumeConfigurations[].managedEBSVolume.roleArn":        {input: svcWithLaunchVolume, base: `{"volumeConfigurations":[{` + svcEBS + `}}]}`, with: `{"volumeConfigurations":[{` + svcEBS + `,"roleArn":"r"}}]}`},
	"volumeConfigurations[].managedEBSVolume.filesystemType": {input: svcWithLaunchVolume, base: `{"volumeConfigurations":[{` + svcEBS + `}}]}`, with: `{"volumeConfigurations":[{` + svcEBS + `,"filesystemType":"ext4"}}]}`},
	"vpcLatticeConfigurations[].roleArn":                     {with: `{"vpcLatticeConfigurations":[{"roleArn":"r","targetGroupArn":"","portName":""}]}`},
	"vpcLatticeConfigurations[].targetGroupArn":              {with: `{"vpcLatticeConfigurations":[{"roleArn":"","targetGroupArn":"t","portName":""}]}`},
	"vpcLatticeConfigurations[].portName":                    {with: `{"vpcLatticeConfigurations":[{"roleArn":"","targetGroupArn":"","portName":"http"}]}`},
	"autoScaling.minCapacity": {base: `{"autoScaling":{` + svcScaling + svcCPUPolicy + `]}}`,
		with: `{"autoScaling":{"minCapacity":2,"maxCapacity":5,"targetTrackingScalingPolicies":[` + svcCPUPolicy + `]}}`},
	"autoScaling.maxCapacity": {base: `{"autoScaling":{` + svcScaling + svcCPUPolicy + `]}}`,
		with: `{"autoScaling":{"minCapacity":1,"maxCapacity":6,"targetTrackingScalingPolicies":[` + svcCPUPolicy + `]}}`},
	"autoScaling.targetTrackingScalingPolicies[].policyName": {base: `{"autoScaling":{` + svcScaling + svcCPUPolicy + `]}}`,
		with: `{"autoScaling":{` + svcScaling + `{"policyName":"cpu","targetValue":70,"predefinedMetricSpecification":{"predefinedMetricType":"ECSServiceAverageCPUUtilization"}}]}}`},
	"autoScaling.targetTrackingScalingPolicies[].targetValue": {base: `{"autoScaling":{` + svcScaling + svcCPUPolicy + `]}}`,
		with: `{"autoScaling":{` + svcScaling + `{"targetValue":50,"predefinedMetricSpecification":{"predefinedMetricType":"ECSServiceAverageCPUUtilization"}}]}}`},
	"autoScaling.targetTrackingScalingPolicies[].predefinedMetricSpecification.predefinedMetricType": {base: `{"autoScaling":{` + svcScaling + svcCPUPolicy + `]}}`,
		with: `{"autoScaling":{` + svcScaling + `{"targetValue":70,"predefinedMetricSpecification":{"predefinedMetricType":"ECSServiceAverageMemoryUtilization"}}]}}`},
	"autoScaling.targetTrackingScalingPolicies[].predefinedMetricSpecification.resourceLabel": {
		base: `{"loadBalancers":[` + svcLB + `],"autoScaling":{` + svcScaling + `{"targetValue":100,"predefinedMetricSpecification":{"predefinedMetricType":"ALBRequestCountPerTarget"}}]}}`,
		with: `{"loadBalancers":[` + svcLB + `],"autoScaling":{` + svcScaling + `{"targetValue":100,"predefinedMetricSpecification":{"predefinedMetricType":"ALBRequestCountPerTarget","resourceLabel":"app/shop/1/targetgroup/other/2"}}]}}`},
	"autoScaling.targetTrackingScalingPolicies[].customizedMetricSpecification.metricName": {input: svcWithRegion,
		base: `{"autoScaling":{` + svcScaling + svcCustom + `}}]}}`,
		with: `{"autoScaling":{` + svcScaling + `{"targetValue":10,"customizedMetricSpecification":{"metricName":"Lag","namespace":"Shop"}}]}}`},
	"autoScaling.targetTrackingScalingPolicies[].customizedMetricSpecification.namespace": {input: svcWithRegion,
		base: `{"autoScaling":{` + svcScaling + svcCustom + `}}]}}`,
		with: `{"autoScaling":{` + svcScaling + `{"targetValue":10,"customizedMetricSpecification":{"metricName":"Depth","namespace":"Orders"}}]}}`},
	"autoScaling.targetTrackingScalingPolicies[].customizedMetricSpecification.dimensions[].name": {input: svcWithRegion,
		base: `{"autoScaling":{` + svcScaling + svcCustom + `,"dimensions":[{"name":"Queue","value":"q"}]}}]}}`,
		with: `{"autoScaling":{` + svcScaling + svcCustom + `,"dimensions":[{"name":"Topic","value":"q"}]}}]}}`},
	"autoScaling.targetTrackingScalingPolicies[].customizedMetricSpecification.dimensions[].value": {input: svcWithRegion,
		base: `{"autoScaling":{` + svcScaling + svcCustom + `,"dimensions":[{"name":"Queue","value":"q"}]}}]}}`,
		with: `{"autoScaling":{` + svcScaling + svcCustom + `,"dimensions":[{"name":"Queue","value":"r"}]}}]}}`},
	"autoScaling.targetTrackingScalingPolicies[].customizedMetricSpecification.statistic": {input: svcWithRegion,
		base: `{"autoScaling":{` + svcScaling + svcCustom + `}}]}}`, with: `{"autoScaling":{` + svcScaling + svcCustom + `,"statistic":"Sum"}}]}}`},
	"autoScaling.targetTrackingScalingPolicies[].customizedMetricSpecification.unit": {input: svcWithRegion,
		base: `{"autoScaling":{` + svcScaling + svcCustom + `}}]}}`, with: `{"autoScaling":{` + svcScaling + svcCustom + `,"unit":"Count"}}]}}`},
	"autoScaling.targetTrackingScalingPolicies[].customizedMetricSpecification.metrics[]": {input: svcWithRegion,
		base: `{"autoScaling":{` + svcScaling + svcCustom + `}}]}}`, with: `{"autoScaling":{` + svcScaling + svcCustom + `,"metrics":[{"id":"m1"}]}}]}}`},
	"autoScaling.targetTrackingScalingPolicies[].scaleOutCooldown": {base: `{"autoScaling":{` + svcScaling + svcCPUPolicy + `]}}`,
		with: `{"autoScaling":{` + svcScaling + `{"targetValue":70,"predefinedMetricSpecification":{"predefinedMetricType":"ECSServiceAverageCPUUtilization"},"scaleOutCooldown":60}]}}`},
	"autoScaling.targetTrackingScalingPolicies[].scaleInCooldown": {base: `{"autoScaling":{` + svcScaling + svcCPUPolicy + `]}}`,
		with: `{"autoScaling":{` + svcScaling + `{"targetValue":70,"predefinedMetricSpecification":{"predefinedMetricType":"ECSServiceAverageCPUUtilization"},"scaleInCooldown":60}]}}`},
	"autoScaling.targetTrackingScalingPolicies[].disableScaleIn": {base: `{"autoScaling":{` + svcScaling + svcCPUPolicy + `]}}`,
		with: `{"autoScaling":{` + svcScaling + `{"targetValue":70,"predefinedMetricSpecification":{"predefinedMetricType":"ECSServiceAverageCPUUtilization"},"disableScaleIn":true}]}}`},
	"autoScaling.stepScalingPolicies[]": {base: `{"autoScaling":{` + svcScaling + svcCPUPolicy + `]}}`,
		with: `{"autoScaling":{` + svcScaling + svcCPUPolicy + `],"stepScalingPolicies":[{"policyName":"s"}]}}`},
	"autoScaling.scheduledActions[]": {base: `{"autoScaling":{` + svcScaling + svcCPUPolicy + `]}}`,
		with: `{"autoScaling":{` + svcScaling + svcCPUPolicy + `],"scheduledActions":[{"schedule":"rate(1 day)"}]}}`},
	"ingress.type":                       {base: `{"ingress":{}}`, with: `{"ingress":{"type":"NLB"}}`},
	"ingress.className":                  {base: `{"ingress":{}}`, with: `{"ingress":{"className":"alb-internal"}}`},
	"ingress.scheme":                     {base: `{"ingress":{}}`, with: `{"ingress":{"scheme":"internet-facing"}}`},
	"ingress.hosts[]":                    {base: `{"ingress":{}}`, with: `{"ingress":{"hosts":["shop.example.com"]}}`},
	"ingress.path":                       {base: `{"ingress":{}}`, with: `{"ingress":{"path":"/api"}}`},
	"ingress.pathType":                   {base: `{"ingress":{}}`, with: `{"ingress":{"pathType":"Exact"}}`},
	"ingress.containerName":              {input: svcWithBridge, base: `{"ingress":{}}`, with: `{"ingress":{"containerName":"sidecar"}}`},
	"ingress.containerPort":              {input: svcWithAdminPort, base: `{"ingress":{}}`, with: `{"ingress":{"containerPort":9090}}`},
	"ingress.groupName":                  {base: `{"ingress":{}}`, with: `{"ingress":{"groupName":"shop"}}`},
	"ingress.groupOrder":                 {base: `{"ingress":{}}`, with: `{"ingress":{"groupOrder":5}}`},
	"ingress.healthCheckPath":            {base: `{"ingress":{}}`, with: `{"ingress":{"healthCheckPath":"/healthz"}}`},
	"ingress.healthCheckSuccessCodes":    {base: `{"ingress":{}}`, with: `{"ingress":{"healthCheckSuccessCodes":"200"}}`},
	"ingress.certificateArns[]":          {base: `{"ingress":{}}`, with: `{"ingress":{"certificateArns":["arn:aws:acm:us-east-1:1:certificate/c"]}}`},
	"ingress.annotations":                {base: `{"ingress":{}}`, with: `{"ingress":{"annotations":{"alb.ingress.kubernetes.io/ssl-redirect":"443"}}}`},
	"kubernetes.progressDeadlineSeconds": {with: `{"kubernetes":{"progressDeadlineSeconds":300}}`},
	"serviceArn":                         {with: `{"serviceArn":"arn:aws:ecs:us-east-1:1:service/web"}`},
	"clusterArn":                         {with: `{"clusterArn":"arn:aws:ecs:us-east-1:1:cluster/prod"}`},
	"status":                             {with: `{"status":"ACTIVE"}`},
	"runningCount":                       {with: `{"runningCount":2}`},
	"pendingCount":                       {with: `{"pendingCount":0}`},
	"roleArn":                            {with: `{"roleArn":"arn:aws:iam::1:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"}`},
	"platformFamily":                     {with: `{"platformFamily":"Linux"}`},
	"createdAt":                          {with: `{"createdAt":1510811361.128}`},
	"createdBy":                          {with: `{"createdBy":"arn:aws:iam::1:user/me"}`},
	"deployments":                        {with: `{"deployments":[]}`},
	"events":                             {with: `{"events":[]}`},
	"taskSets":                           {with: `{"taskSets":[]}`},
}

// serviceSpecLeaves lists the leaf fields of ECSServiceSpec as JSON paths
// ("a.b[].c"); free-form JSON values and maps are leaves.
func serviceSpecLeaves(t reflect.Type, path string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Slice:
		serviceSpecLeaves(t.Elem(), path+"[]", out)
		return
	case t.Kind() != reflect.Struct || t == reflect.TypeFor[apiextensionsv1.JSON]():
		*out = append(*out, path)
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		if path != "" {
			name = path + "." + name
		}
		serviceSpecLeaves(f.Type, name, out)
	}
}

// svcOutcome is everything a translation says, for comparison.
func svcOutcome(t *testing.T, in ServiceInput) (string, error) {
	t.Helper()
	res, err := TranslateService(in)
	if err != nil {
		return "error: " + err.Error(), err
	}
	var objects []map[string]any
	for _, obj := range res.Objects() {
		objects = append(objects, serviceGoldenObject(t, obj))
	}
	out, marshalErr := yaml.Marshal(map[string]any{"objects": objects, "warnings": res.Warnings, "notes": res.Notes})
	if marshalErr != nil {
		t.Fatal(marshalErr)
	}
	return string(out), nil
}

// TestServiceEveryFieldMappedOrReported walks every field of
// ECSServiceSpec: each one must have a sample proving that setting it
// changes the translated objects or yields a warning, note or error, so a
// field added to the API without a rule fails here.
func TestServiceEveryFieldMappedOrReported(t *testing.T) {
	var leaves []string
	serviceSpecLeaves(reflect.TypeFor[ecsv1.ECSServiceSpec](), "", &leaves)
	for _, leaf := range leaves {
		if slices.Contains(serviceFieldsResolvedBeforeTranslation, leaf) {
			continue
		}
		sample, ok := serviceFieldSamples[leaf]
		if !ok {
			t.Errorf("%s has no sample: add one to serviceFieldSamples proving the field is mapped or reported", leaf)
			continue
		}
		t.Run(leaf, func(t *testing.T) {
			base := sample.base
			if base == "" {
				base = `{}`
			}
			baseIn, withIn := svcInput(t, base), svcInput(t, sample.with)
			if sample.input != nil {
				sample.input(t, &baseIn)
				sample.input(t, &withIn)
				baseIn.Spec, withIn.Spec = svcSpec(t, base), svcSpec(t, sample.with)
			}
			before, err := svcOutcome(t, baseIn)
			if err != nil {
				t.Fatalf("base translation failed: %v", err)
			}
			after, err := svcOutcome(t, withIn)
			if sample.wantErr != (err != nil) {
				t.Fatalf("with translation: error %v, want error %v", err, sample.wantErr)
			}
			if before == after {
				t.Errorf("setting %s changes nothing: no object, warning, note or error differs", leaf)
			}
		})
	}
	for path := range serviceFieldSamples {
		if !slices.Contains(leaves, path) {
			t.Errorf("sample %s names no field of ECSServiceSpec", path)
		}
	}
}
