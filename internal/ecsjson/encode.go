package ecsjson

import (
	"bytes"
	"encoding/json"
	"errors"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// EncodeTaskDefinition writes spec as ECS JSON in the shape of a
// RegisterTaskDefinition request (aws ecs register-task-definition
// --cli-input-json). Operator-only settings and read-only describe fields
// are left out; numbers keep their form (task cpu "1024" stays a string).
func EncodeTaskDefinition(spec *ecsv1.TaskDefinitionSpec) ([]byte, error) {
	if spec == nil {
		return nil, errors.New("no task definition to encode")
	}
	out := spec.DeepCopy()
	out.Kubernetes = nil
	out.TaskDefinitionArn, out.Revision, out.Status = nil, nil, nil
	out.RequiresAttributes, out.Compatibilities = nil, nil
	out.RegisteredAt, out.RegisteredBy, out.DeregisteredAt = nil, nil, nil
	return encodeIndented(out)
}

// EncodeService writes spec as ECS JSON in the shape of a CreateService
// request (aws ecs create-service --cli-input-json). The autoScaling and
// ingress extensions and operator-only settings are left out: ECS takes
// them through other APIs.
func EncodeService(spec *ecsv1.ECSServiceSpec) ([]byte, error) {
	if spec == nil {
		return nil, errors.New("no service to encode")
	}
	out := spec.DeepCopy()
	out.AutoScaling, out.Ingress, out.Kubernetes = nil, nil, nil
	out.ServiceArn, out.ClusterArn, out.Status = nil, nil, nil
	out.RunningCount, out.PendingCount, out.RoleArn, out.PlatformFamily = nil, nil, nil, nil
	out.CreatedAt, out.CreatedBy, out.Deployments, out.Events, out.TaskSets = nil, nil, nil, nil, nil
	// ecspresso-style service files leave taskDefinition out; so does the
	// encoding rather than writing an empty name ECS would reject.
	return encodeIndented(struct {
		*ecsv1.ECSServiceSpec
		TaskDefinition string `json:"taskDefinition,omitempty"`
	}{out, out.TaskDefinition})
}

// encodeIndented writes v as two-space indented JSON without escaping
// <, > and & (they are common in commands and CodeDeploy placeholders).
func encodeIndented(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
