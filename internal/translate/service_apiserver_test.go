package translate

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestServiceGoldenAcceptedByAPIServer server-side-dry-run applies every
// object of every service golden case (the hand-written cases and the
// corpus services that translate) to a real API server with the real
// TargetGroupBinding, SecurityGroupPolicy and ScaledObject CRDs: all must
// be accepted.
func TestServiceGoldenAcceptedByAPIServer(t *testing.T) {
	env := integrationAPIServer(t)
	cluster := serviceTestCluster(t)
	type translated struct {
		name      string
		namespace string
		res       *ServiceResult
	}
	var all []translated
	for _, file := range serviceCaseFiles(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		if _, res := translateServiceCase(t, file, cluster); res != nil {
			all = append(all, translated{name, loadServiceCase(t, file).Namespace, res})
		}
	}
	for _, file := range serviceCorpusFiles(t) {
		name := "corpus-" + strings.TrimSuffix(filepath.Base(file), ".json")
		if _, res := translateServiceCorpusFile(t, file, cluster); res != nil {
			all = append(all, translated{name, serviceCorpusNamespace, res})
		}
	}
	if len(all) < 10 {
		t.Fatalf("only %d cases translated; the golden cases should give more", len(all))
	}
	ctx := context.Background()
	applied := 0
	for _, tr := range all {
		serviceEnsureNamespace(t, env.Client, tr.namespace)
		for _, obj := range tr.res.Objects() {
			if err := dryRunApply(ctx, env.Client, obj); err != nil {
				meta, _ := obj.(metav1.Object)
				t.Errorf("%s: %s %s rejected: %v", tr.name, obj.GetObjectKind().GroupVersionKind().Kind, meta.GetName(), err)
				continue
			}
			applied++
		}
	}
	t.Logf("%d objects of %d translations accepted", applied, len(all))
}

// TestServiceObjectsRejectedWhenInvalid checks that the dry run really
// validates: an object the API server must refuse is refused.
func TestServiceObjectsRejectedWhenInvalid(t *testing.T) {
	env := integrationAPIServer(t)
	res := svcTranslate(t, svcInput(t, `{"desiredCount":1,"loadBalancers":[{"targetGroupArn":"`+svcTargetGroup+`","containerName":"app","containerPort":80}]}`))
	serviceEnsureNamespace(t, env.Client, "shop")
	binding := res.TargetGroupBindings[0].DeepCopy()
	binding.Object["spec"].(map[string]any)["targetType"] = "lambda" // not in the CRD's enum
	deployment := res.Deployment.DeepCopy()
	deployment.Spec.Selector.MatchLabels = map[string]string{"other": "x"} // selector does not match the template
	for _, obj := range []runtime.Object{binding, deployment} {
		if err := dryRunApply(context.Background(), env.Client, obj); err == nil || !apierrors.IsInvalid(err) {
			t.Errorf("%s: want Invalid, got %v", obj.GetObjectKind().GroupVersionKind().Kind, err)
		}
	}
}

func serviceEnsureNamespace(t *testing.T, c client.Client, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := c.Create(context.Background(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("creating namespace %s: %v", name, err)
	}
}
