package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/translate"
)

// finalizerClusterScoped holds a TaskDefinition until the
// PersistentVolumes it created are deleted: they are cluster-scoped, so
// owner references cannot cascade to them.
const finalizerClusterScoped = "ecs.operator.dev/cluster-scoped-children"

// TaskDefinitionReconciler registers task definition revisions and keeps
// the objects a task needs (ServiceAccount or PodIdentityAssociation,
// ExternalSecrets, volumes, ConfigMaps, NetworkPolicy) in place for every
// revision a service still runs.
type TaskDefinitionReconciler struct {
	*deps
}

// +kubebuilder:rbac:groups=ecs.operator.dev,resources=taskdefinitions,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=ecs.operator.dev,resources=taskdefinitions/status,verbs=patch
// +kubebuilder:rbac:groups=ecs.operator.dev,resources=taskdefinitions/finalizers,verbs=update
// +kubebuilder:rbac:groups=apps,resources=controllerrevisions,verbs=get;list;watch;create;delete
// +kubebuilder:rbac:groups="",resources=serviceaccounts;configmaps;persistentvolumeclaims,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups="",resources=persistentvolumes,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=networkpolicies,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=external-secrets.io,resources=externalsecrets,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=generators.external-secrets.io,resources=ecrauthorizationtokens,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=eks.services.k8s.aws,resources=podidentityassociations,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile registers a revision when the spec changed, applies the
// children of the revisions in use, trims the history and reports status.
func (r *TaskDefinitionReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var td ecsv1.TaskDefinition
	if err := r.client.Get(ctx, req.NamespacedName, &td); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	r.writtenTaskDefinitions.freshest(&td)
	if !td.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, r.finalize(ctx, &td)
	}
	orig := td.DeepCopy()

	revs, err := r.listRevisions(ctx, &td)
	if err != nil {
		return ctrl.Result{}, err
	}
	hash, snapshot, err := specHash(&td.Spec)
	if err != nil {
		return ctrl.Result{}, err
	}
	current, register := nextRevision(revs, hash)

	usage, err := r.serviceUsage(ctx, &td)
	if err != nil {
		return ctrl.Result{}, err
	}
	clusterName := r.clusterOf(&td, usage)
	cluster, err := r.clusterPolicy(ctx, clusterName)
	if errors.As(err, new(errClusterNotFound)) {
		return ctrl.Result{}, r.stall(ctx, orig, &td, reasonClusterNotFound, err.Error())
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	nsLabels, err := r.namespaceLabels(ctx, td.Namespace)
	if err != nil {
		return ctrl.Result{}, err
	}
	input := translate.TaskInput{
		Namespace: td.Namespace, Name: td.Name, ClusterName: clusterName, Cluster: cluster,
		NamespaceLabels: nsLabels, Capabilities: r.capabilities, Workload: translate.WorkloadService,
	}
	// Translate before anything is written: a bad spec registers no
	// revision and leaves every existing child as it is.
	latest, err := translateTaskRevision(input, current, &td.Spec)
	if err != nil {
		return ctrl.Result{}, r.stall(ctx, orig, &td, reasonInvalidSpec, translationMessage(err))
	}
	// The revision is registered while the children are applied: neither
	// needs the other, and services wait for both (the status written
	// below) before they run the revision.
	registered := make(chan error, 1)
	if register {
		owner := td.DeepCopy()
		go func() { registered <- r.registerRevision(ctx, owner, current, hash, snapshot) }()
	} else {
		registered <- nil
	}
	results, complete := r.revisionsInUse(ctx, &td, input, usage.revisions, current, latest)
	missing, err := r.applyChildren(ctx, &td, results, complete)
	if regErr := <-registered; regErr != nil {
		return ctrl.Result{}, regErr
	}
	if register {
		revs = append(revs, taskRevision{number: current, name: revisionName(td.Name, current), hash: hash})
		r.recorder.Eventf(&td, nil, corev1.EventTypeNormal, "RevisionRegistered", "Register",
			"registered task definition %s", familyRevision(latest.Family, current))
	}
	if err != nil {
		if refusedByServer(err) {
			// Retried with backoff; the status says why meanwhile.
			if serr := r.stall(ctx, orig, &td, reasonApplyFailed, err.Error()); serr != nil {
				return ctrl.Result{}, errors.Join(err, serr)
			}
		}
		return ctrl.Result{}, err
	}
	kept, err := r.trimHistory(ctx, &td, revs, append(slices.Clone(usage.revisions), current))
	if err != nil {
		return ctrl.Result{}, err
	}

	r.setRegisteredStatus(&td, latest, current, kept, missing)
	return ctrl.Result{}, r.patchStatus(ctx, orig, &td)
}

