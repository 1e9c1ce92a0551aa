package translate

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestTaskRoleIRSA(t *testing.T) {
	in := taskIn(t, `{"family":"Web_App","taskRoleArn":"app-role","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`)
	in.Cluster = clusterSpecFromJSON(t, `{"region":"cn-north-1","iam":{"accountId":"111122223333"}}`)
	res := taskOK(t, in)
	sa := res.ServiceAccount
	if sa == nil {
		t.Fatal("no ServiceAccount")
	}
	if sa.APIVersion != "v1" || sa.Kind != "ServiceAccount" || sa.Name != "web-app" || sa.Namespace != "apps" {
		t.Errorf("ServiceAccount = %s %s %s/%s", sa.APIVersion, sa.Kind, sa.Namespace, sa.Name)
	}
	if got := sa.Annotations["eks.amazonaws.com/role-arn"]; got != "arn:aws-cn:iam::111122223333:role/app-role" {
		t.Errorf("role annotation = %q", got)
	}
	if got := sa.Annotations["ecs.operator.dev/original-name"]; got != "Web_App" {
		t.Errorf("original-name = %q", got)
	}
	if res.PodTemplate.Spec.ServiceAccountName != "web-app" {
		t.Errorf("serviceAccountName = %q", res.PodTemplate.Spec.ServiceAccountName)
	}
	if res.PodIdentityAssociation != nil {
		t.Error("PodIdentityAssociation in IRSA mode")
	}
	requireWarning(t, res, "taskRoleArn", "OIDC provider")
}

func TestTaskRolePodIdentity(t *testing.T) {
	in := taskIn(t, `{"family":"web","taskRoleArn":"arn:aws:iam::111122223333:role/path/web","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`)
	in.Cluster = clusterSpecFromJSON(t, `{"iam":{"mode":"PodIdentity","clusterName":"eks-prod"}}`)
	res := taskOK(t, in)
	pia := res.PodIdentityAssociation
	if pia == nil {
		t.Fatal("no PodIdentityAssociation")
	}
	if pia.GetAPIVersion() != "eks.services.k8s.aws/v1alpha1" || pia.GetKind() != "PodIdentityAssociation" || pia.GetName() != "web" || pia.GetNamespace() != "apps" {
		t.Errorf("PodIdentityAssociation = %s %s %s/%s", pia.GetAPIVersion(), pia.GetKind(), pia.GetNamespace(), pia.GetName())
	}
	want := map[string]any{"clusterName": "eks-prod", "namespace": "apps", "serviceAccount": "web", "roleARN": "arn:aws:iam::111122223333:role/path/web"}
	if got := nested(t, pia, "spec"); !reflect.DeepEqual(got, want) {
		t.Errorf("spec = %v, want %v", got, want)
	}
	if _, ok := res.ServiceAccount.Annotations["eks.amazonaws.com/role-arn"]; ok {
		t.Error("IRSA annotation in PodIdentity mode")
	}
	requireWarning(t, res, "taskRoleArn", "pods.eks.amazonaws.com")
}

