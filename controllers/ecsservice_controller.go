package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/translate"
)

// ECSServiceReconciler runs ECS services: it resolves the task definition
// revision and cluster, applies the workload and everything around it,
// and reports ECS-style deployments, counts and events.
type ECSServiceReconciler struct {
	*deps
	now func() time.Time
	// statusWrites holds when each service's status was last written
	// (client.ObjectKey → time.Time), for countsWriteInterval.
	statusWrites sync.Map
}

// +kubebuilder:rbac:groups=ecs.operator.dev,resources=ecsservices,verbs=get;list;watch
// +kubebuilder:rbac:groups=ecs.operator.dev,resources=ecsservices/status,verbs=patch
// +kubebuilder:rbac:groups=ecs.operator.dev,resources=ecsservices/finalizers,verbs=update
// +kubebuilder:rbac:groups=ecs.operator.dev,resources=taskdefinitions,verbs=get;list;watch
// +kubebuilder:rbac:groups=ecs.operator.dev,resources=ecsclusters,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps,resources=deployments;daemonsets,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=apps,resources=controllerrevisions,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=services,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups="",resources=pods;nodes;namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingresses,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=autoscaling,resources=horizontalpodautoscalers,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=storage.k8s.io,resources=storageclasses,verbs=get;list;watch;create;patch
// +kubebuilder:rbac:groups=elbv2.k8s.aws,resources=targetgroupbindings,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=keda.sh,resources=scaledobjects,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=vpcresources.k8s.aws,resources=securitygrouppolicies,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile resolves, translates, applies and reports.
func (r *ECSServiceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var svc ecsv1.ECSService
	if err := r.client.Get(ctx, req.NamespacedName, &svc); err != nil {
		if apierrors.IsNotFound(err) {
			r.statusWrites.Delete(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	r.writtenServices.freshest(&svc)
	if !svc.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	svc.SetGroupVersionKind(ecsv1.GroupVersion.WithKind("ECSService"))
	orig := svc.DeepCopy()

	target, err := r.resolve(ctx, &svc)
	if err != nil {
		return ctrl.Result{}, r.reportUnresolved(ctx, orig, &svc, err)
	}
	plan, err := r.plan(ctx, &svc, target)
	if err != nil {
		return ctrl.Result{}, r.reportUnresolved(ctx, orig, &svc, err)
	}
	missing, err := r.applyChildren(ctx, &svc, plan)
	if err != nil {
		if refusedByServer(err) {
			// Retried with backoff; the status says why meanwhile.
			if serr := r.reportUnresolved(ctx, orig, &svc, unresolved{reason: reasonApplyFailed, message: err.Error()}); serr != nil {
				return ctrl.Result{}, errors.Join(err, serr)
			}
		}
		return ctrl.Result{}, err
	}
	workload, err := r.observe(ctx, &svc, plan)
	if err != nil {
		return ctrl.Result{}, err
	}
	rollout := computeRollout(rolloutInput{
		service: plan.serviceName, prev: svc.Status.Deployments, primary: plan.primary, target: plan.target,
		family: plan.family, workload: workload, breaker: plan.breaker,
		startBudget: startBudget(&svc, plan.template), now: r.now(),
	})
	events := r.setServiceStatus(&svc, plan, workload, rollout, missing)
	if len(plan.serviceWarnings) > 0 && !equality.Semantic.DeepEqual(orig.Status.Warnings, svc.Status.Warnings) {
		events = append(events, serviceEvent{reason: "TranslationWarnings", warning: true, message: warningsNote(plan.serviceWarnings)})
	}
	heldBack, err := r.patchStatus(ctx, orig, &svc, events)
	if err != nil {
		return ctrl.Result{}, err
	}
	result := requeueFor(rollout, missing)
	if heldBack > 0 && (result.RequeueAfter == 0 || heldBack < result.RequeueAfter) {
		result.RequeueAfter = heldBack
		result.Priority = ptr.To(backgroundPriority)
	}
	return result, nil
}

// requeueFor asks for the reconciles no watch would trigger: right after
// the circuit breaker tripped (to apply the rollback), when an unready
// task's start budget runs out, and while an integration CRD is missing
// (to notice when it is installed).
func requeueFor(rollout rolloutResult, missing []string) ctrl.Result {
	var result ctrl.Result
	if rollout.rollback {
		result.RequeueAfter = time.Millisecond
	}
	if rollout.recheck > 0 && (result.RequeueAfter == 0 || rollout.recheck < result.RequeueAfter) {
		result.RequeueAfter = rollout.recheck
	}
	if len(missing) > 0 && (result.RequeueAfter == 0 || missingRecheck < result.RequeueAfter) {
		result.RequeueAfter = missingRecheck
	}
	return result
}

// unresolved is a reason the service cannot be applied: Stalled (the user
// must fix something) or waiting (another object is still converging).
type unresolved struct {
	reason  string
	message string
	waiting bool
	// unseen: the object waited for has not been reconciled yet (a
	// TaskDefinition created together with its service). Its first status
	// write brings the service back, usually within a second, so nothing
	// is written for a state that would be overwritten at once.
	unseen bool
}

func (u unresolved) Error() string { return u.message }

// resolvedTarget is the cluster and task definition revision a service
// runs.
type resolvedTarget struct {
	clusterName string
	cluster     *ecsv1.ECSClusterSpec
	nsLabels    map[string]string
	// taskDefinition is the TaskDefinition object's name.
	taskDefinition string
	family         string
	revision       int64
	spec           *ecsv1.TaskDefinitionSpec
}

// resolve finds the cluster and the task definition revision.
func (r *ECSServiceReconciler) resolve(ctx context.Context, svc *ecsv1.ECSService) (*resolvedTarget, error) {
	ref, err := parseTaskDefinitionRef(svc.Spec.TaskDefinition)
	if err != nil {
		return nil, unresolved{reason: reasonInvalidSpec, message: "taskDefinition: " + err.Error()}
	}
	target := &resolvedTarget{clusterName: clusterNameOf(svc.Spec.Cluster), family: ref.family}
	target.cluster, err = r.clusterPolicy(ctx, target.clusterName)
	var notFound errClusterNotFound
	if errors.As(err, &notFound) {
		if r.apiReader.Get(ctx, client.ObjectKey{Name: target.clusterName}, &ecsv1.ECSCluster{}) == nil {
			return nil, justCreated("ECSCluster " + target.clusterName)
		}
		return nil, unresolved{reason: reasonClusterNotFound, message: notFound.Error()}
	}
	if err != nil {
		return nil, err
	}
	if target.nsLabels, err = r.namespaceLabels(ctx, svc.Namespace); err != nil {
		return nil, err
	}
	td, err := r.taskDefinitionByFamily(ctx, svc.Namespace, ref.family)
	var u unresolved
	if errors.As(err, &u) && u.reason == reasonTaskDefNotFound && r.familyOnServer(ctx, svc.Namespace, ref.family) {
		return nil, justCreated(fmt.Sprintf("TaskDefinition of family %q", ref.family))
	}
	if err != nil {
		return nil, err
	}
	target.taskDefinition = td.Name
	target.revision = ref.revision
	if target.revision == 0 {
		target.revision = td.Status.Revision
	}
	if target.revision == 0 {
		return nil, unresolved{reason: reasonWaitingForRevision, waiting: true, unseen: td.Status.ObservedGeneration == 0,
			message: fmt.Sprintf("waiting for TaskDefinition %s to register its first revision", td.Name)}
	}
	target.spec, err = r.revisionSpec(ctx, td, target.revision)
	var missingRev errRevisionNotFound
	if errors.As(err, &missingRev) {
		return nil, unresolved{reason: reasonRevisionNotFound, message: missingRev.Error()}
	}
	if err != nil {
		return nil, err
	}
	return target, nil
}

// justCreated is the verdict on a referenced object the cache has not seen
// but the API server has: created a moment before the service, as when
// both are applied together (kubectl apply -f dir/, a GitOps sync). Its add
// event brings the service back, so nothing is reported meanwhile — a
// Stalled condition there would make kstatus-based tools give up on a
// service that is about to converge.
func justCreated(what string) unresolved {
	return unresolved{reason: reasonWaitingForRevision, waiting: true, unseen: true,
		message: "waiting for " + what + ", created a moment ago"}
}

// familyOnServer reports whether the API server has a TaskDefinition of the
// family in the namespace; asked only when the cache has none.
func (d *deps) familyOnServer(ctx context.Context, namespace, family string) bool {
	var tds ecsv1.TaskDefinitionList
	if err := d.apiReader.List(ctx, &tds, client.InNamespace(namespace)); err != nil {
		return false
	}
	return slices.ContainsFunc(tds.Items, func(td ecsv1.TaskDefinition) bool { return familyOf(&td) == family })
}

// taskDefinitionByFamily finds the one TaskDefinition of a family in the
// namespace.
func (d *deps) taskDefinitionByFamily(ctx context.Context, namespace, family string) (*ecsv1.TaskDefinition, error) {
	var tds ecsv1.TaskDefinitionList
	if err := d.client.List(ctx, &tds, client.InNamespace(namespace), client.MatchingFields{indexTaskFamily: family}); err != nil {
		return nil, fmt.Errorf("listing task definitions: %w", err)
	}
	switch len(tds.Items) {
	case 0:
		return nil, unresolved{reason: reasonTaskDefNotFound,
			message: fmt.Sprintf("taskDefinition: no TaskDefinition of family %q in namespace %s; create it or fix spec.taskDefinition", family, namespace)}
	case 1:
		return &tds.Items[0], nil
	}
	var names []string
	for _, td := range tds.Items {
		names = append(names, td.Name)
	}
	slices.Sort(names)
	return nil, unresolved{reason: reasonTaskDefAmbiguous,
		message: fmt.Sprintf("taskDefinition: several TaskDefinitions declare family %q (%s); keep one", family, joinComma(names))}
}

// servicePlan is what a reconcile applies.
type servicePlan struct {
	serviceName string
	family      string
	// target is the deployment the spec asks for; primary the one applied
	// (the last completed one while the target is rolled back).
	target, primary deploymentPlan
	rolledBack      bool
	breaker         ecsv1.DeploymentCircuitBreaker
	result          *translate.ServiceResult
	template        *corev1.PodTemplateSpec
	warnings        []ecsv1.TranslationWarning
	// serviceWarnings are the warnings about the service's own fields;
	// those about the task definition's are its own events.
	serviceWarnings []ecsv1.TranslationWarning
}

// plan translates the target revision and, when its deployment failed and
// the circuit breaker rolls back, the last completed revision instead.
func (r *ECSServiceReconciler) plan(ctx context.Context, svc *ecsv1.ECSService, target *resolvedTarget) (*servicePlan, error) {
	p := &servicePlan{serviceName: serviceNameOf(svc), family: target.family}
	if dc := svc.Spec.DeploymentConfiguration; dc != nil && dc.DeploymentCircuitBreaker != nil {
		p.breaker = *dc.DeploymentCircuitBreaker
	}
	res, taskWarnings, err := r.translateService(ctx, svc, target)
	if err != nil {
		return nil, unresolved{reason: reasonInvalidSpec, message: translationMessage(err)}
	}
	p.result, p.template = res, workloadTemplate(res)
	p.target = deploymentPlan{id: deploymentID(p.serviceName, target.revision, p.template),
		taskDefinition: familyRevision(target.family, target.revision), revision: target.revision}
	p.primary = p.target
	p.warnings = mergeWarnings(taskWarnings, res.Warnings)
	p.serviceWarnings = res.Warnings

	if back := r.rollbackTarget(svc, p); back != nil {
		backTarget := *target
		backTarget.family, backTarget.revision = back.family, back.revision
		td, err := r.taskDefinitionByFamily(ctx, svc.Namespace, back.family)
		if err == nil {
			backTarget.taskDefinition = td.Name
			backTarget.spec, err = r.revisionSpec(ctx, td, back.revision)
		}
		if err == nil {
			var backRes *translate.ServiceResult
			if backRes, _, err = r.translateService(ctx, svc, &backTarget); err == nil {
				p.result, p.template = backRes, workloadTemplate(backRes)
				p.primary = deploymentPlan{id: deploymentID(p.serviceName, back.revision, p.template),
					taskDefinition: familyRevision(back.family, back.revision), revision: back.revision}
				p.rolledBack = true
			}
		}
		if err != nil {
			log.FromContext(ctx).Info("cannot roll back", "to", familyRevision(back.family, back.revision), "error", err.Error())
		}
	}
	stampDeploymentID(p.template, p.primary.id)
	return p, nil
}

// rollbackRef is the revision a failed deployment rolls back to.
type rollbackRef struct {
	family   string
	revision int64
}

// rollbackTarget returns the revision to run instead of the target when
// the target's deployment failed and the circuit breaker rolls back: the
// revision of the rollback deployment already primary, or, right after
// the failure, the last completed one.
func (r *ECSServiceReconciler) rollbackTarget(svc *ecsv1.ECSService, p *servicePlan) *rollbackRef {
	deployments := svc.Status.Deployments
	if !p.breaker.Enable || !p.breaker.Rollback || len(deployments) == 0 {
		return nil
	}
	failed := slices.ContainsFunc(deployments, func(d ecsv1.ServiceDeployment) bool {
		return d.ID == p.target.id && d.RolloutState == rolloutFailed
	})
	if !failed {
		return nil
	}
	back := deployments[0]
	if back.ID == p.target.id {
		last := newestCompleted(deployments, p.target.id)
		i := slices.IndexFunc(deployments, func(d ecsv1.ServiceDeployment) bool { return d.ID == last })
		if last == "" || i < 0 {
			return nil
		}
		back = deployments[i]
	}
	family, n, ok := parseFamilyRevision(back.TaskDefinition)
	if !ok {
		return nil
	}
	return &rollbackRef{family: family, revision: n}
}

// translateService translates one revision of the task definition and the
// service on top of it.
func (r *ECSServiceReconciler) translateService(ctx context.Context, svc *ecsv1.ECSService, target *resolvedTarget) (*translate.ServiceResult, []ecsv1.TranslationWarning, error) {
	revision, spec := target.revision, target.spec
	task, err := translate.TranslateTask(translate.TaskInput{
		Namespace: svc.Namespace, Name: target.taskDefinition, Revision: revision, Spec: spec,
		ClusterName: target.clusterName, Cluster: target.cluster, NamespaceLabels: target.nsLabels,
		Capabilities: r.capabilities, Workload: translate.WorkloadService,
	})
	if err != nil {
		return nil, nil, err
	}
	var inventory translate.NodeInventory
	if r.nodes != nil {
		if inventory, err = r.nodes.get(ctx); err != nil {
			return nil, nil, err
		}
	}
	res, err := translate.TranslateService(translate.ServiceInput{
		Namespace: svc.Namespace, Name: svc.Name, Spec: &svc.Spec, TaskSpec: spec, Task: task,
		Revision: revision, ClusterName: target.clusterName, Cluster: target.cluster,
		Nodes: inventory, Capabilities: r.capabilities, Annotations: svc.Annotations,
	})
	if err != nil {
		return nil, nil, err
	}
	return res, task.Warnings, nil
}

func workloadTemplate(res *translate.ServiceResult) *corev1.PodTemplateSpec {
	if res.DaemonSet != nil {
		return &res.DaemonSet.Spec.Template
	}
	return &res.Deployment.Spec.Template
}

// mergeWarnings joins task and service warnings, sorted and without
// duplicates.
func mergeWarnings(lists ...[]ecsv1.TranslationWarning) []ecsv1.TranslationWarning {
	var out []ecsv1.TranslationWarning
	for _, l := range lists {
		for _, w := range l {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b ecsv1.TranslationWarning) int {
		switch {
		case a.Field < b.Field:
			return -1
		case a.Field > b.Field:
			return 1
		}
		return 0
	})
	return out
}

// serviceChildrenKinds are the built-in kinds an ECSService owns.
var serviceChildrenKinds = []schema.GroupVersionKind{
	appsv1.SchemeGroupVersion.WithKind("Deployment"),
	appsv1.SchemeGroupVersion.WithKind("DaemonSet"),
	corev1.SchemeGroupVersion.WithKind("Service"),
	networkingv1.SchemeGroupVersion.WithKind("Ingress"),
	autoscalingv2.SchemeGroupVersion.WithKind("HorizontalPodAutoscaler"),
	policyv1.SchemeGroupVersion.WithKind("PodDisruptionBudget"),
}

var serviceIntegrationKinds = []integration{targetGroupBindingKind, scaledObjectKind, securityGroupPolicyKind}

// serviceLabels select a service's children.
func serviceLabels(serviceName string) map[string]string {
	labels := translate.ServicePodSelector(serviceName)
	labels[ecsv1.LabelManagedBy] = ecsv1.ManagedByValue
	return labels
}

// applyChildren applies the plan and deletes the children no longer
// desired (removing loadBalancers removes the TargetGroupBinding).
func (r *ECSServiceReconciler) applyChildren(ctx context.Context, svc *ecsv1.ECSService, p *servicePlan) ([]string, error) {
	owner := ownership{owner: svc, labels: serviceLabels(p.serviceName)}
	set, err := r.buildChildren(ctx, owner, p.result.Objects())
	if err != nil {
		return nil, err
	}
	if err := r.applyAll(ctx, set); err != nil {
		return nil, err
	}
	kinds := slices.Clone(serviceChildrenKinds)
	for _, i := range serviceIntegrationKinds {
		if r.integrations.available(ctx, i) {
			kinds = append(kinds, i.gvk)
		}
	}
	if _, err := r.applier.prune(ctx, owner, kinds, set.keys, true); err != nil {
		return nil, err
	}
	return set.missing, nil
}

// observe reads the workload and the service's pods from the cache.
func (r *ECSServiceReconciler) observe(ctx context.Context, svc *ecsv1.ECSService, p *servicePlan) (observedWorkload, error) {
	selector := translate.ServicePodSelector(p.serviceName)
	var podList corev1.PodList
	if err := r.client.List(ctx, &podList, client.InNamespace(svc.Namespace), client.MatchingLabels(selector),
		client.MatchingFields{indexPodService: selector[ecsv1.LabelService]}, client.UnsafeDisableDeepCopy); err != nil {
		return observedWorkload{}, fmt.Errorf("listing pods: %w", err)
	}
	var pods []corev1.Pod
	for _, pod := range podList.Items {
		if pod.DeletionTimestamp == nil {
			pods = append(pods, pod)
		}
	}
	var err error
	if p.result.DaemonSet != nil {
		var ds appsv1.DaemonSet
		if err = r.client.Get(ctx, client.ObjectKeyFromObject(p.result.DaemonSet), &ds, client.UnsafeDisableDeepCopy); err == nil {
			return observeDaemonSet(&ds, pods), nil
		}
	} else {
		var dep appsv1.Deployment
		if err = r.client.Get(ctx, client.ObjectKeyFromObject(p.result.Deployment), &dep, client.UnsafeDisableDeepCopy); err == nil {
			return observeDeployment(&dep, pods), nil
		}
	}
	if !apierrors.IsNotFound(err) {
		return observedWorkload{}, err
	}
	// Just created and not in the cache yet: the next event brings it.
	desired := int32(0)
	if p.result.Deployment != nil {
		desired = ptr.Deref(p.result.Deployment.Spec.Replicas, ptr.Deref(svc.Spec.DesiredCount, 0))
	}
	return observedWorkload{desired: desired, pods: pods}, nil
}
