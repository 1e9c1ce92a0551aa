// Command kubectl-ecs is the ecs-operator kubectl plugin. It converts Amazon
// ECS JSON (task definitions, services, describe output) into the
// operator's TaskDefinition and ECSService resources, offline.
//
// Installed on PATH as kubectl-ecs it also runs as `kubectl ecs`:
//
//	go install github.com/ecs-operator/ecs-operator/cmd/kubectl-ecs@latest
//	kubectl ecs convert -f task-definition.json
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], ioStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}))
}