func TestTaskRoleAllowList(t *testing.T) {
	cluster := `{"iam":{"allowedRoleArns":[
		{"namespaceSelector":{"matchLabels":{"team":"payments"}},"patterns":["arn:aws:iam::111122223333:role/payments-*"]},
		{"patterns":["arn:aws:iam::*:role/shared/*"]}]}}`
	for _, tc := range []struct {
		name    string
		role    string
		labels  map[string]string
		allowed bool
	}{
		{"matching namespace and pattern", "arn:aws:iam::111122223333:role/payments-api", map[string]string{"team": "payments"}, true},
		{"pattern of another namespace", "arn:aws:iam::111122223333:role/payments-api", map[string]string{"team": "web"}, false},
		{"entry for every namespace", "arn:aws:iam::999988887777:role/shared/reader", nil, true},
		{"no pattern matches", "arn:aws:iam::111122223333:role/admin", map[string]string{"team": "payments"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`)
			in.Spec.TaskRoleArn = &tc.role
			in.NamespaceLabels = tc.labels
			in.Cluster = clusterSpecFromJSON(t, cluster)
			if tc.allowed {
				if res := taskOK(t, in); res.ServiceAccount == nil {
					t.Error("no ServiceAccount for an allowed role")
				}
				return
			}
			requireError(t, taskFails(t, in), "taskRoleArn", "is not allowed for namespace")
		})
	}
}

func TestTaskRoleErrorsAndDisabled(t *testing.T) {
	for _, tc := range []struct {
		name, role, cluster, substr string
	}{
		{"placeholder", "{{ecsTaskRoleArn}}", `{}`, "unrendered template"},
		{"bad account", "arn:aws:iam::XXXXXXXXXXXX:role/r", `{}`, "not an IAM role ARN"},
		{"short name without account", "app-role", `{}`, "spec.iam.accountId"},
		{"pod identity without cluster name", "arn:aws:iam::111122223333:role/r", `{"iam":{"mode":"PodIdentity"}}`, "spec.iam.clusterName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`)
			in.Spec.TaskRoleArn = &tc.role
			in.Cluster = clusterSpecFromJSON(t, tc.cluster)
			requireError(t, taskFails(t, in), "taskRoleArn", tc.substr)
		})
	}
	in := taskIn(t, `{"family":"f","taskRoleArn":"arn:aws:iam::111122223333:role/r","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`)
	in.Cluster = clusterSpecFromJSON(t, `{"iam":{"enableTaskIAMRole":false}}`)
	res := taskOK(t, in)
	if res.ServiceAccount != nil || res.PodTemplate.Spec.ServiceAccountName != "" {
		t.Error("task role granted although the cluster disables task roles")
	}
	requireWarning(t, res, "taskRoleArn", "task roles are disabled")
}

func TestRoleGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "anything", true},
		{"arn:aws:iam::1:role/a", "arn:aws:iam::1:role/a", true},
		{"arn:aws:iam::1:role/a", "arn:aws:iam::1:role/ab", false},
		{"arn:aws:iam::*:role/app-*", "arn:aws:iam::1:role/app-x/y", true},
		{"*:role/*-reader", "arn:aws:iam::1:role/s3-reader", true},
		{"*:role/*-reader", "arn:aws:iam::1:role/s3-writer", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "acb", false},
	} {
		if got := roleGlobMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("roleGlobMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func TestIAMRoleMatchersFollowTheirExpressions(t *testing.T) {
	arn := regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$`)
	name := regexp.MustCompile(`^[\w+=,.@/-]{1,512}$`)
	long := strings.Repeat("r", 512)
	for _, s := range []string{
		"", "arn:aws:iam::123456789012:role/app", "arn:aws-cn:iam::123456789012:role/a/b/c",
		"arn:aws-us-gov:iam::123456789012:role/x_+=,.@-", "arn:aws:iam::12345678901:role/app",
		"arn:aws:iam::1234567890123:role/app", "arn:aws:iam::123456789012:role/", "arn:aws:iam::123456789012:user/app",
		"arn:aws:iam::123456789012:role/app name", "arn:aws:iam::123456789012:role/" + long,
		"arn:aws:iam::123456789012:role/" + long + "r", "arn:awsX:iam::123456789012:role/app",
		"arn:aws:sts::123456789012:role/app", "arn:aws:iam::12345678901a:role/app", "arn:aws:iam::123456789012:role/é",
		"app", "path/app", "app!", long, long + "r", "${ROLE}", "{{ role }}", "arn:aws:iam::123456789012:role/app\n",
	} {
		if got, want := isIAMRoleARN(s), arn.MatchString(s); got != want {
			t.Errorf("isIAMRoleARN(%q) = %v, want %v", s, got, want)
		}
		if got, want := isIAMRoleName(s), name.MatchString(s); got != want {
			t.Errorf("isIAMRoleName(%q) = %v, want %v", s, got, want)
		}
	}
}
