package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// AnnotationAppliedHash is the hash of the desired object the operator last
// applied to a child. Together with a comparison of the fields the operator
// sets, it lets a reconcile that finds everything in place skip the apply
// entirely (design.md: a converged object costs zero write requests).
const AnnotationAppliedHash = "ecs.operator.dev/applied-hash"

// child is one desired object, ready for server-side apply: apiVersion,
// kind, metadata and the fields the operator owns, nothing else.
type child struct {
	gvk    schema.GroupVersionKind
	object *unstructured.Unstructured
}

func (c child) key() childKey {
	return childKey{gvk: c.gvk, name: c.object.GetName()}
}

// childKey identifies a child within its owner's namespace.
type childKey struct {
	gvk  schema.GroupVersionKind
	name string
}

// newChild turns a translated object (typed or unstructured) into an apply
// document.
func newChild(obj runtime.Object, scheme *runtime.Scheme) (child, error) {
	u, err := ApplyDocument(obj, scheme)
	if err != nil {
		return child{}, err
	}
	return child{gvk: u.GroupVersionKind(), object: u}, nil
}

// ApplyDocument is the server-side apply document of a translated object
// (typed or unstructured). JSON encoding keeps exactly the fields the
// typed object sets (omitempty), as a typed server-side apply would send
// them; nulls and the status block are dropped because the operator never
// applies status.
func ApplyDocument(obj runtime.Object, scheme *runtime.Scheme) (*unstructured.Unstructured, error) {
	gvk := obj.GetObjectKind().GroupVersionKind()
	if gvk.Empty() {
		kinds, _, err := scheme.ObjectKinds(obj)
		if err != nil || len(kinds) == 0 {
			return nil, fmt.Errorf("no kind registered for %T: %w", obj, err)
		}
		gvk = kinds[0]
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", gvk.Kind, err)
	}
	var content map[string]any
	if err := json.Unmarshal(data, &content); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", gvk.Kind, err)
	}
	delete(content, "status")
	dropNulls(content)
	u := &unstructured.Unstructured{Object: content}
	u.SetGroupVersionKind(gvk)
	return u, nil
}

// dropNulls removes null values (creationTimestamp: null and the like):
// in an apply document a null would ask the server to remove a field.
func dropNulls(value any) {
	switch v := value.(type) {
	case map[string]any:
		for k, item := range v {
			if item == nil {
				delete(v, k)
				continue
			}
			dropNulls(item)
		}
	case []any:
		for _, item := range v {
			dropNulls(item)
		}
	}
}

// applier applies children with server-side apply and prunes those no
// longer desired. Reads go to the informer cache, so a converged child
// costs no request at all.
type applier struct {
	client client.Client
	scheme *runtime.Scheme
	// reader reads past the cache, which keeps no managedFields.
	reader client.Reader
}

// ownership says who owns a set of children and how they are labelled.
type ownership struct {
	owner client.Object
	// labels are put on every child and select the children when pruning
	// (always including app.kubernetes.io/managed-by).
	labels map[string]string
}

// LabelOwnerUID marks cluster-scoped children (PersistentVolumes), which
// cannot carry an owner reference to a namespaced owner, with the owner's
// UID so they can be found and deleted with it.
const LabelOwnerUID = "ecs.operator.dev/owner-uid"

// prepare stamps labels, owner reference and the applied-hash annotation
// on a child. Cluster-scoped children cannot name a namespaced owner: they
// get the owner-uid label instead.
func (o ownership) prepare(c child, namespaced bool) {
	u := c.object
	objLabels := u.GetLabels()
	if objLabels == nil {
		objLabels = map[string]string{}
	}
	for k, v := range o.labels {
		objLabels[k] = v
	}
	if !namespaced {
		objLabels[LabelOwnerUID] = string(o.owner.GetUID())
	}
	u.SetLabels(objLabels)
	if namespaced {
		u.SetNamespace(o.owner.GetNamespace())
		gvk := o.owner.GetObjectKind().GroupVersionKind()
		u.SetOwnerReferences([]metav1.OwnerReference{{
			APIVersion:         gvk.GroupVersion().String(),
			Kind:               gvk.Kind,
			Name:               o.owner.GetName(),
			UID:                o.owner.GetUID(),
			Controller:         ptr.To(true),
			BlockOwnerDeletion: ptr.To(true),
		}})
	}
	stampHash(u)
}

// stampHash sets the applied-hash annotation: the hash of the document
// without it.
func stampHash(u *unstructured.Unstructured) {
	annotations := u.GetAnnotations()
	delete(annotations, AnnotationAppliedHash)
	u.SetAnnotations(annotations)
	hash := hashObject(u.Object)
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[AnnotationAppliedHash] = hash
	u.SetAnnotations(annotations)
}

// hashObject is a short, stable hash of a JSON document (encoding/json
// sorts map keys).
func hashObject(content map[string]any) string {
	data, _ := json.Marshal(content)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:10])
}

// applyResult says what apply did.
type applyResult int

