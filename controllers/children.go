package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// childSet is everything an owner wants to exist.
type childSet struct {
	children []child
	keys     map[childKey]bool
	// missing lists the integration CRDs (with the add-on that provides
	// them) whose objects were skipped.
	missing []string
	// hasClusterScoped is set when a child cannot be garbage collected
	// through an owner reference.
	hasClusterScoped bool
}

// sharedKinds are cluster-scoped objects several owners share by name
// (a StorageClass per parameter set): applied without an owner, never
// pruned.
var storageClassKind = storagev1.SchemeGroupVersion.WithKind("StorageClass")

// buildChildren turns translated objects into apply documents: owner
// reference and labels stamped, integration kinds whose CRD is missing
// left out (and reported), later objects of the same name replacing
// earlier ones.
func (d *deps) buildChildren(ctx context.Context, owner ownership, objs []runtime.Object) (*childSet, error) {
	set := &childSet{keys: map[childKey]bool{}}
	index := map[childKey]int{}
	for _, obj := range objs {
		c, err := newChild(obj, d.scheme)
		if err != nil {
			return nil, err
		}
		if integ, ok := integrationByGVK(c.gvk); ok && !d.integrations.available(ctx, integ) {
			entry := fmt.Sprintf("%s (%s)", integ.crd, integ.provider)
			if !slices.Contains(set.missing, entry) {
				set.missing = append(set.missing, entry)
			}
			continue
		}
		switch {
		case c.gvk == storageClassKind:
			c.object.SetLabels(mergeLabels(c.object.GetLabels(), map[string]string{ecsv1.LabelManagedBy: ecsv1.ManagedByValue}))
			stampHash(c.object)
		default:
			namespaced, err := d.client.IsObjectNamespaced(c.object)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.gvk.Kind, err)
			}
			owner.prepare(c, namespaced)
			if !namespaced {
				set.hasClusterScoped = true
			}
		}
		key := c.key()
		if i, ok := index[key]; ok {
			set.children[i] = c
			continue
		}
		index[key] = len(set.children)
		set.children = append(set.children, c)
		set.keys[key] = true
	}
	sort.Strings(set.missing)
	return set, nil
}

// applyAll applies every child, all at once, and reports every failure
// in the order of the children (so a status naming them does not flap).
// The children of one owner do not depend on each other: the
// ServiceAccount a workload runs as belongs to the task definition, which
// is applied before a service can resolve it. A reconcile so waits one
// API round trip instead of one per child. A kind the API server no
// longer knows (its CRD was deleted) is forgotten, so the next reconcile
// reports it missing instead of failing again.
func (d *deps) applyAll(ctx context.Context, set *childSet) error {
	errs := make([]error, len(set.children))
	var wg sync.WaitGroup
	for i, c := range set.children {
		wg.Go(func() {
			if _, err := d.applier.apply(ctx, c); err != nil {
				if integ, ok := integrationByGVK(c.gvk); ok && meta.IsNoMatchError(err) {
					d.integrations.forget(integ)
				}
				errs[i] = err
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// refusedByServer reports whether err is the API server refusing a child
// for a reason that lasts until someone acts: a full Service IP range, a
// quota, an admission webhook, a policy. Such a refusal goes into status
// (Stalled, Ready False, a Warning event naming the object), or the
// service would show no sign of why it does not converge. Conflicts and
// an overloaded or unreachable server clear on retry and are only
// retried.
func refusedByServer(err error) bool {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return false
	}
	switch {
	case apierrors.IsConflict(err), apierrors.IsServerTimeout(err), apierrors.IsTimeout(err),
		apierrors.IsTooManyRequests(err), apierrors.IsServiceUnavailable(err), apierrors.IsNotFound(err):
		return false
	}
	return true
}

func mergeLabels(base, extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// warningsNote summarises translation warnings for one Kubernetes Event
// (events.k8s.io notes are limited to 1 kB).
func warningsNote(warnings []ecsv1.TranslationWarning) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d ECS field(s) approximated or not honoured:", len(warnings))
	for _, w := range warnings {
		entry := " " + w.Field + " (" + w.Reason + ");"
		if b.Len()+len(entry) > 1000 {
			b.WriteString(" … see status.warnings")
			break
		}
		b.WriteString(entry)
	}
	return b.String()
}
