package controllers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/report"
	"github.com/ecs-operator/ecs-operator/internal/translate"
)

// deps are what the reconcilers share: clients, the applier, integration
// detection, the node inventory and cached revision snapshots.
type deps struct {
	client client.Client
	// apiReader reads past the cache: revision snapshots are cached as
	// metadata only.
	apiReader    client.Reader
	scheme       *runtime.Scheme
	recorder     events.EventRecorder
	applier      *applier
	integrations *integrations
	nodes        *nodeInventory
	snapshots    *snapshotCache
	capabilities translate.Capabilities
	// writtenTaskDefinitions and writtenServices are the operator's own
	// latest writes of those objects, newer than the cache for a moment.
	writtenTaskDefinitions *ownWrites
	writtenServices        *ownWrites
}

// errClusterNotFound is a referenced ECSCluster that does not exist.
type errClusterNotFound struct{ name string }

func (e errClusterNotFound) Error() string {
	return fmt.Sprintf("cluster: ECSCluster %q not found; create it or set spec.cluster to an existing cluster", e.name)
}

// clusterPolicy reads an ECSCluster's spec. ECS creates the "default"
// cluster on first use, so a missing "default" means all defaults; any
// other missing cluster is an error the user must fix.
func (d *deps) clusterPolicy(ctx context.Context, name string) (*ecsv1.ECSClusterSpec, error) {
	var cluster ecsv1.ECSCluster
	err := d.client.Get(ctx, client.ObjectKey{Name: name}, &cluster)
	switch {
	case apierrors.IsNotFound(err) && name == defaultClusterName:
		return nil, nil
	case apierrors.IsNotFound(err):
		return nil, errClusterNotFound{name: name}
	case err != nil:
		return nil, err
	}
	return &cluster.Spec, nil
}

// namespaceLabels are matched against allowedRoleArns namespace selectors.
func (d *deps) namespaceLabels(ctx context.Context, namespace string) (map[string]string, error) {
	var ns corev1.Namespace
	if err := d.client.Get(ctx, client.ObjectKey{Name: namespace}, &ns); err != nil {
		return nil, client.IgnoreNotFound(err)
	}
	return ns.Labels, nil
}

// translationMessage turns a translation error into a condition message
// naming every bad field.
func translationMessage(err error) string {
	var errs report.Errors
	if errors.As(err, &errs) {
		return errs.Error()
	}
	return err.Error()
}

// snapshotCache keeps decoded revision snapshots. Revisions are immutable,
// so an entry never goes stale; the cache is bounded because only pinned
// and rolled-back services need old revisions.
type snapshotCache struct {
	mu      sync.Mutex
	entries map[snapshotKey]*ecsv1.TaskDefinitionSpec
}

type snapshotKey struct {
	owner    types.UID
	revision int64
}

const maxSnapshots = 1024

func newSnapshotCache() *snapshotCache {
	return &snapshotCache{entries: map[snapshotKey]*ecsv1.TaskDefinitionSpec{}}
}

// errRevisionNotFound is a revision that was never registered or has been
// pruned from the history.
type errRevisionNotFound struct {
	family   string
	revision int64
}

func (e errRevisionNotFound) Error() string {
	return fmt.Sprintf("taskDefinition: revision %s is not registered (or no longer retained)", familyRevision(e.family, e.revision))
}

// revisionSpec returns the task definition spec of one revision: the live
// spec when it is the latest registered one, else the ControllerRevision
// snapshot.
func (d *deps) revisionSpec(ctx context.Context, td *ecsv1.TaskDefinition, revision int64) (*ecsv1.TaskDefinitionSpec, error) {
	if revision == td.Status.Revision && td.Status.ObservedGeneration == td.Generation && stalledMessage(td.Status.Conditions) == "" {
		return &td.Spec, nil
	}
	key := snapshotKey{owner: td.UID, revision: revision}
	d.snapshots.mu.Lock()
	spec, ok := d.snapshots.entries[key]
	d.snapshots.mu.Unlock()
	if ok {
		return spec, nil
	}
	var rev appsv1.ControllerRevision
	err := d.apiReader.Get(ctx, client.ObjectKey{Namespace: td.Namespace, Name: revisionName(td.Name, revision)}, &rev)
	if apierrors.IsNotFound(err) || (err == nil && !ownedBy(&rev, td.UID)) {
		return nil, errRevisionNotFound{family: familyOf(td), revision: revision}
	}
	if err != nil {
		return nil, err
	}
	spec = &ecsv1.TaskDefinitionSpec{}
	if err := json.Unmarshal(rev.Data.Raw, spec); err != nil {
		return nil, fmt.Errorf("decoding revision %s: %w", rev.Name, err)
	}
	d.snapshots.mu.Lock()
	if len(d.snapshots.entries) >= maxSnapshots {
		for k := range d.snapshots.entries {
			delete(d.snapshots.entries, k)
			break
		}
	}
	d.snapshots.entries[key] = spec
	d.snapshots.mu.Unlock()
	return spec, nil
}
