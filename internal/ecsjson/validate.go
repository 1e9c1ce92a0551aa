package ecsjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/util/intstr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// Validate checks a decoded document against everything the CRD rejects:
// the OpenAPI constraints (enums, ranges, lengths, counts, patterns,
// required fields; schema_rules.go, generated from the CRDs) and the CEL
// rules (unique names, an essential container, references between
// containers and volumes, cpu/memory formats, service combinations), so
// that a document Validate accepts is accepted by the API server and the
// other way round. Paths are relative to the document; errors are ordered
// by path. Family and taskDefinition must already be filled in when the
// input lacked them.
func Validate(doc Document) Errors {
	var errs Errors
	switch doc.Kind {
	case KindTaskDefinition:
		if doc.TaskDefinition == nil {
			return Errors{{Message: "no task definition"}}
		}
		errs = validateSchema(doc.TaskDefinition, taskDefinitionSchema)
		for _, check := range taskDefinitionChecks {
			errs = append(errs, check.check(doc.TaskDefinition)...)
		}
	case KindService:
		if doc.Service == nil {
			return Errors{{Message: "no service"}}
		}
		errs = validateSchema(doc.Service, serviceSchema)
		for _, check := range serviceChecks {
			errs = append(errs, check.check(doc.Service)...)
		}
	default:
		return Errors{{Message: fmt.Sprintf("unknown document kind %q", doc.Kind)}}
	}
	sortErrors(errs)
	return errs
}

// schemaRule is the OpenAPI constraints of one schema node.
type schemaRule struct {
	enum                 []string
	minimum, maximum     *float64
	minLength, maxLength *int64
	minItems, maxItems   *int64
	pattern              string
	required             []string
	// mapValues: the node is a map; its values are described under "*".
	mapValues bool
}

func (r schemaRule) isZero() bool {
	return len(r.enum) == 0 && r.minimum == nil && r.maximum == nil && r.minLength == nil &&
		r.maxLength == nil && r.minItems == nil && r.maxItems == nil && r.pattern == "" &&
		len(r.required) == 0 && !r.mapValues
}

