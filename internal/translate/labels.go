package translate

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/names"
)

// AnnotationContainerNames keeps, on the pod template, the ECS name of every
// container whose Kubernetes name had to be sanitised (JSON object,
// Kubernetes name → ECS name).
const AnnotationContainerNames = "ecs.operator.dev/container-names"

// collisionSuffix is the short hash added to two different ECS names that
// sanitise to the same Kubernetes name (field-map §0 rule 6).
func collisionSuffix(original string) string {
	sum := sha256.Sum256([]byte(original))
	return hex.EncodeToString(sum[:4])
}

// translateMetadata builds the pod template labels and annotations
// (field-map §0 and §1 family, tags, read-only fields).
func (t *taskTranslation) translateMetadata() {
	t.labels = map[string]string{
		ecsv1.LabelAppName:   t.familyLabel,
		ecsv1.LabelManagedBy: ecsv1.ManagedByValue,
		ecsv1.LabelFamily:    t.familyLabel,
		ecsv1.LabelRevision:  strconv.FormatInt(t.revision, 10),
	}
	if t.in.ClusterName != "" {
		t.labels[ecsv1.LabelCluster] = names.LabelValue(t.in.ClusterName)
	}
	if t.family != t.familyLabel {
		t.setAnnotation(ecsv1.AnnotationOriginalName, t.family)
	}
	renamed := map[string]string{}
	for _, tc := range t.containers {
		if tc.name != tc.def.Name {
			renamed[tc.name] = tc.def.Name
		}
	}
	if len(renamed) > 0 {
		t.setAnnotation(AnnotationContainerNames, jsonStringMap(renamed))
	}
	t.translateReadOnlyFields()
}

// translateTags computes the tag labels and annotation. Tags reach pods
// only through a service's propagateTags, so TranslateTask puts them on the
// TaskDefinition's own children (ServiceAccount, ExternalSecrets, volumes,
// ConfigMaps, NetworkPolicy); TranslateService uses TagMetadata for pods.
func (t *taskTranslation) translateTags() {
	for i, tag := range t.spec.Tags {
		if tag.Key == nil || *tag.Key == "" {
			t.rep.Warn("tags["+strconv.Itoa(i)+"].key", "tag without a key ignored")
		}
	}
	t.tagLabels, t.tagsJSON = TagMetadata(t.spec.Tags)
	if t.tagsJSON != "" {
		t.rep.Info("tags", "tags label the task definition's own objects; they reach pods through a service's propagateTags TASK_DEFINITION")
	}
}

// TagMetadata maps ECS tags to Kubernetes metadata (field-map §1 tags):
// tags whose key and value are valid label syntax become labels (keys
// starting with "aws:" and keys in the operator's own prefix excepted), and
// every tag goes into the ecs.operator.dev/tags annotation value (a JSON
// object, "" when there are no tags). Later duplicates win, as in ECS.
func TagMetadata(tags []ecsv1.Tag) (labels map[string]string, annotation string) {
	if len(tags) == 0 {
		return nil, ""
	}
	all := make(map[string]string, len(tags))
	for _, tag := range tags {
		key := ptr.Deref(tag.Key, "")
		if key == "" {
			continue
		}
		all[key] = ptr.Deref(tag.Value, "")
	}
	if len(all) == 0 {
		return nil, ""
	}
	for key, value := range all {
		if strings.HasPrefix(key, "aws:") || strings.HasPrefix(key, "ecs.operator.dev/") || strings.HasPrefix(key, "app.kubernetes.io/") {
			continue
		}
		if len(validation.IsQualifiedName(key)) > 0 || len(validation.IsValidLabelValue(value)) > 0 {
			continue
		}
		if labels == nil {
			labels = map[string]string{}
		}
		labels[key] = value
	}
	return labels, jsonStringMap(all)
}

