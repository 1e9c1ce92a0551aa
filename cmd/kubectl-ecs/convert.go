package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/ecsjson"
	"github.com/ecs-operator/ecs-operator/internal/names"
)

const convertExamples = `  # Convert a task definition exported with the AWS CLI
  aws ecs describe-task-definition --task-definition web:3 | kubectl ecs convert -f -

  # Convert an ecspresso task and service definition into namespace shop
  kubectl ecs convert -f ecs-task-def.json -f ecs-service-def.json -n shop

  # Convert a Terraform container_definitions file
  kubectl ecs convert -f containers.json --family web

  # Convert every *.json file of a directory and apply the result
  kubectl ecs convert -f ecs/ | kubectl apply --server-side -f -`

// convertOptions are the flags of convert (and of commands built on it).
type convertOptions struct {
	files []string
	// namespace sets metadata.namespace when not empty.
	namespace string
	// family, serviceName and taskDefinition fill in documents that lack
	// them; documents that have them keep their own.
	family         string
	serviceName    string
	taskDefinition string
	// notes prints info-level notes too.
	notes bool
}

// addInputFlags registers the flags that choose and complete the input
// documents.
func (o *convertOptions) addInputFlags(cmd *cobra.Command) {
	flags := cmd.Flags()
	flags.StringArrayVarP(&o.files, "filename", "f", nil, "ECS JSON file, directory of *.json files, or - for standard input (repeatable)")
	flags.StringVarP(&o.namespace, "namespace", "n", "", "namespace to put in metadata.namespace (default: none, so kubectl apply uses the current one)")
	flags.StringVar(&o.family, "family", "", "family for task definitions that have none, such as bare containerDefinitions arrays (default: the file name)")
	flags.StringVar(&o.serviceName, "service-name", "", "serviceName for services that have none, as ecspresso service files (default: the file name)")
	flags.StringVar(&o.taskDefinition, "task-definition", "", "taskDefinition (family, family:revision or ARN) for services that have none (default: the family of the one task definition converted alongside)")
	flags.BoolVar(&o.notes, "notes", true, "print notes (ignored read-only fields, templated values, filled-in names) besides warnings and errors")
}

func newConvertCommand(streams ioStreams) *cobra.Command {
	opts := &convertOptions{}
	cmd := &cobra.Command{
		Use:   "convert -f FILE [-f FILE...]",
		Short: "Convert ECS task definitions and services into TaskDefinition and ECSService resources",
		Long: `Convert reads Amazon ECS JSON and prints the equivalent TaskDefinition and
ECSService resources (ecs.operator.dev/v1alpha1) as a YAML stream.

Accepted input: RegisterTaskDefinition and CreateService JSON (--cli-input-json
files, ecspresso definitions), describe-task-definition, create-service and
describe-services output, and bare containerDefinitions arrays (Terraform).
Read-only describe fields are dropped with a note; unknown and duplicate keys
are warnings. Each document is checked against what the API server accepts, so
problems show up here, with their JSON path, not at kubectl apply time.

Diagnostics go to standard error as "warning: FILE: PATH: message" (and
"note: ..." / "error: ..."). A file with an error produces no output, the
other files are still converted, and the exit code is 1.`,
		Example: convertExamples,
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
			return runConvert(opts, streams)
		},
	}
	opts.addInputFlags(cmd)
	return cmd
}

func runConvert(opts *convertOptions, streams ioStreams) error {
	inputs, readProblems := readInputs(opts.files, streams.In)
	converted := convertFiles(inputs, *opts)
	var objects []runtime.Object
	var problems []problem
	problems = append(problems, readProblems...)
	for _, f := range converted {
		problems = append(problems, f.problems...)
		if !f.failed() {
			for _, o := range f.objects {
				objects = append(objects, o)
			}
		}
	}
	if err := writeYAMLStream(streams.Out, objects); err != nil {
		return err
	}
	if printProblems(streams.ErrOut, problems, opts.notes) {
		return errReported
	}
	return nil
}

// convertedFile is what one input file converts to.
type convertedFile struct {
	input inputFile
	// docs and objects are parallel: one TaskDefinition or ECSService per
	// document, in file order. They are set even when validation failed,
	// so callers can see what would have been produced.
	docs     []ecsjson.Document
	objects  []client.Object
	problems []problem
}

