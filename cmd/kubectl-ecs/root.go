package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// ioStreams are where a command reads input and writes results (Out) and
// diagnostics (ErrOut); tests run commands in-process on buffers.
type ioStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// newRootCommand builds the command tree. Each subcommand is one
// AddCommand line. Subcommands share the plumbing of this package:
// convertOptions.addInputFlags (-f, -n, --family, --service-name,
// --task-definition, --notes), readInputs and convertFiles (files, stdin
// and directories to checked TaskDefinition/ECSService objects),
// printProblems ("warning: FILE: PATH: message" lines), writeYAMLStream,
// and errReported for exit code 1.
func newRootCommand(streams ioStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "kubectl-ecs",
		Short: "Work with Amazon ECS task definitions and services on Kubernetes",
		Long: `kubectl-ecs converts Amazon ECS JSON into the ecs-operator's custom resources
(TaskDefinition, ECSService), offline. Installed on PATH it runs as "kubectl ecs".`,
		Annotations: map[string]string{
			// Help and usage say "kubectl ecs" as users type it.
			cobra.CommandDisplayNameAnnotation: "kubectl ecs",
		},
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.CompletionOptions.DisableDefaultCmd = true

	root.AddCommand(newConvertCommand(streams))
	root.AddCommand(newRenderCommand(streams))
	return root
}

// exitError ends a command with an exit code after it has reported its
// problems itself.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// errReported is returned by commands that printed their errors already
// and only need the process to exit with 1.
var errReported = exitError{code: 1}

// run executes the command line args and returns the process exit code:
// 0 on success (warnings included), 1 when anything failed.
func run(args []string, streams ioStreams) int {
	root := newRootCommand(streams)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var exit exitError
	if errors.As(err, &exit) {
		return exit.code
	}
	fmt.Fprintf(streams.ErrOut, "error: %v\n", err)
	return 1
}
