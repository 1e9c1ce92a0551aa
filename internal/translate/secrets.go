package translate

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/names"
)

// External Secrets API versions the translation creates objects for.
const (
	externalSecretsAPIVersion = "external-secrets.io/v1"
	externalSecretsGenerators = "generators.external-secrets.io/v1alpha1"
)

// Secret services, as ECSCluster.spec.secretStores names them.
const (
	secretServiceSecretsManager = "SecretsManager"
	secretServiceParameterStore = "ParameterStore"
)

// dockerHubRegistry is the registry key Docker uses for Docker Hub images.
const dockerHubRegistry = "https://index.docker.io/v1/"

var (
	secretsManagerName = regexp.MustCompile(`^[a-zA-Z0-9/_+=.@-]+$`)
	privateECRHost     = regexp.MustCompile(`^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)
)

// secretRemoteRef is where External Secrets reads one value.
type secretRemoteRef struct {
	service  string // SecretsManager or ParameterStore
	region   string // "" when unknown
	key      string
	property string
	version  string
}

// taskSecrets collects the secret values the task's containers use.
type taskSecrets struct {
	entries []secretEntry
	byKey   map[string]int // index in entries
	pulls   []pullCredential
	// defaultedStores remembers the stores already reported as defaulted.
	defaultedStores map[string]bool
}

type secretEntry struct {
	key   string
	ref   secretRemoteRef
	store ecsv1.SecretStoreRef
}

// pullCredential is one repositoryCredentials secret and the registries
// whose images use it.
type pullCredential struct {
	ref   secretRemoteRef
	store ecsv1.SecretStoreRef
	hosts []string
}

// parseSecretValueFrom reads a secrets[].valueFrom (field-map §3.1): a
// Secrets Manager ARN with optional :json-key:version-stage:version-id, an
// SSM parameter ARN, or an SSM parameter name in the cluster's region.
func parseSecretValueFrom(valueFrom, clusterRegion string) (secretRemoteRef, string) {
	if region, name, suffix, ok := matchSecretsManagerARN(valueFrom); ok {
		ref := secretRemoteRef{service: secretServiceSecretsManager, region: region}
		ref.key = valueFrom[:strings.Index(valueFrom, ":secret:")+len(":secret:")] + name
		if suffix != "" {
			parts := strings.Split(suffix, ":")
			if len(parts) > 3 {
				return secretRemoteRef{}, "too many ':' fields after the secret name; the suffix is :json-key:version-stage:version-id"
			}
			parts = append(parts, "", "")
			ref.property = parts[0]
			ref.version = parts[1]
			if parts[2] != "" {
				if parts[1] != "" {
					return secretRemoteRef{}, "set either version-stage or version-id, not both"
				}
				ref.version = "uuid/" + parts[2]
			}
		}
		return ref, ""
	}
	if region, name, ok := matchSSMParameterARN(valueFrom); ok {
		if strings.Count(name, "/") == 1 {
			// arn:…:parameter/NAME holds a plain name; a hierarchy keeps its
			// leading slash (arn:…:parameter/a/b is /a/b).
			name = name[1:]
		}
		return secretRemoteRef{service: secretServiceParameterStore, region: region, key: name}, ""
	}
	if !strings.HasPrefix(valueFrom, "arn:") && isSSMParameterName(valueFrom) && len(valueFrom) <= 2048 {
		return secretRemoteRef{service: secretServiceParameterStore, region: clusterRegion, key: valueFrom}, ""
	}
	msg := "valueFrom " + strconv.Quote(valueFrom) + " is neither a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME[:json-key[:version-stage[:version-id]]]) nor an SSM parameter ARN or name"
	if looksTemplated(valueFrom) {
		msg += "; it looks like an unrendered template: render it first"
	}
	return secretRemoteRef{}, msg
}

// The secret references of every container are read on every
// translation, so their forms are matched by hand rather than with
// regular expressions, which cost more than the rest of reading a secret;
// secrets_test.go holds the equivalent expressions and checks the two
// agree.

// matchSecretsManagerARN matches a Secrets Manager secret ARN,
// `^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):([0-9]{12}):secret:([^:]+)(?::(.*))?$`,
// returning the region, the secret name and what follows it.
func matchSecretsManagerARN(s string) (region, name, suffix string, ok bool) {
	region, rest, ok := cutARNAccount(s, ":secretsmanager:", ":secret:")
	if !ok {
		return "", "", "", false
	}
	name, suffix, hasSuffix := strings.Cut(rest, ":")
	if name == "" || (hasSuffix && strings.IndexByte(suffix, '\n') >= 0) {
		return "", "", "", false
	}
	return region, name, suffix, true
}

// matchSSMParameterARN matches an SSM parameter ARN,
// `^arn:aws[a-z-]*:ssm:([a-z0-9-]+):([0-9]{12}):parameter(/.+)$`,
// returning the region and the name from its slash on.
func matchSSMParameterARN(s string) (region, name string, ok bool) {
	region, name, ok = cutARNAccount(s, ":ssm:", ":parameter")
	if !ok || len(name) < 2 || name[0] != '/' || strings.IndexByte(name, '\n') >= 0 {
		return "", "", false
	}
	return region, name, true
}

// cutARNAccount reads `^arn:aws[a-z-]*` service `([a-z0-9-]+):([0-9]{12})`
// resource from s, returning the region and the rest of s.
func cutARNAccount(s, service, resource string) (region, rest string, ok bool) {
	rest, ok = strings.CutPrefix(s, "arn:aws")
	if !ok {
		return "", "", false
	}
	partition := 0
	for partition < len(rest) && (isLowerASCII(rest[partition]) || rest[partition] == '-') {
		partition++
	}
	if rest, ok = strings.CutPrefix(rest[partition:], service); !ok {
		return "", "", false
	}
	regionEnd := 0
	for regionEnd < len(rest) && (isLowerASCII(rest[regionEnd]) || isDigitASCII(rest[regionEnd]) || rest[regionEnd] == '-') {
		regionEnd++
	}
	if regionEnd == 0 || len(rest) < regionEnd+1+12 || rest[regionEnd] != ':' {
		return "", "", false
	}
	region, account := rest[:regionEnd], rest[regionEnd+1:regionEnd+1+12]
	for i := range len(account) {
		if !isDigitASCII(account[i]) {
			return "", "", false
		}
	}
	rest, ok = strings.CutPrefix(rest[regionEnd+1+12:], resource)
	return region, rest, ok
}

// isSSMParameterName matches an SSM parameter name or path,
// `^/?[a-zA-Z0-9_.-]+(/[a-zA-Z0-9_.-]+)*$`.
func isSSMParameterName(s string) bool {
	s = strings.TrimPrefix(s, "/")
	segment := 0 // the length of the segment being read
	for i := range len(s) {
		switch c := s[i]; {
		case c == '/':
			if segment == 0 {
				return false
			}
			segment = 0
		case isLowerASCII(c), isDigitASCII(c), 'A' <= c && c <= 'Z', c == '_', c == '.', c == '-':
			segment++
		default:
			return false
		}
	}
	return segment > 0
}

func isLowerASCII(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigitASCII(c byte) bool { return '0' <= c && c <= '9' }

// looksTemplated reports placeholders of the tools that render task
// definitions ({{ }}, ${}, $$$X$$$, <X>).
func looksTemplated(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "${") || strings.Contains(s, "$$$") ||
		(strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">"))
}

// secretStore picks the External Secrets store for a secret service and
// region: the first ECSCluster secretStores entry of that service and
// region, then one of that service for any region, then secretStoreRef. A
// cluster without any gets the conventional ClusterSecretStore name, with
// a warning.
func (t *taskTranslation) secretStore(ref secretRemoteRef, field string) ecsv1.SecretStoreRef {
	withKind := func(s ecsv1.SecretStoreRef) ecsv1.SecretStoreRef {
		if s.Kind == "" {
			s.Kind = "ClusterSecretStore"
		}
		return s
	}
	for _, pass := range []bool{true, false} {
		for _, s := range t.cluster.SecretStores {
			if s.Service != ref.service {
				continue
			}
			if (pass && s.Region != "" && s.Region == ref.region) || (!pass && s.Region == "") {
				return withKind(s.StoreRef)
			}
		}
	}
	if t.cluster.SecretStoreRef != nil && t.cluster.SecretStoreRef.Name != "" {
		return withKind(*t.cluster.SecretStoreRef)
	}
	if ref.region == "" {
		for _, s := range t.cluster.SecretStores {
			if s.Service == ref.service {
				t.rep.Fail(field, "a bare parameter name resolves in the cluster's region, which picks among the region-specific secretStores: set ECSCluster spec.region, or give the parameter ARN")
				return withKind(s.StoreRef)
			}
		}
	}
	name := "aws-secretsmanager"
	if ref.service == secretServiceParameterStore {
		name = "aws-parameterstore"
	}
	if ref.region != "" {
		name += "-" + ref.region
	}
	if t.secrets.defaultedStores == nil {
		t.secrets.defaultedStores = map[string]bool{}
	}
	if !t.secrets.defaultedStores[name] {
		t.secrets.defaultedStores[name] = true
		t.rep.Warn(field, "no secret store configured for %s; using ClusterSecretStore %s (set ECSCluster spec.secretStoreRef or secretStores)", ref.service, name)
	}
	return ecsv1.SecretStoreRef{Kind: "ClusterSecretStore", Name: name}
}

// secretsName is the per-revision ExternalSecret (and Secret) holding the
// task's secrets: old ReplicaSets keep valid references during a rollout.
func (t *taskTranslation) secretsName() string {
	// Every secret variable names the Secret: the name is made once.
	if t.secretsObjectName == "" {
		t.secretsObjectName = names.Suffixed(t.familyName, "secrets-r"+strconv.FormatInt(t.revision, 10))
	}
	return t.secretsObjectName
}

func (t *taskTranslation) pullSecretName() string {
	return names.Suffixed(t.familyName, "pull-r"+strconv.FormatInt(t.revision, 10))
}

func (t *taskTranslation) ecrSecretName() string {
	return names.Suffixed(t.familyName, "ecr-r"+strconv.FormatInt(t.revision, 10))
}

// addSecret registers a secret value and returns its key in the Secret.
// The key is the variable name where it is a valid Secret key and not yet
// taken by a different value.
func (t *taskTranslation) addSecret(tc *taskContainer, envName string, ref secretRemoteRef, store ecsv1.SecretStoreRef) string {
	base := secretKeyFor(envName)
	candidates := []string{base, base + "." + tc.name}
	for n := 2; ; n++ {
		var key string
		if len(candidates) > 0 {
			key, candidates = candidates[0], candidates[1:]
		} else {
			key = base + "." + tc.name + "." + strconv.Itoa(n)
		}
		if t.secrets.byKey == nil {
			t.secrets.byKey = map[string]int{}
		}
		i, taken := t.secrets.byKey[key]
		if !taken {
			t.secrets.byKey[key] = len(t.secrets.entries)
			t.secrets.entries = append(t.secrets.entries, secretEntry{key: key, ref: ref, store: store})
			return key
		}
		if t.secrets.entries[i].ref == ref && t.secrets.entries[i].store == store {
			return key
		}
	}
}

// secretKeyFor turns an environment variable name into a Secret data key
// ([-._a-zA-Z0-9]+).
func secretKeyFor(envName string) string {
	b := []byte(envName)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}

// translateRepositoryCredentials registers a private registry credential
// (field-map §3.1 repositoryCredentials).
func (t *taskTranslation) translateRepositoryCredentials(tc *taskContainer) {
	rc := tc.def.RepositoryCredentials
	if rc == nil {
		return
	}
	path := t.rep.Field(tc.path, ".repositoryCredentials.credentialsParameter")
	param := rc.CredentialsParameter
	var ref secretRemoteRef
	if region, _, suffix, ok := matchSecretsManagerARN(param); ok && suffix == "" {
		ref = secretRemoteRef{service: secretServiceSecretsManager, region: region, key: param}
	} else if !strings.HasPrefix(param, "arn:") && secretsManagerName.MatchString(param) {
		ref = secretRemoteRef{service: secretServiceSecretsManager, region: t.cluster.Region, key: param}
	} else {
		msg := "%q is not a Secrets Manager secret ARN or name"
		if looksTemplated(param) {
			msg += "; it looks like an unrendered template: render it first"
		}
		t.rep.Fail(path, msg, param)
		return
	}
	host := imageRegistryHost(tc.def.Image)
	store := t.secretStore(ref, path)
	for i := range t.secrets.pulls {
		p := &t.secrets.pulls[i]
		if p.ref == ref && p.store == store {
			if !slices.Contains(p.hosts, host) {
				p.hosts = append(p.hosts, host)
			}
			return
		}
		if slices.Contains(p.hosts, host) {
			t.rep.Warn(path, "registry %s already uses another credential in this task; the first one is kept", host)
			return
		}
	}
	t.secrets.pulls = append(t.secrets.pulls, pullCredential{ref: ref, store: store, hosts: []string{host}})
}

// imageRegistryHost returns the registry of an image reference the way
// Docker keys credentials: the first path component when it looks like a
// host, else Docker Hub.
func imageRegistryHost(image string) string {
	first, _, found := strings.Cut(image, "/")
	if !found {
		return dockerHubRegistry
	}
	if strings.ContainsAny(first, ".:") || first == "localhost" {
		return first
	}
	return dockerHubRegistry
}

// translateSecretObjects creates the ExternalSecrets for secrets,
// repositoryCredentials and the cluster's registryAuth, and the pod's
// imagePullSecrets.
func (t *taskTranslation) translateSecretObjects() {
	if t.rep.Failed() {
		return
	}
	if len(t.secrets.entries) > 0 {
		t.res.ExternalSecrets = append(t.res.ExternalSecrets, t.secretsExternalSecret())
	}
	if len(t.secrets.pulls) > 0 {
		t.res.ExternalSecrets = append(t.res.ExternalSecrets, t.pullExternalSecret())
		t.pod.ImagePullSecrets = append(t.pod.ImagePullSecrets, corev1.LocalObjectReference{Name: t.pullSecretName()})
	}
	auth := t.cluster.RegistryAuth
	if auth != nil && auth.ECR != nil {
		var hosts []string
		for _, tc := range t.containers {
			host := imageRegistryHost(tc.def.Image)
			if privateECRHost.MatchString(host) && !slices.Contains(hosts, host) {
				hosts = append(hosts, host)
			}
		}
		if len(hosts) > 0 {
			generator, secret := t.ecrExternalSecret(auth.ECR, hosts)
			t.res.ExternalSecrets = append(t.res.ExternalSecrets, generator, secret)
			t.pod.ImagePullSecrets = append(t.pod.ImagePullSecrets, corev1.LocalObjectReference{Name: t.ecrSecretName()})
		}
	}
	if auth != nil {
		for _, s := range auth.ImagePullSecrets {
			if s.Name != "" && !slices.Contains(t.pod.ImagePullSecrets, s) {
				t.pod.ImagePullSecrets = append(t.pod.ImagePullSecrets, s)
			}
		}
	}
}

func storeRefObject(s ecsv1.SecretStoreRef) map[string]any {
	return map[string]any{"kind": s.Kind, "name": s.Name}
}

func remoteRefObject(ref secretRemoteRef, property string) map[string]any {
	out := map[string]any{"key": ref.key}
	if property != "" {
		out["property"] = property
	}
	if ref.version != "" {
		out["version"] = ref.version
	}
	return out
}

// secretsExternalSecret builds <family>-secrets-r<N>: every secret of the
// task, each read from the store of its service and region (the first
// entry's store is the default, the others name theirs in sourceRef).
func (t *taskTranslation) secretsExternalSecret() *unstructured.Unstructured {
	name := t.secretsName()
	defaultStore := t.secrets.entries[0].store
	data := make([]any, 0, len(t.secrets.entries))
	for _, e := range t.secrets.entries {
		item := map[string]any{
			"secretKey": e.key,
			"remoteRef": remoteRefObject(e.ref, e.ref.property),
		}
		if e.store != defaultStore {
			item["sourceRef"] = map[string]any{"storeRef": storeRefObject(e.store)}
		}
		data = append(data, item)
	}
	return t.newUnstructured(externalSecretsAPIVersion, "ExternalSecret", name, true, map[string]any{
		"secretStoreRef": storeRefObject(defaultStore),
		"target":         map[string]any{"name": name, "creationPolicy": "Owner"},
		"data":           data,
	})
}

// pullExternalSecret builds <family>-pull-r<N>: a kubernetes.io/dockerconfigjson
// Secret rendered from the username/password of each repositoryCredentials
// secret, for the registries of the images that use it.
func (t *taskTranslation) pullExternalSecret() *unstructured.Unstructured {
	name := t.pullSecretName()
	defaultStore := t.secrets.pulls[0].store
	var data []any
	var auths []string
	for i, p := range t.secrets.pulls {
		user := "r" + strconv.Itoa(i) + "_username"
		pass := "r" + strconv.Itoa(i) + "_password"
		for _, property := range []struct{ key, property string }{{user, "username"}, {pass, "password"}} {
			item := map[string]any{"secretKey": property.key, "remoteRef": remoteRefObject(p.ref, property.property)}
			if p.store != defaultStore {
				item["sourceRef"] = map[string]any{"storeRef": storeRefObject(p.store)}
			}
			data = append(data, item)
		}
		for _, host := range p.hosts {
			auths = append(auths, dockerConfigAuth(host, "."+user, "."+pass))
		}
	}
	return t.newUnstructured(externalSecretsAPIVersion, "ExternalSecret", name, true, map[string]any{
		"secretStoreRef": storeRefObject(defaultStore),
		"target": map[string]any{
			"name":           name,
			"creationPolicy": "Owner",
			"template":       dockerConfigTemplate(auths),
		},
		"data": data,
	})
}

// ecrExternalSecret builds the ECRAuthorizationToken generator and the
// ExternalSecret that keeps a pull secret for the task's private ECR
// registries fresh (ECSCluster registryAuth.ecr; ECR tokens last 12 hours,
// External Secrets refreshes hourly).
func (t *taskTranslation) ecrExternalSecret(ecr *ecsv1.ECRRegistryAuth, hosts []string) (generator, secret *unstructured.Unstructured) {
	name := t.ecrSecretName()
	spec := map[string]any{"region": ecr.Region}
	if ecr.RoleArn != "" {
		spec["role"] = ecr.RoleArn
	}
	generator = t.newUnstructured(externalSecretsGenerators, "ECRAuthorizationToken", name, true, spec)
	var auths []string
	for _, host := range hosts {
		auths = append(auths, dockerConfigAuth(host, ".username", ".password"))
	}
	secret = t.newUnstructured(externalSecretsAPIVersion, "ExternalSecret", name, true, map[string]any{
		"target": map[string]any{
			"name":           name,
			"creationPolicy": "Owner",
			"template":       dockerConfigTemplate(auths),
		},
		"dataFrom": []any{map[string]any{"sourceRef": map[string]any{"generatorRef": map[string]any{
			"apiVersion": externalSecretsGenerators,
			"kind":       "ECRAuthorizationToken",
			"name":       name,
		}}}},
	})
	return generator, secret
}

// dockerConfigAuth is one registry entry of a .dockerconfigjson template;
// toJson quotes the values so any password stays valid JSON.
func dockerConfigAuth(host, user, pass string) string {
	return strconv.Quote(host) + `:{"username":{{ ` + user + ` | toJson }},"password":{{ ` + pass + ` | toJson }},"auth":{{ printf "%s:%s" ` + user + ` ` + pass + ` | b64enc | toJson }}}`
}

func dockerConfigTemplate(auths []string) map[string]any {
	return map[string]any{
		"engineVersion": "v2",
		"type":          string(corev1.SecretTypeDockerConfigJson),
		"data": map[string]any{
			corev1.DockerConfigJsonKey: `{"auths":{` + strings.Join(auths, ",") + `}}`,
		},
	}
}
