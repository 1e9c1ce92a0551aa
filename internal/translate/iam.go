package translate

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// AnnotationIRSARoleARN is the ServiceAccount annotation EKS reads for IAM
// roles for service accounts.
const AnnotationIRSARoleARN = "eks.amazonaws.com/role-arn"

// isIAMRoleARN matches `^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$`
// by hand: every translation with a task role checks it, and the
// expression cost more than building the ServiceAccount.
func isIAMRoleARN(s string) bool {
	rest, ok := strings.CutPrefix(s, "arn:aws")
	if !ok {
		return false
	}
	rest = strings.TrimLeft(rest, "abcdefghijklmnopqrstuvwxyz-")
	if rest, ok = strings.CutPrefix(rest, ":iam::"); !ok || len(rest) < 12 {
		return false
	}
	for _, c := range []byte(rest[:12]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	rest, ok = strings.CutPrefix(rest[12:], ":role/")
	return ok && isIAMRoleName(rest)
}

// isIAMRoleName matches `^[\w+=,.@/-]{1,512}$`, a role name with its path.
func isIAMRoleName(s string) bool {
	if len(s) < 1 || len(s) > 512 {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("_+=,.@/-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// translateIAM maps taskRoleArn (field-map §1) to a ServiceAccount named
// after the family, bound to the role through IRSA or EKS Pod Identity.
func (t *taskTranslation) translateIAM() {
	raw := ptr.Deref(t.spec.TaskRoleArn, "")
	if raw == "" {
		return
	}
	iam := t.cluster.IAM
	if iam == nil {
		iam = &ecsv1.ClusterIAM{}
	}
	if !ptr.Deref(iam.EnableTaskIAMRole, true) {
		t.rep.Warn("taskRoleArn", "task roles are disabled in the cluster (iam.enableTaskIAMRole false, like ECS_ENABLE_TASK_IAM_ROLE=false); the pod runs with the namespace's default ServiceAccount")
		return
	}
	role := raw
	if !strings.HasPrefix(raw, "arn:") {
		if !isIAMRoleName(raw) || looksTemplated(raw) {
			t.rep.Fail("taskRoleArn", "%q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME) or role name%s", raw, templateHint(raw))
			return
		}
		if iam.AccountID == "" {
			t.rep.Fail("taskRoleArn", "role name %q needs the account: give the full ARN or set ECSCluster spec.iam.accountId", raw)
			return
		}
		role = "arn:" + partitionForRegion(t.cluster.Region) + ":iam::" + iam.AccountID + ":role/" + raw
	} else if !isIAMRoleARN(raw) {
		t.rep.Fail("taskRoleArn", "%q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)%s", raw, templateHint(raw))
		return
	}
	if !t.roleAllowed(role, iam.AllowedRoleArns) {
		t.rep.Fail("taskRoleArn", "role %s is not allowed for namespace %q by ECSCluster spec.iam.allowedRoleArns; nothing is created", role, t.namespace)
		return
	}

	saName := t.familyName
	sa := &corev1.ServiceAccount{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        saName,
			Namespace:   t.namespace,
			Labels:      t.childLabels(false),
			Annotations: t.childAnnotations(t.family, t.familyName),
		},
	}
	switch iam.Mode {
	case ecsv1.IAMModePodIdentity:
		if iam.ClusterName == "" {
			t.rep.Fail("taskRoleArn", "EKS Pod Identity needs the EKS cluster name: set ECSCluster spec.iam.clusterName")
			return
		}
		t.res.PodIdentityAssociation = t.newUnstructured("eks.services.k8s.aws/v1alpha1", "PodIdentityAssociation", saName, false, map[string]any{
			"clusterName":    iam.ClusterName,
			"namespace":      t.namespace,
			"serviceAccount": saName,
			"roleARN":        role,
		})
		t.rep.Warn("taskRoleArn", "role trust policy must trust pods.eks.amazonaws.com with sts:AssumeRole+sts:TagSession (Pod Identity); ECS task roles trust ecs-tasks.amazonaws.com")
	case ecsv1.IAMModeIRSA, "":
		if sa.Annotations == nil {
			sa.Annotations = map[string]string{}
		}
		sa.Annotations[AnnotationIRSARoleARN] = role
		t.rep.Warn("taskRoleArn", "role trust policy must trust the cluster OIDC provider (IRSA); ECS task roles trust ecs-tasks.amazonaws.com")
	default:
		t.rep.Fail("taskRoleArn", "unknown ECSCluster spec.iam.mode %q: use IRSA or PodIdentity", iam.Mode)
		return
	}
	t.res.ServiceAccount = sa
	t.pod.ServiceAccountName = saName
}

func templateHint(s string) string {
	if looksTemplated(s) {
		return "; it looks like an unrendered template: render it first"
	}
	return ""
}

// partitionForRegion returns the AWS partition of a region name.
func partitionForRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	default:
		return "aws"
	}
}

// roleAllowed checks role against the allow-list: an empty list allows
// every role; otherwise an entry whose namespace selector selects the
// task's namespace must have a matching pattern.
func (t *taskTranslation) roleAllowed(role string, allowed []ecsv1.AllowedRoles) bool {
	if len(allowed) == 0 {
		return true
	}
	nsLabels := labels.Set(t.in.NamespaceLabels)
	for i, entry := range allowed {
		if entry.NamespaceSelector != nil {
			selector, err := metav1.LabelSelectorAsSelector(entry.NamespaceSelector)
			if err != nil {
				t.rep.Fail("taskRoleArn", "ECSCluster spec.iam.allowedRoleArns[%s].namespaceSelector is invalid: %v", strconv.Itoa(i), err)
				continue
			}
			if !selector.Matches(nsLabels) {
				continue
			}
		}
		for _, pattern := range entry.Patterns {
			if roleGlobMatch(pattern, role) {
				return true
			}
		}
	}
	return false
}

// roleGlobMatch matches a role ARN against a pattern in which "*" stands for
// any run of characters, '/' and ':' included.
func roleGlobMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, middle := range parts[1 : len(parts)-1] {
		i := strings.Index(s, middle)
		if i < 0 {
			return false
		}
		s = s[i+len(middle):]
	}
	return strings.HasSuffix(s, last)
}
