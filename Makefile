# ecs-operator — developer entry points. Run `make help` for the list.
#
# Every binary the targets need is built from Go modules at pinned versions
# by hack/testbed.sh and cached under
# $${XDG_CACHE_HOME:-$$HOME/.cache}/ecs-operator/ (see testbed.md). Nothing
# has to be installed by hand beyond Go.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c

GO ?= go
CONTROLLER_GEN := $(GO) tool controller-gen
CACHE_DIR := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/ecs-operator
BIN_DIR := $(CURDIR)/bin
IMG ?= ghcr.io/ecs-operator/ecs-operator:dev
N ?= 100

.DEFAULT_GOAL := help

##@ Main job

.PHONY: demo
demo: build testbed ## Start a local control plane, run the operator with the samples, show the result.
	hack/demo.sh up

.PHONY: demo-down
demo-down: ## Stop the demo and delete its cluster.
	hack/demo.sh down

##@ Development

.PHONY: generate
generate: ## Generate deepcopy code for the API types.
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths=./api/...

.PHONY: manifests
manifests: ## Generate CRDs and RBAC from the markers, and copy both into the Helm chart.
	$(CONTROLLER_GEN) crd:allowDangerousTypes=true paths=./api/... output:crd:artifacts:config=config/crd/bases
	$(CONTROLLER_GEN) rbac:roleName=ecs-operator-manager paths=./controllers/... output:rbac:artifacts:config=config/rbac
	@if [ -d charts/ecs-operator ]; then mkdir -p charts/ecs-operator/crds charts/ecs-operator/files && cp config/crd/bases/*.yaml charts/ecs-operator/crds/ && cp config/rbac/role.yaml charts/ecs-operator/files/manager-role.yaml; fi
	$(GO) test ./internal/ecsjson -run TestSchemaRulesMatchCRDs -update -count=1 >/dev/null

.PHONY: fmt
fmt: ## Format the Go code.
	gofmt -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## Run go vet.
	$(GO) vet ./...
	$(GO) vet -tags e2e ./test/...

.PHONY: verify
verify: generate manifests ## Regenerate everything and fail if the tree changed; check formatting, vet and go.mod.
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) mod tidy -diff
	$(MAKE) vet
	@grep -qxF "RUN $$($(MAKE) -s --no-print-directory -n image-binary GO=go BIN_DIR=bin)" Dockerfile || { echo "Dockerfile: its build RUN line must be the recipe of make image-binary (make -n image-binary GO=go BIN_DIR=bin)"; exit 1; }
	@git diff --exit-code -- api config charts internal/ecsjson/schema_rules.go || { echo "generated files are out of date: run 'make generate manifests' and commit"; exit 1; }
	@if [ -n "$$(git status --porcelain -- api config charts)" ]; then git status --porcelain -- api config charts; echo "untracked generated files: commit them"; exit 1; fi

##@ Build

.PHONY: build
build: ## Build the operator and the kubectl plugin into bin/.
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN_DIR)/ecs-operator .
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN_DIR)/kubectl-ecs ./cmd/kubectl-ecs

.PHONY: docker-build
docker-build: ## Build the container image (needs a Docker engine).
	docker build -t $(IMG) .

.PHONY: image-binary
image-binary: ## Run the exact build command of the Dockerfile (no Docker engine needed).
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -ldflags="-s -w" -o $(BIN_DIR)/manager .

##@ Test

.PHONY: testbed
testbed: ## Build (once) the pinned Kubernetes, kwok and helm binaries.
	hack/testbed.sh >/dev/null

.PHONY: test
test: ## Unit and integration tests (envtest: a real kube-apiserver and etcd).
	KUBEBUILDER_ASSETS="$$(hack/testbed.sh k8s)" $(GO) test ./... -count=1

.PHONY: e2e
e2e: build testbed ## End-to-end tests on a local kwok cluster (real scheduler and controller-manager, fake nodes).
	$(GO) test -tags e2e ./test/e2e/... -count=1 -timeout 45m -v

.PHONY: cluster-up
cluster-up: testbed ## Start the local kwok cluster (12 fake nodes in 3 zones).
	hack/cluster.sh up

.PHONY: cluster-down
cluster-down: ## Delete the local kwok cluster.
	hack/cluster.sh down

.PHONY: fuzz
fuzz: ## Fuzz the decoder and translator for a short while each.
	$(GO) test ./internal/ecsjson -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime 60s
	$(GO) test ./internal/ecsjson -run '^$$' -fuzz '^FuzzDirectMatchesDiagnosticPath$$' -fuzztime 60s
	$(GO) test ./internal/translate -run '^$$' -fuzz '^FuzzTranslateTask$$' -fuzztime 60s
	$(GO) test ./internal/translate -run '^$$' -fuzz '^FuzzTranslateService$$' -fuzztime 60s
	$(GO) test ./internal/placement -run '^$$' -fuzz FuzzParse -fuzztime 60s

.PHONY: bench
bench: build testbed ## Convergence benchmark on a kwok cluster: operator vs direct apply (N services).
	$(GO) run ./hack/bench -n $(N)

# The fault tests get a cluster of their own: they kill its API server.
CHAOS_CLUSTER ?= ecs-operator-chaos

.PHONY: chaos
chaos: build testbed ## Fault-injection end-to-end tests (operator kills, API server restart, leader handover, drift, bad input).
	E2E_CLUSTER_NAME=$(CHAOS_CLUSTER) $(GO) test -tags e2e ./test/e2e/... -run Chaos -count=1 -timeout 60m -v

##@ Helm

.PHONY: helm-lint
helm-lint: testbed manifests ## Lint and render the Helm chart.
	"$$(hack/testbed.sh)/helm" lint --strict charts/ecs-operator
	"$$(hack/testbed.sh)/helm" lint --strict charts/ecs-operator -f charts/ecs-operator/ci/full-values.yaml
	"$$(hack/testbed.sh)/helm" template ecs-operator charts/ecs-operator -n ecs-operator-system >/dev/null
	"$$(hack/testbed.sh)/helm" template ecs-operator charts/ecs-operator -n ecs-operator-system -f charts/ecs-operator/ci/full-values.yaml >/dev/null

##@ Help

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  %-14s %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)