// failed reports whether the file has an error; such a file produces no
// output.
func (f convertedFile) failed() bool {
	for _, p := range f.problems {
		if p.severity == severityError {
			return true
		}
	}
	return false
}

func (f *convertedFile) report(sev severity, path, format string, args ...any) {
	f.problems = append(f.problems, problem{file: f.input.Name, path: path, severity: sev, message: fmt.Sprintf(format, args...)})
}

// convertFiles decodes every input, fills in the names documents lack,
// checks each document against the CRD rules and builds the objects.
// Files are converted together because a service without taskDefinition
// takes the family of the one task definition converted alongside it.
func convertFiles(inputs []inputFile, opts convertOptions) []convertedFile {
	files := make([]convertedFile, len(inputs))
	for i, in := range inputs {
		files[i] = decodeFile(in)
	}
	var families []string
	for i := range files {
		for j := range files[i].docs {
			if doc := &files[i].docs[j]; doc.Kind == ecsjson.KindTaskDefinition {
				if family := completeTaskDefinition(&files[i], doc, opts); family != "" {
					families = append(families, family)
				}
			}
		}
	}
	for i := range files {
		for j := range files[i].docs {
			if doc := &files[i].docs[j]; doc.Kind == ecsjson.KindService {
				completeService(&files[i], doc, opts, families)
			}
		}
	}
	seen := map[string]string{} // kind/name → file that produced it
	for i := range files {
		f := &files[i]
		for _, doc := range f.docs {
			for _, e := range ecsjson.Validate(doc) {
				f.report(severityError, joinPath(doc.Path, e.Path), "%s", e.Message)
			}
			obj := objectFor(doc, opts.namespace)
			f.objects = append(f.objects, obj)
			key := obj.GetObjectKind().GroupVersionKind().Kind + "/" + obj.GetName()
			if other, dup := seen[key]; dup {
				f.report(severityError, doc.Path, "%s %q is also produced by %s; give them different names", obj.GetObjectKind().GroupVersionKind().Kind, obj.GetName(), other)
			}
			seen[key] = f.input.Name
		}
		f.problems = tidyProblems(f.problems)
	}
	return files
}

// tidyProblems keeps one error per path (filling in a name and checking
// it can both fail on the same field) and drops notes on paths that have
// an error, which already says everything (templated values included).
func tidyProblems(problems []problem) []problem {
	errorAt := map[string]bool{}
	for _, p := range problems {
		if p.severity == severityError {
			errorAt[p.path] = true
		}
	}
	var out []problem
	reported := map[string]bool{}
	for _, p := range problems {
		switch {
		case p.severity == severityNote && errorAt[p.path]:
			continue
		case p.severity == severityError && reported[p.path]:
			continue
		case p.severity == severityError:
			reported[p.path] = true
		}
		out = append(out, p)
	}
	return out
}

// decodeFile decodes one input and turns Decode's errors and diagnostics
// into problems with paths relative to the file.
func decodeFile(in inputFile) convertedFile {
	f := convertedFile{input: in}
	docs, err := ecsjson.Decode(in.Data)
	if err != nil {
		var errs ecsjson.Errors
		if !errors.As(err, &errs) {
			errs = ecsjson.Errors{{Message: err.Error()}}
		}
		for _, e := range errs {
			f.report(severityError, e.Path, "%s", e.Message)
		}
		return f
	}
	f.docs = docs
	for _, doc := range docs {
		for _, d := range doc.Diagnostics {
			sev := severityWarning
			if d.Severity == ecsjson.Info {
				sev = severityNote
			}
			f.report(sev, joinPath(doc.Path, d.Path), "%s", d.Message)
		}
	}
	return f
}

// completeTaskDefinition fills in a missing family and returns the
// family, or "" when none could be given.
func completeTaskDefinition(f *convertedFile, doc *ecsjson.Document, opts convertOptions) string {
	spec := doc.TaskDefinition
	path := joinPath(doc.Path, "family")
	if spec.Family != nil && *spec.Family != "" {
		if opts.family != "" && opts.family != *spec.Family {
			f.report(severityNote, path, "the file's family %q is kept; --family applies to task definitions without one", *spec.Family)
		}
		return *spec.Family
	}
	what := "not in the file"
	if doc.ContainersOnly {
		what = "not in the file (a bare containerDefinitions array)"
	}
	switch {
	case opts.family != "":
		spec.Family = &opts.family
		f.report(severityNote, path, "%s; using --family %q", what, opts.family)
	case f.input.fromStdin():
		f.report(severityError, path, "%s; pass --family NAME", what)
		return ""
	default:
		base := f.input.baseName()
		spec.Family = &base
		f.report(severityWarning, path, "%s; using the file name %q (pass --family to choose)", what, base)
	}
	return *spec.Family
}

