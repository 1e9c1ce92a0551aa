package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/ecsjson"
	"github.com/ecs-operator/ecs-operator/internal/placement"
	"github.com/ecs-operator/ecs-operator/internal/report"
	"github.com/ecs-operator/ecs-operator/internal/translate"
)

const renderExamples = `  # Render a task definition as a Deployment (one replica)
  kubectl ecs render -f task-definition.json

  # Render a service with its task definition, for a configured cluster
  kubectl ecs render -f ecs-task-def.json -f ecs-service-def.json --cluster-config ecscluster.yaml -n shop

  # Expand =~ placement expressions against the cluster's nodes
  kubectl get nodes -o json > nodes.json
  kubectl ecs render -f task.json -f service.json --nodes nodes.json

  # Fail a CI job on anything that is not translated exactly
  kubectl ecs render -f task.json --error-on-warning > manifests.yaml`

// renderDefaultNamespace is the namespace manifests are rendered for when
// -n is not given: child objects refer to each other by namespace.
const renderDefaultNamespace = "default"

// renderDefaultCluster names the ECSCluster when no --cluster-config is
// given, as services default their cluster to "default".
const renderDefaultCluster = "default"

// renderOptions are the flags of render.
type renderOptions struct {
	convertOptions
	clusterConfig   string
	nodes           string
	namespaceLabels []string
	errorOnWarning  bool
}

func newRenderCommand(streams ioStreams) *cobra.Command {
	opts := &renderOptions{}
	cmd := &cobra.Command{
		Use:   "render -f TASKDEF.json [-f SERVICE.json]",
		Short: "Render ECS task definitions and services as plain Kubernetes manifests",
		Long: `Render translates Amazon ECS JSON into the Kubernetes objects the operator would
create, and prints them as a YAML stream usable without the operator:
ServiceAccount, ExternalSecrets, PersistentVolumes and claims, ConfigMaps and
NetworkPolicy for the task definition; Deployment or DaemonSet, Services,
TargetGroupBindings, Ingress, autoscaler and PodDisruptionBudget for the
service. A task definition given without a service becomes a Deployment named
after its family with one replica.

Every ECS field that is not honoured exactly is reported on standard error as
"warning: FILE: PATH: reason"; problems that prevent a faithful translation are
"error: FILE: PATH: message" and make the exit code 1 with nothing printed.
--error-on-warning makes warnings fatal too.

The cluster policy (secret stores, IAM mode, registry auth, log drivers, volume
drivers, capacity providers, attributes) comes from an ECSCluster manifest given
with --cluster-config; without one the ECSCluster defaults apply.`,
		Example: renderExamples,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q: name input files with -f", args[0])
			}
			if len(opts.files) == 0 {
				return errors.New("no input: name ECS JSON files with -f FILE (or -f - for standard input)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRender(opts, streams)
		},
	}
	opts.addInputFlags(cmd)
	flags := cmd.Flags()
	flags.StringVar(&opts.clusterConfig, "cluster-config", "", "ECSCluster manifest (YAML or JSON) whose spec is the cluster policy; its name labels the pods")
	flags.StringVar(&opts.nodes, "nodes", "", "nodes as `kubectl get nodes -o json` prints them, to expand =~ / !~ placement expressions")
	flags.StringArrayVar(&opts.namespaceLabels, "namespace-label", nil, "KEY=VALUE label of the target namespace, for the cluster's allowedRoleArns namespace selectors (repeatable)")
	flags.BoolVar(&opts.errorOnWarning, "error-on-warning", false, "treat warnings as errors: print no manifests and exit 1")
	return cmd
}

// renderContext is what every translation of one render run shares.
type renderContext struct {
	namespace       string
	clusterName     string
	cluster         *ecsv1.ECSClusterSpec
	nodes           translate.NodeInventory
	namespaceLabels map[string]string
	capabilities    translate.Capabilities
}

func runRender(opts *renderOptions, streams ioStreams) error {
	ctx, problems := renderSettings(opts)
	inputs, readProblems := readInputs(opts.files, streams.In)
	problems = append(problems, readProblems...)
	converted := convertFiles(inputs, opts.convertOptions)
	failed := hasError(problems)
	for _, f := range converted {
		problems = append(problems, f.problems...)
		failed = failed || f.failed()
	}
	var objects []runtime.Object
	if !failed {
		var renderProblems []problem
		objects, renderProblems = renderConverted(converted, ctx)
		problems = append(problems, renderProblems...)
		failed = hasError(renderProblems)
	}
	if opts.errorOnWarning && hasWarning(problems) {
		failed = true
	}
	if !failed {
		if err := writeYAMLStream(streams.Out, objects); err != nil {
			return err
		}
	}
	printProblems(streams.ErrOut, problems, opts.notes)
	if failed {
		return errReported
	}
	return nil
}

func hasError(problems []problem) bool {
	for _, p := range problems {
		if p.severity == severityError {
			return true
		}
	}
	return false
}

func hasWarning(problems []problem) bool {
	for _, p := range problems {
		if p.severity == severityWarning {
			return true
		}
	}
	return false
}

