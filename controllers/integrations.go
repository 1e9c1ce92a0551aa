package controllers

import (
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/source"
)

// integration is an optional add-on whose custom resources the operator
// creates when a spec asks for them.
type integration struct {
	gvk schema.GroupVersionKind
	// crd is the CustomResourceDefinition name, as condition messages
	// report it.
	crd string
	// provider is the add-on that installs the CRD.
	provider string
}

// The integrations the translation can ask for.
var (
	externalSecretKind = integration{
		gvk:      schema.GroupVersionKind{Group: "external-secrets.io", Version: "v1", Kind: "ExternalSecret"},
		crd:      "externalsecrets.external-secrets.io",
		provider: "External Secrets Operator",
	}
	ecrAuthorizationTokenKind = integration{
		gvk:      schema.GroupVersionKind{Group: "generators.external-secrets.io", Version: "v1alpha1", Kind: "ECRAuthorizationToken"},
		crd:      "ecrauthorizationtokens.generators.external-secrets.io",
		provider: "External Secrets Operator",
	}
	podIdentityAssociationKind = integration{
		gvk:      schema.GroupVersionKind{Group: "eks.services.k8s.aws", Version: "v1alpha1", Kind: "PodIdentityAssociation"},
		crd:      "podidentityassociations.eks.services.k8s.aws",
		provider: "ACK EKS controller",
	}
	targetGroupBindingKind = integration{
		gvk:      schema.GroupVersionKind{Group: "elbv2.k8s.aws", Version: "v1beta1", Kind: "TargetGroupBinding"},
		crd:      "targetgroupbindings.elbv2.k8s.aws",
		provider: "AWS Load Balancer Controller",
	}
	securityGroupPolicyKind = integration{
		gvk:      schema.GroupVersionKind{Group: "vpcresources.k8s.aws", Version: "v1beta1", Kind: "SecurityGroupPolicy"},
		crd:      "securitygrouppolicies.vpcresources.k8s.aws",
		provider: "VPC resource controller",
	}
	scaledObjectKind = integration{
		gvk:      schema.GroupVersionKind{Group: "keda.sh", Version: "v1alpha1", Kind: "ScaledObject"},
		crd:      "scaledobjects.keda.sh",
		provider: "KEDA",
	}
)

// integrationByGVK finds an integration by the kind of a translated object.
func integrationByGVK(gvk schema.GroupVersionKind) (integration, bool) {
	for _, i := range []integration{externalSecretKind, ecrAuthorizationTokenKind, podIdentityAssociationKind, targetGroupBindingKind, securityGroupPolicyKind, scaledObjectKind} {
		if i.gvk == gvk {
			return i, true
		}
	}
	return integration{}, false
}

// missingRecheck is how long an absent CRD is believed absent before
// discovery is asked again. A present CRD is believed present until the
// API server says otherwise.
const missingRecheck = 30 * time.Second

// integrations detects integration CRDs through the REST mapper (which
// refreshes its discovery data on a miss) and caches the answer, so a
// reconcile normally costs no discovery request. When a kind first shows
// up, the controllers that own such objects start watching it: an
// informer for a kind whose CRD is absent would never sync, so these
// watches cannot be set up front.
type integrations struct {
	mapper meta.RESTMapper
	now    func() time.Time

	mu       sync.Mutex
	present  map[schema.GroupVersionKind]bool
	checked  map[schema.GroupVersionKind]time.Time
	watchers map[schema.GroupVersionKind][]func()
}

func newIntegrations(mapper meta.RESTMapper) *integrations {
	return &integrations{
		mapper:   mapper,
		now:      time.Now,
		present:  map[schema.GroupVersionKind]bool{},
		checked:  map[schema.GroupVersionKind]time.Time{},
		watchers: map[schema.GroupVersionKind][]func(){},
	}
}

// available reports whether the kind's CRD is installed.
func (d *integrations) available(ctx context.Context, i integration) bool {
	d.mu.Lock()
	if d.present[i.gvk] {
		d.mu.Unlock()
		return true
	}
	if at, ok := d.checked[i.gvk]; ok && d.now().Sub(at) < missingRecheck {
		d.mu.Unlock()
		return false
	}
	d.mu.Unlock()

	_, err := d.mapper.RESTMapping(i.gvk.GroupKind(), i.gvk.Version)
	found := err == nil
	if err != nil && !meta.IsNoMatchError(err) {
		log.FromContext(ctx).V(1).Info("integration discovery failed", "crd", i.crd, "error", err.Error())
	}

	d.mu.Lock()
	d.checked[i.gvk] = d.now()
	if !found || d.present[i.gvk] {
		d.mu.Unlock()
		return found
	}
	d.present[i.gvk] = true
	starts := d.watchers[i.gvk]
	delete(d.watchers, i.gvk)
	d.mu.Unlock()
	for _, start := range starts {
		start()
	}
	return true
}

// forget drops a positive answer after the API server rejected the kind
// (its CRD was deleted).
func (d *integrations) forget(i integration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.present, i.gvk)
	delete(d.checked, i.gvk)
}

// watchOwned makes ctrl watch objects of the integration's kind that owner
// controls, as soon as the CRD is known to exist.
func (d *integrations) watchOwned(ctx context.Context, ctrl controller.Controller, mgr manager.Manager, owner client.Object, i integration) {
	start := func() {
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(i.gvk)
		h := handler.EnqueueRequestForOwner(mgr.GetScheme(), mgr.GetRESTMapper(), owner, handler.OnlyControllerOwner())
		if err := ctrl.Watch(source.Kind[client.Object](mgr.GetCache(), obj, h)); err != nil {
			log.FromContext(ctx).Error(err, "watching integration kind", "crd", i.crd)
		}
	}
	d.mu.Lock()
	if d.present[i.gvk] {
		d.mu.Unlock()
		start()
		return
	}
	d.watchers[i.gvk] = append(d.watchers[i.gvk], start)
	d.mu.Unlock()
}
