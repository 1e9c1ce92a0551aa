#!/usr/bin/env bash
# The main job: a local real control plane, the operator and a sample app.
#
# usage: hack/demo.sh up | down
#
#   up    build what is missing (the pinned test bed is cached), start the
#         local kwok cluster (real API server, scheduler and controller
#         manager; 12 fake nodes in 3 zones), install the CRDs, run the
#         operator from bin/ecs-operator in the background, apply
#         config/samples/, wait until every ECS object is Ready (one line
#         per change) and show what the operator made. Re-running it keeps
#         the cluster, restarts the operator and re-applies the samples.
#   down  stop the operator and delete the cluster.
#
# Settings (environment):
#   DEMO_CLUSTER   cluster name (default ecs-operator-demo, apart from the
#                  e2e tests' cluster)
#   DEMO_TIMEOUT   seconds to wait for Ready (default 300)
#   DEMO_STATE     operator pid and log (default
#                  ${XDG_CACHE_HOME:-$HOME/.cache}/ecs-operator/demo)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CLUSTER_NAME=${DEMO_CLUSTER:-ecs-operator-demo}
timeout=${DEMO_TIMEOUT:-300}
state=${DEMO_STATE:-${XDG_CACHE_HOME:-$HOME/.cache}/ecs-operator/demo}/$CLUSTER_NAME
operator_bin=$repo/bin/ecs-operator
pidfile=$state/operator.pid
logfile=$state/operator.log

# External Secrets CRDs come from the project's Go module (the same version
# the integration tests use, internal/testenv): the worker's Secrets Manager
# secrets become ExternalSecrets. The other integrations' CRDs are left out
# on purpose, so the demo shows how the operator reports a missing one.
ESO_MODULE=github.com/external-secrets/external-secrets@v1.3.2
ESO_CRDS="config/crds/bases/external-secrets.io_externalsecrets.yaml config/crds/bases/external-secrets.io_clustersecretstores.yaml"