// renderSettings reads --cluster-config, --nodes and --namespace-label.
func renderSettings(opts *renderOptions) (renderContext, []problem) {
	ctx := renderContext{
		namespace:    opts.namespace,
		clusterName:  renderDefaultCluster,
		cluster:      &ecsv1.ECSClusterSpec{},
		capabilities: translate.AllCapabilities(),
	}
	if ctx.namespace == "" {
		ctx.namespace = renderDefaultNamespace
	}
	var problems []problem
	if opts.clusterConfig != "" {
		cluster, err := readClusterConfig(opts.clusterConfig)
		if err != nil {
			problems = append(problems, problem{file: opts.clusterConfig, severity: severityError, message: err.Error()})
		} else {
			ctx.cluster = &cluster.Spec
			if cluster.Name != "" {
				ctx.clusterName = cluster.Name
			}
		}
	}
	if opts.nodes != "" {
		nodes, err := readNodes(opts.nodes)
		if err != nil {
			problems = append(problems, problem{file: opts.nodes, severity: severityError, message: err.Error()})
		} else {
			ctx.nodes = placement.InventoryFromNodes(nodes)
		}
	}
	for _, kv := range opts.namespaceLabels {
		key, value, ok := strings.Cut(kv, "=")
		if !ok || key == "" {
			problems = append(problems, problem{file: "--namespace-label", severity: severityError, message: fmt.Sprintf("%q is not KEY=VALUE", kv)})
			continue
		}
		if ctx.namespaceLabels == nil {
			ctx.namespaceLabels = map[string]string{}
		}
		ctx.namespaceLabels[key] = value
	}
	return ctx, problems
}

// readClusterConfig reads an ECSCluster manifest; unknown fields are an
// error so that a misspelt setting does not silently fall back to its
// default.
func readClusterConfig(path string) (*ecsv1.ECSCluster, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.New(plainFileError(err))
	}
	var cluster ecsv1.ECSCluster
	if err := yaml.UnmarshalStrict(data, &cluster); err != nil {
		return nil, fmt.Errorf("not an ECSCluster manifest: %v", err)
	}
	if cluster.Kind != "" && cluster.Kind != "ECSCluster" {
		return nil, fmt.Errorf("kind is %q, want ECSCluster", cluster.Kind)
	}
	return &cluster, nil
}

// readNodes reads `kubectl get nodes -o json` output (a List or NodeList),
// a single Node, or a YAML stream of Nodes.
func readNodes(path string) ([]corev1.Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.New(plainFileError(err))
	}
	var nodes []corev1.Node
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var doc struct {
			Kind  string        `json:"kind"`
			Items []corev1.Node `json:"items"`
			corev1.Node
		}
		err := decoder.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not a list of nodes (kubectl get nodes -o json): %v", err)
		}
		switch doc.Kind {
		case "List", "NodeList":
			nodes = append(nodes, doc.Items...)
		case "Node":
			nodes = append(nodes, doc.Node)
		case "":
		default:
			return nil, fmt.Errorf("found a %s, want nodes (kubectl get nodes -o json)", doc.Kind)
		}
	}
	return nodes, nil
}

// renderedTask is one translated task definition document.
type renderedTask struct {
	file     *convertedFile
	doc      ecsjson.Document
	revision int64
	result   *translate.TaskResult
	used     bool
}

// renderConverted translates every task definition, then every service on
// top of its task definition; task definitions no service uses become a
// Deployment of their own.
func renderConverted(files []convertedFile, ctx renderContext) ([]runtime.Object, []problem) {
	var problems []problem
	var tasks []*renderedTask
	for i := range files {
		f := &files[i]
		for _, doc := range f.docs {
			if doc.Kind != ecsjson.KindTaskDefinition {
				continue
			}
			task := &renderedTask{file: f, doc: doc, revision: 1}
			if doc.SourceRevision != nil && *doc.SourceRevision > 0 {
				task.revision = *doc.SourceRevision
			}
			res, err := translate.TranslateTask(translate.TaskInput{
				Namespace:       ctx.namespace,
				Name:            ptr.Deref(doc.TaskDefinition.Family, ""),
				Revision:        task.revision,
				Spec:            doc.TaskDefinition,
				ClusterName:     ctx.clusterName,
				Cluster:         ctx.cluster,
				NamespaceLabels: ctx.namespaceLabels,
				Capabilities:    ctx.capabilities,
				Workload:        translate.WorkloadService,
			})
			if err != nil {
				problems = append(problems, translationErrors(f.input.Name, doc.Path, err)...)
				continue
			}
			task.result = res
			problems = append(problems, translationNotes(f.input.Name, doc.Path, res.Warnings, res.Notes)...)
			tasks = append(tasks, task)
		}
	}

	var workloads []runtime.Object
	for i := range files {
		f := &files[i]
		for _, doc := range f.docs {
			if doc.Kind != ecsjson.KindService {
				continue
			}
			task := taskForService(doc.Service.TaskDefinition, tasks)
			if task == nil {
				problems = append(problems, problem{file: f.input.Name, path: joinPath(doc.Path, "taskDefinition"), severity: severityError,
					message: fmt.Sprintf("task definition %q is not among the rendered ones: give its file with -f", doc.Service.TaskDefinition)})
				continue
			}
			task.used = true
			objs, ps := renderService(f.input.Name, doc, task, ctx, false)
			problems = append(problems, ps...)
			workloads = append(workloads, objs...)
		}
	}
	for _, task := range tasks {
		if task.used {
			continue
		}
		family := task.result.Family
		one := int32(1)
		doc := ecsjson.Document{Kind: ecsjson.KindService, Service: &ecsv1.ECSServiceSpec{
			ServiceName:    &family,
			TaskDefinition: family,
			DesiredCount:   &one,
		}}
		objs, ps := renderService(task.file.input.Name, doc, task, ctx, true)
		problems = append(problems, ps...)
		workloads = append(workloads, objs...)
	}
	if hasError(problems) {
		return nil, problems
	}
	var objects []runtime.Object
	for _, task := range tasks {
		objects = append(objects, task.result.Objects()...)
	}
	return append(objects, workloads...), problems
}