const (
	applyUnchanged applyResult = iota
	applyWritten
)

// apply makes the live object match the child. It skips the request when
// the cached object carries the same applied-hash (nothing we want has
// changed) and still holds every value we set (nobody edited our fields).
// Why both: the hash alone misses manual edits (kubectl edit keeps our
// annotation); the comparison alone misses fields we stopped setting (a
// subset check cannot see removals). A server-side apply dry run would
// answer both but is itself a request per child per resync.
func (a *applier) apply(ctx context.Context, c child) (applyResult, error) {
	live, err := a.getLive(ctx, c)
	if err != nil && !apierrors.IsNotFound(err) {
		return applyUnchanged, err
	}
	if err == nil && live.GetAnnotations()[AnnotationAppliedHash] == c.object.GetAnnotations()[AnnotationAppliedHash] &&
		live.GetDeletionTimestamp() == nil && contains(live.Object, c.object.Object) {
		return applyUnchanged, nil
	}
	if err == nil {
		if err := a.handOffReplicas(ctx, c, live); err != nil {
			return applyUnchanged, err
		}
	}
	if err := a.client.Apply(ctx, client.ApplyConfigurationFromUnstructured(c.object.DeepCopy()),
		client.FieldOwner(ecsv1.FieldManager), client.ForceOwnership); err != nil {
		return applyUnchanged, fmt.Errorf("applying %s %s: %w", c.gvk.Kind, c.object.GetName(), err)
	}
	return applyWritten, nil
}

// replicasHandOffManager holds spec.replicas of a Deployment for a moment
// while the operator lets go of it.
const replicasHandOffManager = "ecs-operator-replicas-handoff"

var deploymentKind = schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}

// handOffReplicas keeps a Deployment's replica count when autoScaling is
// added to a running service. The operator's apply then stops naming
// spec.replicas; had it been the field's only owner, server-side apply
// would remove the field and the Deployment would fall back to 1 replica
// until the HPA scaled it up again. So the current count is first applied
// by a second field manager, which keeps the field (and its value) when the
// operator lets go; the HPA's scale updates take it over from there. This
// is the ownership transfer the server-side apply documentation describes.
func (a *applier) handOffReplicas(ctx context.Context, c child, live *unstructured.Unstructured) error {
	if c.gvk != deploymentKind || a.reader == nil {
		return nil
	}
	if _, set, _ := unstructured.NestedFieldNoCopy(c.object.Object, "spec", "replicas"); set {
		return nil
	}
	// The live content was decoded from JSON: numbers are float64.
	replicas, set, _ := unstructured.NestedFieldNoCopy(live.Object, "spec", "replicas")
	if !set || replicas == nil {
		return nil
	}
	var meta metav1.PartialObjectMetadata
	meta.SetGroupVersionKind(deploymentKind)
	if err := a.reader.Get(ctx, client.ObjectKeyFromObject(c.object), &meta); err != nil {
		return client.IgnoreNotFound(err)
	}
	if !ownsReplicas(meta.ManagedFields) {
		return nil
	}
	hold := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"replicas": replicas}}}
	hold.SetGroupVersionKind(deploymentKind)
	hold.SetNamespace(c.object.GetNamespace())
	hold.SetName(c.object.GetName())
	if err := a.client.Apply(ctx, client.ApplyConfigurationFromUnstructured(hold), client.FieldOwner(replicasHandOffManager)); err != nil {
		return fmt.Errorf("handing spec.replicas of Deployment %s to the autoscaler: %w", c.object.GetName(), err)
	}
	return nil
}

// ownsReplicas reports whether the operator's apply owns spec.replicas.
func ownsReplicas(entries []metav1.ManagedFieldsEntry) bool {
	for _, e := range entries {
		if e.Manager != ecsv1.FieldManager || e.Operation != metav1.ManagedFieldsOperationApply || e.FieldsV1 == nil {
			continue
		}
		var fields map[string]any
		if json.Unmarshal(e.FieldsV1.Raw, &fields) != nil {
			continue
		}
		if spec, ok := fields["f:spec"].(map[string]any); ok {
			if _, ok := spec["f:replicas"]; ok {
				return true
			}
		}
	}
	return false
}