// completeService fills in a missing serviceName and taskDefinition.
func completeService(f *convertedFile, doc *ecsjson.Document, opts convertOptions, families []string) {
	spec := doc.Service
	namePath := joinPath(doc.Path, "serviceName")
	switch {
	case spec.ServiceName != nil && *spec.ServiceName != "":
		if opts.serviceName != "" && opts.serviceName != *spec.ServiceName {
			f.report(severityNote, namePath, "the file's serviceName %q is kept; --service-name applies to services without one", *spec.ServiceName)
		}
	case opts.serviceName != "":
		spec.ServiceName = &opts.serviceName
		f.report(severityNote, namePath, "not in the file; using --service-name %q", opts.serviceName)
	case f.input.fromStdin():
		f.report(severityError, namePath, "not in the file; pass --service-name NAME")
	default:
		base := f.input.baseName()
		spec.ServiceName = &base
		f.report(severityWarning, namePath, "not in the file; using the file name %q (pass --service-name to choose)", base)
	}

	tdPath := joinPath(doc.Path, "taskDefinition")
	switch {
	case spec.TaskDefinition != "":
		if opts.taskDefinition != "" && opts.taskDefinition != spec.TaskDefinition {
			f.report(severityNote, tdPath, "the file's taskDefinition %q is kept; --task-definition applies to services without one", spec.TaskDefinition)
		}
	case opts.taskDefinition != "":
		spec.TaskDefinition = opts.taskDefinition
		f.report(severityNote, tdPath, "not in the file; using --task-definition %q", opts.taskDefinition)
	case len(families) == 1:
		spec.TaskDefinition = families[0]
		f.report(severityNote, tdPath, "not in the file; using %q, the task definition converted alongside", families[0])
	default:
		converted := "no task definition is"
		if len(families) > 1 {
			converted = fmt.Sprintf("%d task definitions are", len(families))
		}
		f.report(severityError, tdPath, "required: not in the file, and %s converted alongside; pass --task-definition FAMILY[:REVISION]", converted)
	}
}

// objectFor builds the resource for a completed document. The object name
// is the sanitised family or service name; the original is kept in an
// annotation when they differ.
func objectFor(doc ecsjson.Document, namespace string) client.Object {
	switch doc.Kind {
	case ecsjson.KindTaskDefinition:
		obj := &ecsv1.TaskDefinition{
			TypeMeta:   metav1.TypeMeta{APIVersion: ecsv1.GroupVersion.String(), Kind: "TaskDefinition"},
			ObjectMeta: objectMeta(deref(doc.TaskDefinition.Family), namespace),
			Spec:       *doc.TaskDefinition,
		}
		if doc.SourceRevision != nil {
			metav1.SetMetaDataAnnotation(&obj.ObjectMeta, ecsv1.AnnotationSourceRevision, strconv.FormatInt(*doc.SourceRevision, 10))
		}
		return obj
	default:
		return &ecsv1.ECSService{
			TypeMeta:   metav1.TypeMeta{APIVersion: ecsv1.GroupVersion.String(), Kind: "ECSService"},
			ObjectMeta: objectMeta(deref(doc.Service.ServiceName), namespace),
			Spec:       *doc.Service,
		}
	}
}

func objectMeta(ecsName, namespace string) metav1.ObjectMeta {
	meta := metav1.ObjectMeta{Name: names.Object(ecsName), Namespace: namespace}
	if meta.Name != ecsName {
		metav1.SetMetaDataAnnotation(&meta, ecsv1.AnnotationOriginalName, ecsName)
	}
	return meta
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// joinPath puts a path inside a document under the document's own path
// in the file.
func joinPath(docPath, path string) string {
	switch {
	case docPath == "":
		return path
	case path == "":
		return docPath
	case strings.HasPrefix(path, "["):
		return docPath + path
	}
	return docPath + "." + path
}