started=$(date +%s.%N)
elapsed() { awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%5.1fs", e - s }'; }
say() { printf '[%s] %s\n' "$(elapsed)" "$*"; }
die() {
	say "error: $*" >&2
	exit 1
}
section() { printf '\n== %s\n' "$*"; }

kc() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG" "$@"; }

# operator_running: the pid file names a live ecs-operator process.
operator_running() {
	[ -f "$pidfile" ] || return 1
	local pid
	pid=$(cat "$pidfile")
	[ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$operator_bin"
}

stop_operator() {
	if operator_running; then
		local pid
		pid=$(cat "$pidfile")
		kill "$pid"
		for _ in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		say "operator (pid $pid) stopped"
	fi
	rm -f "$pidfile"
}

start_operator() {
	mkdir -p "$state"
	stop_operator
	# Metrics and probes are off: nothing scrapes them here, and fixed ports
	# could clash with other processes on the machine.
	KUBECONFIG=$KUBECONFIG nohup "$operator_bin" \
		--leader-elect=false \
		--metrics-bind-address=0 \
		--health-probe-bind-address=0 \
		--zap-log-level=info \
		--zap-encoder=console \
		>"$logfile" 2>&1 </dev/null &
	echo $! >"$pidfile"
	sleep 1
	operator_running || {
		tail -20 "$logfile" >&2
		die "the operator exited at once (log above, full log in $logfile)"
	}
	say "operator running (pid $(cat "$pidfile")), log: $logfile"
}

install_crds() {
	kc apply --server-side --force-conflicts --field-manager=ecs-operator-demo \
		-f "$repo/config/crd/bases" >/dev/null
	local dir f
	# Outside the repository, so go.mod is not touched.
	dir=$(cd "${TMPDIR:-/tmp}" && go mod download -json "$ESO_MODULE" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -n "$dir" ] || die "go mod download $ESO_MODULE failed"
	for f in $ESO_CRDS; do
		kc apply --server-side --force-conflicts --field-manager=ecs-operator-demo -f "$dir/$f" >/dev/null
	done
	kc wait --for=condition=Established --timeout=60s \
		crd/ecsclusters.ecs.operator.dev crd/taskdefinitions.ecs.operator.dev crd/ecsservices.ecs.operator.dev \
		crd/externalsecrets.external-secrets.io crd/clustersecretstores.external-secrets.io >/dev/null
	say "CRDs installed: ecs.operator.dev (ECSCluster, TaskDefinition, ECSService), external-secrets.io (ExternalSecret, ClusterSecretStore)"
	# The store the sample ECSCluster's secretStoreRef names. No External
	# Secrets controller runs here, so nothing is fetched from AWS: the fake
	# nodes start containers without the synced Secrets.
	kc apply --server-side --field-manager=ecs-operator-demo -f - >/dev/null <<'EOF'
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: aws-secrets-manager
spec:
  provider:
    aws:
      service: SecretsManager
      region: us-east-1
EOF
}

# progress prints one line per ECS object: kind and name, generation and
# observed generation, Ready status and message, then the object's counts.
progress() {
	kc get ecsclusters -o jsonpath='{range .items[*]}ECSCluster {.metadata.name}|{.metadata.generation}|{.status.observedGeneration}|{.status.conditions[?(@.type=="Ready")].status}|{.status.conditions[?(@.type=="Ready")].message}|cluster|{.status.registeredContainerInstancesCount}|{.status.activeServicesCount}|{.status.runningTasksCount}|{.status.pendingTasksCount}{"\n"}{end}'
	kc get taskdefinitions -A -o jsonpath='{range .items[*]}TaskDefinition {.metadata.namespace}/{.metadata.name}|{.metadata.generation}|{.status.observedGeneration}|{.status.conditions[?(@.type=="Ready")].status}|{.status.conditions[?(@.type=="Ready")].message}|task{"\n"}{end}'
	kc get ecsservices -A -o jsonpath='{range .items[*]}ECSService {.metadata.namespace}/{.metadata.name}|{.metadata.generation}|{.status.observedGeneration}|{.status.conditions[?(@.type=="Ready")].status}|{.status.conditions[?(@.type=="Ready")].message}|service|{.status.runningCount}|{.status.desiredCount}|{.status.pendingCount}{"\n"}{end}'
}

# describe NAME GENERATION OBSERVED READY MESSAGE KIND COUNTS...: one
# progress line.
describe() {
	local name=$1 ready=${4:-?} message=${5:-waiting for the operator} kind=$6 counts=""
	if [ "$2" != "$3" ]; then
		ready=? message="waiting for the operator to observe generation $2"
	fi
	case $kind in
	cluster) counts=" (instances ${7:-0}, services ${8:-0}, tasks running ${9:-0}, pending ${10:-0})" ;;
	service) [ -z "$4" ] || counts=" (running ${7:-0}/${8:-0}, pending ${9:-0})" ;;
	esac
	printf '%-38s Ready=%-5s %s%s' "$name" "$ready" "$message" "$counts"
}

wait_ready() {
	local deadline expected previous="" line not_ready
	local -a fields
	local -a lines
	deadline=$(($(date +%s) + timeout))
	expected=$(kc kustomize "$repo/config/samples" | grep -cE '^kind: (ECSCluster|TaskDefinition|ECSService)$')
	while :; do
		lines=() not_ready=0
		while IFS='|' read -r -a fields; do
			[ "${#fields[@]}" -gt 0 ] || continue
			[ "${fields[3]:-}" = True ] && [ "${fields[1]}" = "${fields[2]}" ] || not_ready=$((not_ready + 1))
			lines+=("$(describe "${fields[@]}")")
		done < <(progress 2>/dev/null || true)
		for line in "${lines[@]}"; do
			grep -qxF -- "$line" <<<"$previous" || say "$line"
		done
		previous=$(printf '%s\n' "${lines[@]}")
		if [ "${#lines[@]}" -ge "$expected" ] && [ "$not_ready" -eq 0 ]; then
			return 0
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			say "not Ready after ${timeout}s; the operator's last log lines:"
			tail -30 "$logfile" >&2
			return 1
		fi
		operator_running || {
			tail -30 "$logfile" >&2
			die "the operator stopped (log above, full log in $logfile)"
		}
		sleep 1
	done
}