// nextRevision is the revision the current spec is: the latest one when
// its hash matches, else a new one.
func nextRevision(revs []taskRevision, hash string) (int64, bool) {
	if len(revs) == 0 {
		return 1, true
	}
	last := revs[len(revs)-1]
	if last.hash == hash {
		return last.number, false
	}
	return last.number + 1, true
}

func translateTaskRevision(input translate.TaskInput, revision int64, spec *ecsv1.TaskDefinitionSpec) (*translate.TaskResult, error) {
	input.Revision = revision
	input.Spec = spec
	return translate.TranslateTask(input)
}

// familyUsage is what the services of a family tell the TaskDefinition:
// which revisions they run or pin, and which clusters they are in.
type familyUsage struct {
	revisions []int64
	clusters  []string
}

func (r *TaskDefinitionReconciler) serviceUsage(ctx context.Context, td *ecsv1.TaskDefinition) (familyUsage, error) {
	family := familyOf(td)
	var services ecsv1.ECSServiceList
	if err := r.client.List(ctx, &services, client.InNamespace(td.Namespace), client.MatchingFields{indexServiceFamily: family}, client.UnsafeDisableDeepCopy); err != nil {
		return familyUsage{}, fmt.Errorf("listing the services of family %s: %w", family, err)
	}
	var usage familyUsage
	for i := range services.Items {
		usage.revisions = append(usage.revisions, revisionsInUse(&services.Items[i], family)...)
		usage.clusters = append(usage.clusters, clusterNameOf(services.Items[i].Spec.Cluster))
	}
	slices.Sort(usage.revisions)
	usage.revisions = slices.Compact(usage.revisions)
	slices.Sort(usage.clusters)
	usage.clusters = slices.Compact(usage.clusters)
	return usage, nil
}

// clusterOf is the ECSCluster whose policy (IAM, secret stores, log
// drivers) the task definition's objects follow. ECS task definitions
// belong to no cluster, so: the ecs.operator.dev/cluster label when set,
// else the cluster of the services that run the family (the first by
// name when they disagree), else "default".
func (r *TaskDefinitionReconciler) clusterOf(td *ecsv1.TaskDefinition, usage familyUsage) string {
	if name := td.Labels[ecsv1.LabelCluster]; name != "" {
		return name
	}
	if len(usage.clusters) > 0 {
		return usage.clusters[0]
	}
	return defaultClusterName
}

// revisionsInUse translates every older revision a service still runs, so
// its pods keep their per-revision secrets and volumes. complete is false
// when one of them no longer translates (for example the cluster now
// refuses its role): its objects are then left as they are, not pruned.
func (r *TaskDefinitionReconciler) revisionsInUse(ctx context.Context, td *ecsv1.TaskDefinition, input translate.TaskInput, used []int64, current int64, latest *translate.TaskResult) ([]*translate.TaskResult, bool) {
	var results []*translate.TaskResult
	complete := true
	for _, n := range used {
		if n == current || n > current {
			continue
		}
		spec, err := r.revisionSpec(ctx, td, n)
		if errors.As(err, new(errRevisionNotFound)) {
			continue
		}
		if err != nil {
			complete = false
			continue
		}
		res, err := translateTaskRevision(input, n, spec)
		if err != nil {
			complete = false
			continue
		}
		results = append(results, res)
	}
	// The latest revision goes last so that objects shared by name
	// across revisions (the ServiceAccount) follow the latest spec.
	return append(results, latest), complete
}

// taskChildrenKinds are the kinds a TaskDefinition owns, for pruning.
var taskChildrenKinds = []schema.GroupVersionKind{
	corev1.SchemeGroupVersion.WithKind("ServiceAccount"),
	corev1.SchemeGroupVersion.WithKind("ConfigMap"),
	corev1.SchemeGroupVersion.WithKind("PersistentVolumeClaim"),
	networkingv1.SchemeGroupVersion.WithKind("NetworkPolicy"),
}

var taskIntegrationKinds = []integration{externalSecretKind, ecrAuthorizationTokenKind, podIdentityAssociationKind}

