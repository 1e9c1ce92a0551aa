package translate

import (
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	"github.com/ecs-operator/ecs-operator/internal/names"
)

// escapeKubernetesVarRef keeps a string literal through Kubernetes
// $(VAR) expansion, which applies to command, args and env values but
// has no counterpart in ECS: "$$" stands for "$", so doubling every "$"
// restores the original. Strings without "$(" or "$$" are left alone,
// since Kubernetes keeps any other "$" as is.
func escapeKubernetesVarRef(s string) string {
	if !strings.Contains(s, "$(") && !strings.Contains(s, "$$") {
		return s
	}
	return strings.ReplaceAll(s, "$", "$$")
}

func escapeKubernetesVarRefs(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = escapeKubernetesVarRef(s)
	}
	return out
}

// validEnvName checks a variable name the way the API server will.
func (t *taskTranslation) validEnvName(name string) bool {
	if t.caps.RelaxedEnvironmentVariableValidation {
		return len(validation.IsRelaxedEnvVarName(name)) == 0
	}
	return len(validation.IsEnvVarName(name)) == 0
}

func (t *taskTranslation) envNameProblem() string {
	if t.caps.RelaxedEnvironmentVariableValidation {
		return "must be printable ASCII characters other than '='"
	}
	return "must consist of letters, digits, '_', '-' and '.', not starting with a digit (the cluster lacks RelaxedEnvironmentVariableValidation)"
}

// translateEnvironment maps environment, environmentFiles and secrets
// (field-map §3.1): environment in order (later duplicates win), then the
// secret-backed variables; files become envFrom ConfigMaps.
func (t *taskTranslation) translateEnvironment(tc *taskContainer) {
	def := tc.def
	var env []corev1.EnvVar
	if n := len(def.Environment) + len(def.Secrets); n > 0 {
		env = make([]corev1.EnvVar, 0, n)
	}
	// Lists of variables are mostly short: a scan finds a repeated name
	// without building an index, which only long lists get.
	repeated := false
	var setAt map[string]bool
	setEnv := func(v corev1.EnvVar, field func() string, what string) {
		if setAt[v.Name] || (setAt == nil && setBefore(env, v.Name)) {
			t.rep.Warn(field(), "variable %s is set twice in container %q; the later %s wins", v.Name, def.Name, what)
			repeated = true
		}
		env = append(env, v)
		switch {
		case setAt != nil:
			setAt[v.Name] = true
		case len(env) > longEnvList:
			setAt = make(map[string]bool, cap(env))
			for _, e := range env {
				setAt[e.Name] = true
			}
		}
	}
	for i, kv := range def.Environment {
		// Entries are many and rarely reported on: their path is made
		// only for a report.
		path := func() string { return tc.path + ".environment[" + strconv.Itoa(i) + "]" }
		name := ptr.Deref(kv.Name, "")
		if name == "" {
			t.rep.Fail(path()+".name", "required: every environment entry needs a name")
			continue
		}
		if !t.validEnvName(name) {
			t.rep.Fail(path()+".name", "variable name %q %s", name, t.envNameProblem())
			continue
		}
		setEnv(corev1.EnvVar{Name: name, Value: escapeKubernetesVarRef(ptr.Deref(kv.Value, ""))}, path, "entry")
	}
	for i, s := range def.Secrets {
		path := t.rep.Field(tc.path, ".secrets[", strconv.Itoa(i), "]")
		if s.Name == "" {
			t.rep.Fail(t.rep.Field(path, ".name"), "required: the variable name")
			continue
		}
		if !t.validEnvName(s.Name) {
			t.rep.Fail(t.rep.Field(path, ".name"), "variable name %q %s", s.Name, t.envNameProblem())
			continue
		}
		ref, problem := parseSecretValueFrom(s.ValueFrom, t.cluster.Region)
		if problem != "" {
			t.rep.Fail(t.rep.Field(path, ".valueFrom"), "%s", problem)
			continue
		}
		store := t.secretStore(ref, path+".valueFrom")
		key := t.addSecret(tc, s.Name, ref, store)
		setEnv(corev1.EnvVar{Name: s.Name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: t.secretsName()},
			Key:                  key,
		}}}, func() string { return path }, "secret")
	}
	if repeated {
		env = lastEnvWins(env)
	}
	tc.k8s.Env = env
	t.translateRepositoryCredentials(tc)

	for i, f := range def.EnvironmentFiles {
		path := t.rep.Field(tc.path, ".environmentFiles[", strconv.Itoa(i), "]")
		if f.Type != "s3" {
			t.rep.Fail(t.rep.Field(path, ".type"), "unknown type %q: environment files are s3 objects", f.Type)
			continue
		}
		if f.Value == "" {
			t.rep.Fail(t.rep.Field(path, ".value"), "required: the S3 object ARN")
			continue
		}
		name := t.envFileConfigMapName(f.Value)
		tc.k8s.EnvFrom = append(tc.k8s.EnvFrom, corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: name},
		}})
		t.rep.Warn(path, "environment file %s must be supplied as ConfigMap %s", f.Value, name)
	}
}

// envFileConfigMapName names the ConfigMap standing for an environment
// file: <family>-envfile-<i>, i counting distinct files in task order, so
// containers sharing a file share the ConfigMap.
func (t *taskTranslation) envFileConfigMapName(value string) string {
	var distinct []string
	for _, tc := range t.containers {
		for _, f := range tc.def.EnvironmentFiles {
			if f.Type == "s3" && f.Value != "" && !slices.Contains(distinct, f.Value) {
				distinct = append(distinct, f.Value)
			}
		}
	}
	return names.Suffixed(t.familyName, "envfile-"+strconv.Itoa(slices.Index(distinct, value)))
}

// longEnvList is the length from which translateEnvironment indexes the
// variable names it has set.
const longEnvList = 32

// setBefore reports whether env sets name.
func setBefore(env []corev1.EnvVar, name string) bool {
	for _, e := range env {
		if e.Name == name {
			return true
		}
	}
	return false
}

// lastEnvWins drops every variable that is set again later, keeping the
// order of the remaining ones.
func lastEnvWins(env []corev1.EnvVar) []corev1.EnvVar {
	if len(env) < 2 {
		return env
	}
	last := make(map[string]int, len(env))
	for i, e := range env {
		last[e.Name] = i
	}
	if len(last) == len(env) {
		return env
	}
	out := make([]corev1.EnvVar, 0, len(last))
	for i, e := range env {
		if last[e.Name] == i {
			out = append(out, e)
		}
	}
	return out
}

// addEnvIfUnset appends a variable unless the container already sets it.
func addEnvIfUnset(c *corev1.Container, name, value string) {
	for _, e := range c.Env {
		if e.Name == name {
			return
		}
	}
	c.Env = append(c.Env, corev1.EnvVar{Name: name, Value: value})
}
