package controllers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// defaultClusterName is the cluster ECS uses when a request names none.
const defaultClusterName = "default"

// taskDefinitionRef is a parsed ECSService spec.taskDefinition.
type taskDefinitionRef struct {
	family string
	// revision is 0 for "the latest revision".
	revision int64
}

func (r taskDefinitionRef) String() string {
	if r.revision == 0 {
		return r.family
	}
	return r.family + ":" + strconv.FormatInt(r.revision, 10)
}

// parseTaskDefinitionRef reads `family`, `family:N` or a task definition
// ARN (arn:aws:ecs:REGION:ACCOUNT:task-definition/family:N), as ECS
// accepts them.
func parseTaskDefinitionRef(value string) (taskDefinitionRef, error) {
	value = strings.TrimSpace(value)
	if strings.HasPrefix(value, "arn:") {
		_, resource, ok := strings.Cut(value, ":task-definition/")
		if !ok || resource == "" {
			return taskDefinitionRef{}, fmt.Errorf("%q is not a task definition ARN (arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION)", value)
		}
		value = resource
	}
	family, revision, pinned := strings.Cut(value, ":")
	if family == "" {
		return taskDefinitionRef{}, fmt.Errorf("%q names no family; use FAMILY, FAMILY:REVISION or a task definition ARN", value)
	}
	ref := taskDefinitionRef{family: family}
	if pinned {
		n, err := strconv.ParseInt(revision, 10, 64)
		if err != nil || n < 1 {
			return taskDefinitionRef{}, fmt.Errorf("%q: revision %q must be a number from 1", value, revision)
		}
		ref.revision = n
	}
	return ref, nil
}

// clusterNameOf reads spec.cluster: a name or a cluster ARN
// (arn:aws:ecs:REGION:ACCOUNT:cluster/NAME); empty means "default".
func clusterNameOf(value *string) string {
	name := strings.TrimSpace(ptr.Deref(value, ""))
	if strings.HasPrefix(name, "arn:") {
		if _, after, ok := strings.Cut(name, ":cluster/"); ok {
			name = after
		}
	}
	if name == "" {
		return defaultClusterName
	}
	return name
}

// familyOf is a TaskDefinition's effective family.
func familyOf(td *ecsv1.TaskDefinition) string {
	if f := ptr.Deref(td.Spec.Family, ""); f != "" {
		return f
	}
	return td.Name
}

// serviceNameOf is an ECSService's ECS service name.
func serviceNameOf(svc *ecsv1.ECSService) string {
	if n := ptr.Deref(svc.Spec.ServiceName, ""); n != "" {
		return n
	}
	return svc.Name
}

// familyRevision formats family:N as ECS prints it.
func familyRevision(family string, revision int64) string {
	return family + ":" + strconv.FormatInt(revision, 10)
}

// parseFamilyRevision reads family:N (status.taskDefinition and
// deployments[].taskDefinition).
func parseFamilyRevision(value string) (string, int64, bool) {
	i := strings.LastIndexByte(value, ':')
	if i < 1 {
		return "", 0, false
	}
	n, err := strconv.ParseInt(value[i+1:], 10, 64)
	if err != nil {
		return "", 0, false
	}
	return value[:i], n, true
}

// revisionsInUse lists the revisions of family a service runs or pins:
// those of its deployments (the pods of every one still need their
// revision's secrets and volumes) and a pinned spec revision.
func revisionsInUse(svc *ecsv1.ECSService, family string) []int64 {
	var used []int64
	if ref, err := parseTaskDefinitionRef(svc.Spec.TaskDefinition); err == nil && ref.family == family && ref.revision > 0 {
		used = append(used, ref.revision)
	}
	for _, d := range svc.Status.Deployments {
		if f, n, ok := parseFamilyRevision(d.TaskDefinition); ok && f == family {
			used = append(used, n)
		}
	}
	slices.Sort(used)
	return slices.Compact(used)
}

func joinComma(items []string) string { return strings.Join(items, ", ") }