// applyChildren applies the objects of the revisions in use and deletes
// the ones no longer desired. It returns the integration CRDs that are
// missing (their objects are skipped).
func (r *TaskDefinitionReconciler) applyChildren(ctx context.Context, td *ecsv1.TaskDefinition, results []*translate.TaskResult, complete bool) ([]string, error) {
	var objs []runtime.Object
	for _, res := range results {
		objs = append(objs, res.Objects()...)
	}
	td.SetGroupVersionKind(ecsv1.GroupVersion.WithKind("TaskDefinition"))
	owner := ownership{owner: td, labels: taskDefinitionLabels(td)}
	set, err := r.buildChildren(ctx, owner, objs)
	if err != nil {
		return nil, err
	}
	if set.hasClusterScoped && !controllerutil.ContainsFinalizer(td, finalizerClusterScoped) {
		patch := client.MergeFrom(td.DeepCopy())
		controllerutil.AddFinalizer(td, finalizerClusterScoped)
		if err := r.client.Patch(ctx, td, patch); err != nil {
			return nil, fmt.Errorf("adding finalizer: %w", err)
		}
		r.writtenTaskDefinitions.remember(td)
	}
	if err := r.applyAll(ctx, set); err != nil {
		return nil, err
	}
	if !complete {
		return set.missing, nil
	}
	kinds := slices.Clone(taskChildrenKinds)
	for _, i := range taskIntegrationKinds {
		if r.integrations.available(ctx, i) {
			kinds = append(kinds, i.gvk)
		}
	}
	if _, err := r.applier.prune(ctx, owner, kinds, set.keys, true); err != nil {
		return nil, err
	}
	pvKind := []schema.GroupVersionKind{corev1.SchemeGroupVersion.WithKind("PersistentVolume")}
	if _, err := r.applier.prune(ctx, owner, pvKind, set.keys, false); err != nil {
		return nil, err
	}
	return set.missing, nil
}

// finalize deletes the cluster-scoped children, then lets the
// TaskDefinition go; namespaced children follow through owner references.
func (r *TaskDefinitionReconciler) finalize(ctx context.Context, td *ecsv1.TaskDefinition) error {
	if !controllerutil.ContainsFinalizer(td, finalizerClusterScoped) {
		return nil
	}
	td.SetGroupVersionKind(ecsv1.GroupVersion.WithKind("TaskDefinition"))
	owner := ownership{owner: td, labels: taskDefinitionLabels(td)}
	pvKind := []schema.GroupVersionKind{corev1.SchemeGroupVersion.WithKind("PersistentVolume")}
	if _, err := r.applier.prune(ctx, owner, pvKind, nil, false); err != nil {
		return err
	}
	patch := client.MergeFrom(td.DeepCopy())
	controllerutil.RemoveFinalizer(td, finalizerClusterScoped)
	return r.client.Patch(ctx, td, patch)
}

// setRegisteredStatus reports a registered, translated spec.
func (r *TaskDefinitionReconciler) setRegisteredStatus(td *ecsv1.TaskDefinition, latest *translate.TaskResult, current int64, kept []taskRevision, missing []string) {
	st := &td.Status
	st.ObservedGeneration = td.Generation
	st.Revision = current
	st.TaskDefinition = familyRevision(latest.Family, current)
	st.Revisions = nil
	for _, rev := range kept {
		st.Revisions = append(st.Revisions, ecsv1.TaskDefinitionRevision{Revision: rev.number, ControllerRevision: rev.name})
	}
	st.Warnings = latest.Warnings
	clearStalled(&st.Conditions)
	clearReconciling(&st.Conditions)
	setIntegrations(&st.Conditions, td.Generation, missing)
	setReady(&st.Conditions, td.Generation, true, reasonRegistered, "revision "+st.TaskDefinition+" is registered and its objects are applied")
}

// stall reports a spec the operator cannot act on. Nothing is created or
// changed; the last registered revision stays usable.
func (r *TaskDefinitionReconciler) stall(ctx context.Context, orig, td *ecsv1.TaskDefinition, reason, message string) error {
	st := &td.Status
	st.ObservedGeneration = td.Generation
	clearReconciling(&st.Conditions)
	setStalled(&st.Conditions, td.Generation, reason, message)
	setReady(&st.Conditions, td.Generation, false, reason, message)
	if stalledMessage(orig.Status.Conditions) != message {
		r.recorder.Eventf(td, nil, corev1.EventTypeWarning, reason, "Register", "%s", message)
	}
	return r.patchStatus(ctx, orig, td)
}

// patchStatus writes status only when it changed, and emits the warnings
// event when the warnings did.
func (r *TaskDefinitionReconciler) patchStatus(ctx context.Context, orig, td *ecsv1.TaskDefinition) error {
	if equality.Semantic.DeepEqual(orig.Status, td.Status) {
		return nil
	}
	if !equality.Semantic.DeepEqual(orig.Status.Warnings, td.Status.Warnings) && len(td.Status.Warnings) > 0 {
		r.recorder.Eventf(td, nil, corev1.EventTypeWarning, "TranslationWarnings", "Register", "%s", warningsNote(td.Status.Warnings))
	}
	if err := r.client.Status().Patch(ctx, td, client.MergeFrom(orig)); err != nil {
		return err
	}
	r.writtenTaskDefinitions.remember(td)
	return nil
}