// taskForService finds the task definition a service names (family,
// family:revision or an ARN), or the only one given.
func taskForService(ref string, tasks []*renderedTask) *renderedTask {
	family, revision := ref, ""
	if i := strings.LastIndex(family, "/"); i >= 0 && strings.HasPrefix(family, "arn:") {
		family = family[i+1:]
	}
	if i := strings.LastIndex(family, ":"); i >= 0 {
		family, revision = family[:i], family[i+1:]
	}
	var match *renderedTask
	for _, task := range tasks {
		if task.result.Family != family {
			continue
		}
		// Only describe output knows its revision; other files stand for
		// whichever revision the service names.
		if revision != "" && task.doc.SourceRevision != nil && revision != strconv.FormatInt(*task.doc.SourceRevision, 10) {
			continue
		}
		if match != nil {
			return nil
		}
		match = task
	}
	return match
}

// renderService translates a service on top of its task. A service the
// user did not give (synthetic: a task rendered as a one-replica
// Deployment) reports only what concerns the task definition.
func renderService(file string, doc ecsjson.Document, task *renderedTask, ctx renderContext, synthetic bool) ([]runtime.Object, []problem) {
	name := ptr.Deref(doc.Service.ServiceName, "")
	res, err := translate.TranslateService(translate.ServiceInput{
		Namespace:    ctx.namespace,
		Name:         name,
		Spec:         doc.Service,
		TaskSpec:     task.doc.TaskDefinition,
		Task:         task.result,
		Revision:     task.revision,
		ClusterName:  ctx.clusterName,
		Cluster:      ctx.cluster,
		Nodes:        ctx.nodes,
		Capabilities: ctx.capabilities,
	})
	taskFile, taskPath := task.file.input.Name, task.doc.Path
	// Paths under taskDefinition. name task definition fields.
	locate := func(field string) (string, string, bool) {
		if rest, ok := strings.CutPrefix(field, "taskDefinition."); ok {
			return taskFile, joinPath(taskPath, rest), true
		}
		return file, joinPath(doc.Path, field), !synthetic
	}
	var problems []problem
	if err != nil {
		var errs report.Errors
		if !errors.As(err, &errs) {
			errs = report.Errors{{Message: err.Error()}}
		}
		for _, e := range errs {
			f, path, own := locate(e.Field)
			msg := e.Message
			if !own {
				// The synthetic service's own fields mean nothing to the
				// user; say what was being done instead.
				f, path, msg = taskFile, taskPath, "rendering as a one-replica Deployment: "+e.Error()
			}
			problems = append(problems, problem{file: f, path: path, severity: severityError, message: msg})
		}
		return nil, problems
	}
	for _, group := range []struct {
		notes []ecsv1.TranslationWarning
		sev   severity
	}{{res.Warnings, severityWarning}, {res.Notes, severityNote}} {
		for _, w := range group.notes {
			if f, path, own := locate(w.Field); own {
				problems = append(problems, problem{file: f, path: path, severity: group.sev, message: w.Reason})
			}
		}
	}
	return res.Objects(), problems
}

func translationErrors(file, docPath string, err error) []problem {
	var errs report.Errors
	if !errors.As(err, &errs) {
		errs = report.Errors{{Message: err.Error()}}
	}
	problems := make([]problem, 0, len(errs))
	for _, e := range errs {
		problems = append(problems, problem{file: file, path: joinPath(docPath, e.Field), severity: severityError, message: e.Message})
	}
	return problems
}

func translationNotes(file, docPath string, warnings, notes []ecsv1.TranslationWarning) []problem {
	problems := make([]problem, 0, len(warnings)+len(notes))
	for _, w := range warnings {
		problems = append(problems, problem{file: file, path: joinPath(docPath, w.Field), severity: severityWarning, message: w.Reason})
	}
	for _, n := range notes {
		problems = append(problems, problem{file: file, path: joinPath(docPath, n.Field), severity: severityNote, message: n.Reason})
	}
	return problems
}