// getLive reads the child's live state from the cache, as JSON-shaped
// content comparable with the apply document.
func (a *applier) getLive(ctx context.Context, c child) (*unstructured.Unstructured, error) {
	key := client.ObjectKey{Namespace: c.object.GetNamespace(), Name: c.object.GetName()}
	typed, err := a.scheme.New(c.gvk)
	if err != nil {
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(c.gvk)
		if err := a.client.Get(ctx, key, live, client.UnsafeDisableDeepCopy); err != nil {
			return nil, err
		}
		return live, nil
	}
	obj, ok := typed.(client.Object)
	if !ok {
		return nil, fmt.Errorf("%s is not an object kind", c.gvk)
	}
	// Read only (encoded right away), so the cached object is not copied.
	if err := a.client.Get(ctx, key, obj, client.UnsafeDisableDeepCopy); err != nil {
		return nil, err
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var content map[string]any
	if err := json.Unmarshal(data, &content); err != nil {
		return nil, err
	}
	// Typed objects straight from the cache carry no apiVersion/kind.
	live := &unstructured.Unstructured{Object: content}
	live.SetGroupVersionKind(c.gvk)
	return live, nil
}

// contains reports whether every value of want is present in have: maps
// by key, lists element by element (have may hold more elements, which
// other field managers added and our apply would keep anyway). Values the
// API server defaults or normalises are absent from want, so they never
// count as differences.
func contains(have, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			hv, ok := h[k]
			if !ok {
				if isEmpty(wv) {
					continue
				}
				return false
			}
			if !contains(hv, wv) {
				return false
			}
		}
		return true
	case []any:
		h, ok := have.([]any)
		if !ok {
			return len(w) == 0
		}
		if len(h) < len(w) {
			return false
		}
		for i := range w {
			if !contains(h[i], w[i]) {
				return false
			}
		}
		return true
	default:
		if wn, ok := number(want); ok {
			hn, ok := number(have)
			return ok && hn == wn
		}
		return reflect.DeepEqual(have, want)
	}
}

// number reads a JSON number, which decodes as float64 from typed objects
// and as int64 from unstructured ones.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	}
	return 0, false
}

// isEmpty is an empty map or list: the API server drops those, so their
// absence is no difference.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

// prune deletes the owner's children of the given kinds that are not in
// keep. Children are found by label (cheap, from the cache) and must name
// the owner as controller, so objects someone else labelled alike are
// never touched.
func (a *applier) prune(ctx context.Context, o ownership, kinds []schema.GroupVersionKind, keep map[childKey]bool, namespaced bool) (int, error) {
	deleted := 0
	set := labels.Set{}
	for k, v := range o.labels {
		set[k] = v
	}
	if !namespaced {
		set[LabelOwnerUID] = string(o.owner.GetUID())
	}
	selector := labels.SelectorFromSet(set)
	for _, gvk := range kinds {
		opts := []client.ListOption{client.MatchingLabelsSelector{Selector: selector}}
		if namespaced {
			opts = append(opts, client.InNamespace(o.owner.GetNamespace()))
			if slices.Contains(prunedKinds, gvk) {
				opts = append(opts, client.MatchingFields{indexControllerUID: string(o.owner.GetUID())})
			}
		}
		live, err := a.listMeta(ctx, gvk, opts)
		if err != nil {
			return deleted, err
		}
		for _, obj := range live {
			if keep[childKey{gvk: gvk, name: obj.GetName()}] || obj.GetDeletionTimestamp() != nil {
				continue
			}
			if namespaced && !ownedBy(obj, o.owner.GetUID()) {
				continue
			}
			victim := &metav1.PartialObjectMetadata{}
			victim.SetGroupVersionKind(gvk)
			victim.SetNamespace(obj.GetNamespace())
			victim.SetName(obj.GetName())
			uid := obj.GetUID()
			err := a.client.Delete(ctx, victim, client.Preconditions{UID: &uid}, client.PropagationPolicy(metav1.DeletePropagationBackground))
			if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
				return deleted, fmt.Errorf("deleting %s %s: %w", gvk.Kind, obj.GetName(), err)
			}
			deleted++
		}
	}
	return deleted, nil
}

// listMeta lists objects of a kind from the cache (typed informers for
// built-in kinds, unstructured ones for integration kinds).
func (a *applier) listMeta(ctx context.Context, gvk schema.GroupVersionKind, opts []client.ListOption) ([]metav1.Object, error) {
	listGVK := gvk.GroupVersion().WithKind(gvk.Kind + "List")
	if typed, err := a.scheme.New(listGVK); err == nil {
		list, ok := typed.(client.ObjectList)
		if !ok {
			return nil, fmt.Errorf("%s is not a list kind", listGVK)
		}
		if err := a.client.List(ctx, list, append(opts, client.UnsafeDisableDeepCopy)...); err != nil {
			return nil, err
		}
		objs, err := meta.ExtractList(list)
		if err != nil {
			return nil, err
		}
		items := make([]metav1.Object, 0, len(objs))
		for _, o := range objs {
			m, err := meta.Accessor(o)
			if err != nil {
				return nil, err
			}
			items = append(items, m)
		}
		return items, nil
	}
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(listGVK)
	if err := a.client.List(ctx, list, append(opts, client.UnsafeDisableDeepCopy)...); err != nil {
		return nil, err
	}
	items := make([]metav1.Object, 0, len(list.Items))
	for i := range list.Items {
		items = append(items, &list.Items[i])
	}
	return items, nil
}

// ownedBy reports whether uid is the object's controller.
func ownedBy(obj metav1.Object, uid types.UID) bool {
	for _, ref := range obj.GetOwnerReferences() {
		if ref.UID == uid && ptr.Deref(ref.Controller, false) {
			return true
		}
	}
	return false
}