// SetupWithManager watches TaskDefinitions, their children, the services
// that use them (the revisions in use decide which children exist) and
// the clusters whose policy they follow.
func (r *TaskDefinitionReconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	b := ctrl.NewControllerManagedBy(mgr).
		For(&ecsv1.TaskDefinition{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Owns(&corev1.ServiceAccount{}, builder.WithPredicates(childChanged)).
		Owns(&corev1.ConfigMap{}, builder.WithPredicates(childChanged)).
		Owns(&corev1.PersistentVolumeClaim{}, builder.WithPredicates(childChanged)).
		Owns(&networkingv1.NetworkPolicy{}, builder.WithPredicates(childChanged)).
		Owns(&appsv1.ControllerRevision{}, builder.OnlyMetadata, builder.WithPredicates(childChanged)).
		Watches(&ecsv1.ECSService{}, handler.EnqueueRequestsFromMapFunc(r.taskDefinitionsOfService),
			builder.WithPredicates(serviceUsageChanged)).
		Watches(&ecsv1.ECSCluster{}, handler.EnqueueRequestsFromMapFunc(r.taskDefinitionsOfCluster),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		// allowedRoleArns select namespaces by label: relabelling a
		// namespace can allow or refuse the task roles used in it.
		Watches(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(r.taskDefinitionsInNamespace),
			builder.WithPredicates(predicate.LabelChangedPredicate{})).
		WithOptions(controller.Options{MaxConcurrentReconciles: opts.MaxConcurrentReconciles})
	c, err := b.Build(r)
	if err != nil {
		return err
	}
	for _, i := range taskIntegrationKinds {
		r.integrations.watchOwned(ctx, c, mgr, &ecsv1.TaskDefinition{}, i)
	}
	return nil
}

// serviceUsageChanged passes service events that change which revisions
// or clusters a family is used with.
var serviceUsageChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		oldSvc, okOld := e.ObjectOld.(*ecsv1.ECSService)
		newSvc, okNew := e.ObjectNew.(*ecsv1.ECSService)
		if !okOld || !okNew {
			return true
		}
		if oldSvc.Spec.TaskDefinition != newSvc.Spec.TaskDefinition || clusterNameOf(oldSvc.Spec.Cluster) != clusterNameOf(newSvc.Spec.Cluster) {
			return true
		}
		ref, err := parseTaskDefinitionRef(newSvc.Spec.TaskDefinition)
		if err != nil {
			return false
		}
		return !slices.Equal(revisionsInUse(oldSvc, ref.family), revisionsInUse(newSvc, ref.family))
	},
}

func (r *TaskDefinitionReconciler) taskDefinitionsOfService(ctx context.Context, obj client.Object) []reconcile.Request {
	svc, ok := obj.(*ecsv1.ECSService)
	if !ok {
		return nil
	}
	families := []string{}
	if ref, err := parseTaskDefinitionRef(svc.Spec.TaskDefinition); err == nil {
		families = append(families, ref.family)
	}
	for _, d := range svc.Status.Deployments {
		if f, _, ok := parseFamilyRevision(d.TaskDefinition); ok && !slices.Contains(families, f) {
			families = append(families, f)
		}
	}
	var reqs []reconcile.Request
	for _, family := range families {
		var tds ecsv1.TaskDefinitionList
		if err := r.client.List(ctx, &tds, client.InNamespace(svc.Namespace), client.MatchingFields{indexTaskFamily: family}, client.UnsafeDisableDeepCopy); err != nil {
			continue
		}
		for _, td := range tds.Items {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&td)})
		}
	}
	return reqs
}

// taskDefinitionsOfCluster maps a cluster policy change to the task
// definitions that may follow it: those labelled with the cluster and
// those without a label (they follow their services' cluster).
// taskDefinitionsInNamespace maps a namespace to its TaskDefinitions.
func (r *TaskDefinitionReconciler) taskDefinitionsInNamespace(ctx context.Context, ns client.Object) []reconcile.Request {
	var tds ecsv1.TaskDefinitionList
	if err := r.client.List(ctx, &tds, client.InNamespace(ns.GetName()), client.UnsafeDisableDeepCopy); err != nil {
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(tds.Items))
	for _, td := range tds.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&td)})
	}
	return reqs
}

func (r *TaskDefinitionReconciler) taskDefinitionsOfCluster(ctx context.Context, obj client.Object) []reconcile.Request {
	var tds ecsv1.TaskDefinitionList
	if err := r.client.List(ctx, &tds, client.UnsafeDisableDeepCopy); err != nil {
		return nil
	}
	var reqs []reconcile.Request
	for _, td := range tds.Items {
		if label := td.Labels[ecsv1.LabelCluster]; label == "" || label == obj.GetName() {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&td)})
		}
	}
	return reqs
}