// validateSchema checks spec as the API server receives it (its JSON
// encoding) against rules keyed by schema path ("containerDefinitions[].cpu").
func validateSchema(spec any, rules map[string]schemaRule) Errors {
	data, err := json.Marshal(spec)
	if err != nil {
		return Errors{{Message: "encoding the spec: " + err.Error()}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return Errors{{Message: "encoding the spec: " + err.Error()}}
	}
	var errs Errors
	walkSchema(tree, "", "", rules, &errs)
	return errs
}

func walkSchema(v any, path, schemaPath string, rules map[string]schemaRule, errs *Errors) {
	rule := rules[schemaPath]
	fail := func(format string, args ...any) {
		*errs = append(*errs, Error{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	switch v := v.(type) {
	case map[string]any:
		for _, key := range rule.required {
			if _, ok := v[key]; !ok {
				*errs = append(*errs, Error{Path: joinPath(path, key), Message: requiredMessage(joinPath(schemaPath, key))})
			}
		}
		for _, key := range sortedKeys(v) {
			childSchema := joinPath(schemaPath, key)
			if rule.mapValues {
				childSchema = joinPath(schemaPath, "*")
			}
			walkSchema(v[key], joinPath(path, key), childSchema, rules, errs)
		}
	case []any:
		if rule.minItems != nil && int64(len(v)) < *rule.minItems {
			fail("must have at least %d %s (has %d)", *rule.minItems, plural(*rule.minItems, "entry", "entries"), len(v))
		}
		if rule.maxItems != nil && int64(len(v)) > *rule.maxItems {
			fail("must have at most %d %s (has %d)", *rule.maxItems, plural(*rule.maxItems, "entry", "entries"), len(v))
		}
		for i, item := range v {
			walkSchema(item, fmt.Sprintf("%s[%d]", path, i), schemaPath+"[]", rules, errs)
		}
	case string:
		hint := templateHint(v)
		if len(rule.enum) > 0 && !contains(rule.enum, v) {
			fail("unsupported value %q; must be one of %s%s", v, quoteAll(rule.enum), hint)
		}
		length := int64(utf8.RuneCountInString(v))
		if rule.minLength != nil && length < *rule.minLength {
			if length == 0 {
				fail("%s", requiredMessage(schemaPath))
			} else {
				fail("must be at least %d characters long%s", *rule.minLength, hint)
			}
		}
		if rule.maxLength != nil && length > *rule.maxLength {
			fail("must be at most %d characters long (is %d)", *rule.maxLength, length)
		}
		if rule.pattern != "" && !compiledPattern(rule.pattern).MatchString(v) {
			fail("%q does not have the expected form (%s)%s", v, rule.pattern, hint)
		}
	case json.Number:
		n, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return
		}
		if rule.minimum != nil && n < *rule.minimum {
			fail("must be at least %v (is %v)", *rule.minimum, v)
		}
		if rule.maximum != nil && n > *rule.maximum {
			fail("must be at most %v (is %v)", *rule.maximum, v)
		}
	}
}

// requiredMessage is the message for a missing or empty required field;
// it says what the field is for where a bare "required" would leave the
// user guessing.
func requiredMessage(schemaPath string) string {
	switch schemaPath {
	case "taskDefinition":
		return "required: name the task definition the service runs (family, family:revision or an ARN)"
	case "containerDefinitions":
		return "required: a task definition needs at least one container"
	case "containerDefinitions[].name":
		return "required: every container needs a name"
	case "containerDefinitions[].image":
		return "required: every container needs an image"
	}
	return "required; must not be empty"
}

var patternCache sync.Map // string → *regexp.Regexp

func compiledPattern(p string) *regexp.Regexp {
	if re, ok := patternCache.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re := regexp.MustCompile(p)
	patternCache.Store(p, re)
	return re
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func quoteAll(list []string) string {
	quoted := make([]string, len(list))
	for i, s := range list {
		quoted[i] = strconv.Quote(s)
	}
	return strings.Join(quoted, ", ")
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// celCheck is the offline equivalent of one CEL rule of the CRD. at is the
// schema path the rule sits on and marker a distinctive part of its rule
// text; TestCELChecksMatchCRDs pairs every rule of the CRDs with exactly
// one check, so a new or removed rule is noticed.
type celCheck[T any] struct {
	at, marker string
	check      func(*T) Errors
}

var taskDefinitionChecks = []celCheck[ecsv1.TaskDefinitionSpec]{
	{"", "self.volumes.exists_one", uniqueVolumeNames},
	{"", "c.dependsOn", dependsOnReferences},
	{"", "c.links", linkReferences},
	{"", "c.volumesFrom", volumesFromReferences},
	{"", "c.mountPoints", mountPointReferences},
	{"containerDefinitions", "exists_one", uniqueContainerNames},
	{"containerDefinitions", "c.essential", essentialContainer},
	{"cpu", "vcpu", taskCPUFormat},
	{"memory", "gb", taskMemoryFormat},
}

var serviceChecks = []celCheck[ecsv1.ECSServiceSpec]{
	{"", "self.capacityProviderStrategy", launchTypeOrCapacityProviders},
	{"", "self.placementStrategy", daemonWithoutPlacementStrategy},
	{"", "'FARGATE'", daemonNotOnFargate},
	{"", "minimumHealthyPercent", minimumHealthyBelowMaximum},
	{"", "self.autoScaling", daemonWithoutAutoScaling},
	{"autoScaling", "minCapacity", autoScalingCapacities},
	{"autoScaling.targetTrackingScalingPolicies[]", "predefinedMetricSpecification", oneMetricSpecification},
}

func containerNames(spec *ecsv1.TaskDefinitionSpec) map[string]bool {
	names := map[string]bool{}
	for _, c := range spec.ContainerDefinitions {
		names[c.Name] = true
	}
	return names
}

func uniqueVolumeNames(spec *ecsv1.TaskDefinitionSpec) Errors {
	var errs Errors
	seen := map[string]bool{}
	for i, v := range spec.Volumes {
		if v.Name == nil {
			continue
		}
		if seen[*v.Name] {
			errs = append(errs, Error{Path: fmt.Sprintf("volumes[%d].name", i), Message: fmt.Sprintf("duplicate volume name %q; volume names must be unique", *v.Name)})
		}
		seen[*v.Name] = true
	}
	return errs
}

func uniqueContainerNames(spec *ecsv1.TaskDefinitionSpec) Errors {
	var errs Errors
	seen := map[string]bool{}
	for i, c := range spec.ContainerDefinitions {
		if seen[c.Name] {
			errs = append(errs, Error{Path: fmt.Sprintf("containerDefinitions[%d].name", i), Message: fmt.Sprintf("duplicate container name %q; container names must be unique", c.Name)})
		}
		seen[c.Name] = true
	}
	return errs
}

func essentialContainer(spec *ecsv1.TaskDefinitionSpec) Errors {
	if len(spec.ContainerDefinitions) == 0 {
		return nil // reported as a missing or empty containerDefinitions
	}
	for _, c := range spec.ContainerDefinitions {
		if c.Essential == nil || *c.Essential {
			return nil
		}
	}
	return Errors{{Path: "containerDefinitions", Message: "at least one container must be essential (essential defaults to true)"}}
}

func dependsOnReferences(spec *ecsv1.TaskDefinitionSpec) Errors {
	var errs Errors
	names := containerNames(spec)
	for i, c := range spec.ContainerDefinitions {
		for j, d := range c.DependsOn {
			path := fmt.Sprintf("containerDefinitions[%d].dependsOn[%d].containerName", i, j)
			switch {
			case d.ContainerName == c.Name:
				errs = append(errs, Error{Path: path, Message: fmt.Sprintf("container %q depends on itself", c.Name)})
			case !names[d.ContainerName]:
				errs = append(errs, Error{Path: path, Message: notAContainer(d.ContainerName)})
			}
		}
	}
	return errs
}

func linkReferences(spec *ecsv1.TaskDefinitionSpec) Errors {
	var errs Errors
	names := containerNames(spec)
	for i, c := range spec.ContainerDefinitions {
		for j, link := range c.Links {
			name, _, _ := strings.Cut(link, ":")
			if !names[name] {
				errs = append(errs, Error{Path: fmt.Sprintf("containerDefinitions[%d].links[%d]", i, j), Message: notAContainer(name) + " (links are name or name:alias)"})
			}
		}
	}
	return errs
}

func volumesFromReferences(spec *ecsv1.TaskDefinitionSpec) Errors {
	var errs Errors
	names := containerNames(spec)
	for i, c := range spec.ContainerDefinitions {
		for j, v := range c.VolumesFrom {
			if v.SourceContainer == nil {
				continue
			}
			path := fmt.Sprintf("containerDefinitions[%d].volumesFrom[%d].sourceContainer", i, j)
			switch {
			case *v.SourceContainer == c.Name:
				errs = append(errs, Error{Path: path, Message: fmt.Sprintf("container %q takes volumes from itself", c.Name)})
			case !names[*v.SourceContainer]:
				errs = append(errs, Error{Path: path, Message: notAContainer(*v.SourceContainer)})
			}
		}
	}
	return errs
}

func notAContainer(name string) string {
	return fmt.Sprintf("%q is not a container of this task definition%s", name, templateHint(name))
}

func mountPointReferences(spec *ecsv1.TaskDefinitionSpec) Errors {
	var errs Errors
	volumes := map[string]bool{}
	var declared []string
	for _, v := range spec.Volumes {
		// The CRD rule counts a volume without a name as named "".
		name := ""
		if v.Name != nil {
			name = *v.Name
		}
		volumes[name] = true
		declared = append(declared, strconv.Quote(name))
	}
	for i, c := range spec.ContainerDefinitions {
		for j, m := range c.MountPoints {
			if m.SourceVolume == nil || volumes[*m.SourceVolume] {
				continue
			}
			msg := fmt.Sprintf("volume %q is not declared in volumes", *m.SourceVolume)
			if len(declared) > 0 {
				msg += " (declared: " + strings.Join(declared, ", ") + ")"
			}
			errs = append(errs, Error{Path: fmt.Sprintf("containerDefinitions[%d].mountPoints[%d].sourceVolume", i, j), Message: msg + templateHint(*m.SourceVolume)})
		}
	}
	return errs
}

// The CRD's cpu and memory rules, in Go's regexp syntax (the same RE2
// dialect CEL's matches uses).
var (
	taskCPUPattern    = regexp.MustCompile(`^ *([0-9]+|[0-9]*[.]?[0-9]+ *(?i:vcpu)) *$`)
	taskMemoryPattern = regexp.MustCompile(`^ *([0-9]+|[0-9]*[.]?[0-9]+ *(?i:gb)) *$`)
)

func taskCPUFormat(spec *ecsv1.TaskDefinitionSpec) Errors {
	if spec.CPU != nil && spec.CPU.Type == intstr.Int && spec.CPU.IntVal < 0 {
		return Errors{{Path: "cpu", Message: fmt.Sprintf("must not be negative (is %d)", spec.CPU.IntVal)}}
	}
	if spec.CPU == nil || spec.CPU.Type != intstr.String || taskCPUPattern.MatchString(spec.CPU.StrVal) {
		return nil
	}
	return Errors{{Path: "cpu", Message: fmt.Sprintf("%q must be CPU units (1024 or \"1024\") or vCPUs (\"1 vCPU\", \".25 vcpu\")%s", spec.CPU.StrVal, templateHint(spec.CPU.StrVal))}}
}

func taskMemoryFormat(spec *ecsv1.TaskDefinitionSpec) Errors {
	if spec.Memory != nil && spec.Memory.Type == intstr.Int && spec.Memory.IntVal < 0 {
		return Errors{{Path: "memory", Message: fmt.Sprintf("must not be negative (is %d)", spec.Memory.IntVal)}}
	}
	if spec.Memory == nil || spec.Memory.Type != intstr.String || taskMemoryPattern.MatchString(spec.Memory.StrVal) {
		return nil
	}
	return Errors{{Path: "memory", Message: fmt.Sprintf("%q must be MiB (2048 or \"2048\") or GB (\"2 GB\", \"2GB\", \".5 gb\")%s", spec.Memory.StrVal, templateHint(spec.Memory.StrVal))}}
}

func launchTypeOrCapacityProviders(spec *ecsv1.ECSServiceSpec) Errors {
	if spec.LaunchType == nil || *spec.LaunchType == "" || len(spec.CapacityProviderStrategy) == 0 {
		return nil
	}
	return Errors{{Path: "launchType", Message: "launchType and capacityProviderStrategy are mutually exclusive: set one of them"}}
}

func isDaemon(spec *ecsv1.ECSServiceSpec) bool {
	return spec.SchedulingStrategy != nil && *spec.SchedulingStrategy == "DAEMON"
}

func daemonWithoutPlacementStrategy(spec *ecsv1.ECSServiceSpec) Errors {
	if !isDaemon(spec) || len(spec.PlacementStrategy) == 0 {
		return nil
	}
	return Errors{{Path: "placementStrategy", Message: "not allowed with schedulingStrategy DAEMON"}}
}

func daemonNotOnFargate(spec *ecsv1.ECSServiceSpec) Errors {
	if !isDaemon(spec) || spec.LaunchType == nil || *spec.LaunchType != "FARGATE" {
		return nil
	}
	return Errors{{Path: "schedulingStrategy", Message: "DAEMON is not supported with launchType FARGATE"}}
}

func minimumHealthyBelowMaximum(spec *ecsv1.ECSServiceSpec) Errors {
	dc := spec.DeploymentConfiguration
	if dc == nil || dc.MaximumPercent == nil || dc.MinimumHealthyPercent == nil || *dc.MinimumHealthyPercent <= *dc.MaximumPercent {
		return nil
	}
	return Errors{{Path: "deploymentConfiguration.minimumHealthyPercent", Message: fmt.Sprintf("%d must not exceed maximumPercent (%d)", *dc.MinimumHealthyPercent, *dc.MaximumPercent)}}
}

func daemonWithoutAutoScaling(spec *ecsv1.ECSServiceSpec) Errors {
	if spec.AutoScaling == nil || !isDaemon(spec) {
		return nil
	}
	return Errors{{Path: "autoScaling", Message: "not allowed with schedulingStrategy DAEMON (a daemon runs one task per node)"}}
}

func autoScalingCapacities(spec *ecsv1.ECSServiceSpec) Errors {
	as := spec.AutoScaling
	if as == nil || as.MinCapacity <= as.MaxCapacity {
		return nil
	}
	return Errors{{Path: "autoScaling.minCapacity", Message: fmt.Sprintf("%d must not exceed maxCapacity (%d)", as.MinCapacity, as.MaxCapacity)}}
}

func oneMetricSpecification(spec *ecsv1.ECSServiceSpec) Errors {
	if spec.AutoScaling == nil {
		return nil
	}
	var errs Errors
	for i, p := range spec.AutoScaling.TargetTrackingScalingPolicies {
		if (p.PredefinedMetricSpecification != nil) != (p.CustomizedMetricSpecification != nil) {
			continue
		}
		errs = append(errs, Error{Path: fmt.Sprintf("autoScaling.targetTrackingScalingPolicies[%d]", i), Message: "set exactly one of predefinedMetricSpecification and customizedMetricSpecification"})
	}
	return errs
}
