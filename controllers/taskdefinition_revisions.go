package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/names"
)

// LabelSpecHash is the hash of the task definition spec a revision
// snapshots; an unchanged spec finds its hash on the latest revision and
// registers nothing.
const LabelSpecHash = "ecs.operator.dev/spec-hash"

// defaultRevisionHistoryLimit is how many revisions are kept besides the
// ones services still use.
const defaultRevisionHistoryLimit = 10

// taskRevision is a registered revision as the cache knows it.
type taskRevision struct {
	number int64
	name   string
	uid    types.UID
	hash   string
}

// revisionName is the ControllerRevision of revision n: <name>-<n>.
func revisionName(taskDefinition string, n int64) string {
	return names.Suffixed(taskDefinition, strconv.FormatInt(n, 10))
}

// revisionLabels select a TaskDefinition's revisions and children.
func taskDefinitionLabels(td *ecsv1.TaskDefinition) map[string]string {
	return map[string]string{
		ecsv1.LabelManagedBy:      ecsv1.ManagedByValue,
		ecsv1.LabelTaskDefinition: names.LabelValue(td.Name),
	}
}

// specHash hashes the spec as the API server stores it.
func specHash(spec *ecsv1.TaskDefinitionSpec) (string, []byte, error) {
	data, err := json.Marshal(spec)
	if err != nil {
		return "", nil, fmt.Errorf("encoding the task definition: %w", err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:32], data, nil
}

// listRevisions lists the TaskDefinition's revisions, oldest first. They
// are cached as metadata only: the reconciler needs numbers and hashes,
// not the snapshots.
func (r *TaskDefinitionReconciler) listRevisions(ctx context.Context, td *ecsv1.TaskDefinition) ([]taskRevision, error) {
	list := &metav1.PartialObjectMetadataList{}
	list.SetGroupVersionKind(appsv1.SchemeGroupVersion.WithKind("ControllerRevisionList"))
	if err := r.client.List(ctx, list, client.InNamespace(td.Namespace), client.MatchingLabels(taskDefinitionLabels(td)),
		client.MatchingFields{indexControllerUID: string(td.UID)}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("listing revisions: %w", err)
	}
	var revs []taskRevision
	for i := range list.Items {
		item := &list.Items[i]
		if !ownedBy(item, td.UID) || item.DeletionTimestamp != nil {
			continue
		}
		n, err := strconv.ParseInt(item.Labels[ecsv1.LabelRevision], 10, 64)
		if err != nil || n < 1 {
			continue
		}
		revs = append(revs, taskRevision{number: n, name: item.Name, uid: item.UID, hash: item.Labels[LabelSpecHash]})
	}
	slices.SortFunc(revs, func(a, b taskRevision) int { return int(a.number - b.number) })
	return revs, nil
}

// registerRevision creates the immutable snapshot of revision n. A
// snapshot of the same name and hash already there (an earlier attempt
// whose status update was lost) counts as registered.
func (r *TaskDefinitionReconciler) registerRevision(ctx context.Context, td *ecsv1.TaskDefinition, n int64, hash string, data []byte) error {
	labels := taskDefinitionLabels(td)
	labels[ecsv1.LabelRevision] = strconv.FormatInt(n, 10)
	labels[LabelSpecHash] = hash
	labels[ecsv1.LabelFamily] = names.LabelValue(familyOf(td))
	rev := &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{
			Name:      revisionName(td.Name, n),
			Namespace: td.Namespace,
			Labels:    labels,
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion:         ecsv1.GroupVersion.String(),
				Kind:               "TaskDefinition",
				Name:               td.Name,
				UID:                td.UID,
				Controller:         ptr.To(true),
				BlockOwnerDeletion: ptr.To(true),
			}},
		},
		Data:     runtime.RawExtension{Raw: data},
		Revision: n,
	}
	err := r.client.Create(ctx, rev)
	if apierrors.IsAlreadyExists(err) {
		var existing appsv1.ControllerRevision
		if err := r.apiReader.Get(ctx, client.ObjectKeyFromObject(rev), &existing); err != nil {
			return err
		}
		if ownedBy(&existing, td.UID) && existing.Labels[LabelSpecHash] == hash {
			return nil
		}
		return fmt.Errorf("revision %s exists with other content; retrying once the cache catches up", rev.Name)
	}
	return err
}

// trimHistory deletes revisions beyond the history limit that no service
// uses and returns the ones kept, oldest first.
func (r *TaskDefinitionReconciler) trimHistory(ctx context.Context, td *ecsv1.TaskDefinition, revs []taskRevision, inUse []int64) ([]taskRevision, error) {
	limit := int(ptr.Deref(ptr.Deref(td.Spec.Kubernetes, ecsv1.TaskDefinitionKubernetes{}).RevisionHistoryLimit, defaultRevisionHistoryLimit))
	var kept []taskRevision
	for i, rev := range revs {
		newest := i >= len(revs)-limit
		if newest || slices.Contains(inUse, rev.number) {
			kept = append(kept, rev)
			continue
		}
		victim := &appsv1.ControllerRevision{ObjectMeta: metav1.ObjectMeta{Namespace: td.Namespace, Name: rev.name}}
		err := r.client.Delete(ctx, victim, client.Preconditions{UID: ptr.To(rev.uid)})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			return nil, fmt.Errorf("deleting revision %s: %w", rev.name, err)
		}
	}
	return kept, nil
}