// translateReadOnlyFields notes the describe-task-definition output fields
// (field-map §1: accepted and ignored; the operator numbers revisions).
func (t *taskTranslation) translateReadOnlyFields() {
	s := t.spec
	const why = "read-only describe-task-definition output; ignored"
	if s.TaskDefinitionArn != nil {
		t.rep.Info("taskDefinitionArn", why)
	}
	if s.Revision != nil {
		t.rep.Info("revision", "read-only describe-task-definition output; kept as annotation %s (the operator numbers revisions itself)", ecsv1.AnnotationSourceRevision)
		t.setAnnotation(ecsv1.AnnotationSourceRevision, strconv.FormatInt(*s.Revision, 10))
	}
	if s.Status != nil {
		t.rep.Info("status", why)
	}
	if len(s.Compatibilities) > 0 {
		t.rep.Info("compatibilities", why)
	}
	if len(s.RequiresAttributes) > 0 {
		t.rep.Info("requiresAttributes", why)
	}
	if s.RegisteredAt != nil {
		t.rep.Info("registeredAt", why)
	}
	if s.RegisteredBy != nil {
		t.rep.Info("registeredBy", why)
	}
	if s.DeregisteredAt != nil {
		t.rep.Info("deregisteredAt", why)
	}
}

// translateDockerLabels keeps dockerLabels as a pod annotation: Kubernetes
// has no runtime container labels (field-map §3.1).
func (t *taskTranslation) translateDockerLabels(tc *taskContainer) {
	if len(tc.def.DockerLabels) == 0 {
		return
	}
	key := containerAnnotationKey(ecsv1.AnnotationDockerLabelsPrefix, tc.name)
	t.setAnnotation(key, jsonStringMap(tc.def.DockerLabels))
	t.rep.Warn(t.rep.Field(tc.path, ".dockerLabels"), "docker labels kept as annotation %s only", key)
}

// containerAnnotationKey appends a container name to an annotation prefix,
// shortening the name so the key stays valid (the part after '/' is at
// most 63 characters).
func containerAnnotationKey(prefix, container string) string {
	slash := strings.IndexByte(prefix, '/')
	room := names.MaxLabel - (len(prefix) - slash - 1)
	if len(container) > room {
		container = names.DNSLabel(container, room)
	}
	return prefix + container
}

func (t *taskTranslation) setAnnotation(key, value string) {
	if t.annotations == nil {
		t.annotations = map[string]string{}
	}
	t.annotations[key] = value
}

// jsonStringMap is m as a JSON object with sorted keys. It is put
// together on the stack and copied once.
func jsonStringMap(m map[string]string) string {
	var room [512]byte
	return string(appendJSONStringMap(room[:0], m))
}

// appendJSONStringMap appends m as a JSON object with sorted keys, exactly
// as encoding/json writes it; annotations are built on every translation,
// and this is several times faster than reflection.
func appendJSONStringMap(b []byte, m map[string]string) []byte {
	// The entries are gathered with their values: looking each value up
	// again after sorting costs as much as the rest.
	type entry struct{ key, value string }
	var room [16]entry
	entries := room[:0]
	for k, v := range m {
		entries = append(entries, entry{k, v})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	b = append(b, '{')
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, e.key)
		b = append(b, ':')
		b = appendJSONString(b, e.value)
	}
	return append(b, '}')
}

// needsJSONEscape reports whether one of the eight bytes of w is one
// appendJSONString looks at closely: a control character, a quote, a
// backslash, '<', '>', '&' or a non-ASCII byte. Most values have none, and
// checking eight bytes at once passes over them several times faster.
func needsJSONEscape(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	// x-ones & ^x & highs is set when one of x's bytes is zero (and
	// x-n*ones & ^x & highs when one is below n).
	quote, backslash := w^('"'*ones), w^('\\'*ones)
	less, greater, ampersand := w^('<'*ones), w^('>'*ones), w^('&'*ones)
	found := (w-0x20*ones)&^w | w |
		(quote-ones)&^quote | (backslash-ones)&^backslash |
		(less-ones)&^less | (greater-ones)&^greater | (ampersand-ones)&^ampersand
	return found&highs != 0
}

// appendJSONString appends s as a JSON string the way encoding/json does:
// HTML-safe, invalid UTF-8 replaced, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && !needsJSONEscape(binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))) {
			i += 8
			continue
		}
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
