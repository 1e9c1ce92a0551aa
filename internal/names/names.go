// Package names turns ECS names into valid Kubernetes names, and holds the
// names of every child object in one place. Sanitising is deterministic:
// the same ECS name always gives the same Kubernetes name, and a name that
// had to be truncated carries a short hash of the original so that two long
// names sharing a prefix stay distinct.
package names

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

const (
	// MaxLabel is the length limit of DNS-1123 labels and label values.
	MaxLabel = 63
	// MaxSubdomain is the length limit of DNS-1123 subdomains.
	MaxSubdomain = 253
	// MaxPortName is the length limit of IANA service (port) names.
	MaxPortName = 15
)

// hashOf returns the first n hex characters of sha256(s).
func hashOf(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:n]
}

// lowerDashed lowercases s and replaces every run of characters outside
// [a-z0-9] with a single '-', trimming '-' at both ends.
func lowerDashed(s string) string {
	if isLowerDashed(s) {
		// Most names are already valid: nothing to build.
		return s
	}
	return rebuildLowerDashed(s)
}

// isLowerDashed reports whether lowerDashed leaves s as it is: [a-z0-9]
// runs joined by single dashes.
func isLowerDashed(s string) bool {
	if s == "" || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'):
		case c == '-' && i > 0 && s[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

func rebuildLowerDashed(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// truncate keeps s when it fits max; otherwise it keeps the first
// max-hashLen-1 characters (without a trailing '-') and appends '-' and
// hashLen hex characters of sha256(original).
func truncate(s, original string, max, hashLen int) string {
	if len(s) <= max {
		return s
	}
	head := strings.TrimRight(s[:max-hashLen-1], "-")
	return head + "-" + hashOf(original, hashLen)
}

// DNSLabel sanitises an ECS name into a DNS-1123 label of at most max
// characters (field-map rule 1): lowercase, [a-z0-9-] only, runs of '-'
// collapsed, trimmed, "x" when nothing is left, and an 8-hex sha256 suffix
// when truncated. Containers, volumes, Deployments, ServiceAccounts and
// PVCs use it with max 63.
func DNSLabel(original string, max int) string {
	s := lowerDashed(original)
	if s == "" {
		s = "x"
	}
	return truncate(s, original, max, 8)
}

// Object is DNSLabel with the 63-character limit.
func Object(original string) string { return DNSLabel(original, MaxLabel) }

// Service sanitises a name into a DNS-1035 label (rule 2): rule 1, then an
// "s-" prefix when the name starts with a digit.
func Service(original string) string {
	s := lowerDashed(original)
	if s == "" {
		s = "x"
	}
	if s[0] >= '0' && s[0] <= '9' {
		s = "s-" + s
	}
	return truncate(s, original, MaxLabel, 8)
}

// Port sanitises a port mapping name into an IANA_SVC_NAME (rule 3): at
// most 15 characters, a 4-hex suffix when truncated, and a "p" prefix when
// it has no letter.
func Port(original string) string {
	s := lowerDashed(original)
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' }) {
		s = "p" + s
	}
	return truncate(s, original, MaxPortName, 4)
}

// LabelValue sanitises a value for a Kubernetes label (rule 4): case is
// kept, characters outside [A-Za-z0-9._-] become '-', both ends are
// alphanumeric, and long values are truncated with an 8-hex suffix. The
// empty string stays empty (a valid label value).
func LabelValue(original string) string {
	if original == "" || isLabelValue(original) {
		return original
	}
	return rebuildLabelValue(original)
}

// isLabelValue reports whether LabelValue leaves s as it is: at most
// MaxLabel characters of [A-Za-z0-9._-], alphanumeric at both ends.
func isLabelValue(s string) bool {
	if len(s) > MaxLabel || !isAlnum(rune(s[0])) || !isAlnum(rune(s[len(s)-1])) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(rune(c)) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func rebuildLabelValue(original string) string {
	var b strings.Builder
	for _, r := range original {
		switch {
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '.' || r == '_' || r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	s := strings.TrimFunc(b.String(), func(r rune) bool { return !isAlnum(r) })
	if s == "" {
		s = "x"
	}
	if len(s) <= MaxLabel {
		return s
	}
	head := strings.TrimRightFunc(s[:MaxLabel-9], func(r rune) bool { return !isAlnum(r) })
	return head + "-" + hashOf(original, 8)
}

func isAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

// ClusterScoped names a cluster-scoped object (PersistentVolume,
// StorageClass) that belongs to a namespaced owner (rule 5).
func ClusterScoped(namespace string, parts ...string) string {
	return Object(strings.Join(append([]string{namespace}, parts...), "-"))
}

// Suffixed joins an already sanitised base name and a suffix, keeping the
// result a valid label: the base is shortened (with a hash of the whole
// name) when base-suffix would be too long.
func Suffixed(base, suffix string) string {
	whole := base + "-" + suffix
	if len(whole) <= MaxLabel {
		return whole
	}
	keep := MaxLabel - len(suffix) - 1 - 9
	if keep < 1 {
		return Object(whole)
	}
	return strings.TrimRight(base[:keep], "-") + "-" + hashOf(whole, 8) + "-" + suffix
}