show() {
	section "kubectl get ecs -A"
	kc get ecs -A
	section "what the operator made (label app.kubernetes.io/managed-by=ecs-operator)"
	kc get deployments,daemonsets,services,ingresses,horizontalpodautoscalers,poddisruptionbudgets,serviceaccounts,externalsecrets \
		-A -l app.kubernetes.io/managed-by=ecs-operator
	printf '\n(This cluster runs no metrics-server, External Secrets or load balancer controller: the\n'
	printf 'HPA shows <unknown> and keeps minCapacity, ExternalSecrets stay unsynced, the Ingress gets\n'
	printf 'no address. Where those add-ons run, they act on these same objects.)\n'
	section "task pods per zone"
	pods_per_zone
	section "integrations"
	kc get taskdefinitions,ecsservices -A -o jsonpath='{range .items[*]}{.kind} {.metadata.namespace}/{.metadata.name}: {.status.conditions[?(@.type=="IntegrationsAvailable")].message}{"\n"}{end}' |
		awk -F': ' '$2 != "" { print } END { if (NR == 0) print "every integration the samples use is installed" }'
	section "warnings (ECS fields approximated or not honoured)"
	kc get taskdefinitions,ecsservices -A -o jsonpath='{range .items[*]}{range .status.warnings[*]}{.field}: {.reason}{"\n"}{end}{end}' |
		sort -u | sed 's/^/  /'
}

# pods_per_zone: how each service's pods spread over the nodes' zones.
pods_per_zone() {
	local zones
	zones=$(kc get nodes -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.labels.topology\.kubernetes\.io/zone}{" "}{end}')
	kc get pods -A -l ecs.operator.dev/service -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.labels.ecs\.operator\.dev/service} {.spec.nodeName} {.status.phase}{"\n"}{end}' |
		awk -v zones="$zones" '
			function sort(a, n,   i, j, t) {
				for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			}
			BEGIN {
				n = split(zones, pairs, " ")
				for (i = 1; i <= n; i++) { split(pairs[i], f, "="); zone[f[1]] = f[2]; if (!(f[2] in seen)) { seen[f[2]] = 1; order[++nz] = f[2] } }
				sort(order, nz)
			}
			{
				if (!($1 in svc)) { svc[$1] = 1; names[++ns] = $1 }
				if ($2 == "") pending[$1]++; else count[$1, zone[$2]]++
				if ($3 == "Running") running[$1]++
			}
			END {
				sort(names, ns)
				printf "%-26s", "SERVICE"; for (i = 1; i <= nz; i++) printf "%-12s", order[i]; printf "%-12s%s\n", "UNSCHEDULED", "RUNNING"
				for (k = 1; k <= ns; k++) {
					s = names[k]; printf "%-26s", s
					for (i = 1; i <= nz; i++) printf "%-12d", count[s, order[i]]
					printf "%-12d%d\n", pending[s], running[s]
				}
			}'
}

cmd_up() {
	say "test bed (pinned Kubernetes, kwok, helm; built once, then cached)"
	BIN=$("$repo/hack/testbed.sh")
	if [ ! -x "$operator_bin" ]; then
		say "building bin/ecs-operator"
		(cd "$repo" && CGO_ENABLED=0 go build -trimpath -o "$operator_bin" .)
	fi
	say "starting the local cluster $CLUSTER_NAME (hack/cluster.sh)"
	KUBECONFIG=$("$repo/hack/cluster.sh" up)
	export KUBECONFIG
	say "cluster up: $(kc get nodes -l type=kwok --no-headers | wc -l) nodes in zones $(kc get nodes -l type=kwok -o jsonpath='{.items[*].metadata.labels.topology\.kubernetes\.io/zone}' | tr ' ' '\n' | sort -u | paste -sd, -)"
	install_crds
	start_operator
	kc apply --server-side --field-manager=ecs-operator-demo -k "$repo/config/samples" >/dev/null
	say "applied config/samples: ECSCluster default; web, worker in namespace shop; log-agent (DAEMON) in observability"
	say "waiting until every ECS object is Ready (timeout ${timeout}s)"
	wait_ready
	say "all Ready"
	show
	printf '\n'
	say "done. Try: KUBECONFIG=$KUBECONFIG $BIN/kubectl describe ecsservice -n shop web"
	say "remove it all with: make demo-down"
}

cmd_down() {
	stop_operator
	"$repo/hack/cluster.sh" down
	rm -rf "$state"
	say "demo removed"
}

case "${1:-}" in
up) cmd_up ;;
down) cmd_down ;;
*)
	sed -n '4,19p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
