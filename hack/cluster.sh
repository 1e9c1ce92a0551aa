#!/usr/bin/env bash
# Local Kubernetes v1.37.2 control plane for e2e tests, demos and benchmarks:
# real etcd, kube-apiserver, kube-controller-manager and kube-scheduler run as
# local processes (kwokctl, binary runtime); nodes are fake, kept Ready by the
# kwok controller, and pods on them "run" without containers.
#
# usage: hack/cluster.sh up [--disable-qps-limits] | down | kubeconfig | status
#                        | env | kubectl ARGS... | restart COMPONENT [SIGNAL]
#
#   up          create and start the cluster, add the fake nodes, wait until
#               they are Ready. A running cluster is left as it is. Prints the
#               kubeconfig path on stdout (KUBECONFIG=$(hack/cluster.sh up)).
#   down        delete the cluster and its data.
#   kubeconfig  print the kubeconfig path (exit 1 when there is no cluster).
#   status      describe the cluster; exit 0 only when its API server is ready.
#   env         print `export KUBECONFIG=... PATH=...` for eval.
#   kubectl     run the pinned kubectl against the cluster.
#   restart     kill one component (etcd, kube-apiserver,
#               kube-controller-manager, kube-scheduler, kwok-controller;
#               SIGNAL defaults to KILL) and start it again, for fault tests.
#
# Settings (environment):
#   CLUSTER_NAME        cluster name (default ecs-operator)
#   KWOK_WORKDIR        kwokctl state (default ${XDG_CACHE_HOME:-$HOME/.cache}/ecs-operator/kwok)
#   ZONES               availability zones (default "us-east-1a us-east-1b us-east-1c")
#   INSTANCE_TYPES      EC2 instance types of the nodes
#                       (default "m5.xlarge c5.xlarge m6g.xlarge c6g.xlarge":
#                       general purpose and compute, each on amd64 and arm64)
#   NODES               number of nodes (default: one per zone and type, 12).
#                       Nodes cycle through zones, then types, so any count
#                       stays balanced; use NODES=100 or more for benchmarks.
#   DISABLE_QPS_LIMITS  1 = lift the client QPS limits of the controller
#                       manager and scheduler and the API server's inflight
#                       limits (same as --disable-qps-limits). For benchmarks:
#                       with the defaults the controller manager's 20 QPS
#                       dominates every timing.
#
# Scheduler profiles: default-scheduler, binpack (cpu+memory), binpack-cpu,
# binpack-memory (hack/cluster/scheduler-config.yaml).
# Pods fail on purpose when an image tag is :crashloop or :unready
# (hack/cluster/stages.yaml).
#
# Progress and timings go to stderr. The binaries come from hack/testbed.sh
# (built once, cached); kwokctl gets every one of them explicitly, so it never
# downloads anything.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLUSTER_NAME=${CLUSTER_NAME:-ecs-operator}
export KWOK_WORKDIR=${KWOK_WORKDIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ecs-operator/kwok}
ZONES=${ZONES:-us-east-1a us-east-1b us-east-1c}
INSTANCE_TYPES=${INSTANCE_TYPES:-m5.xlarge c5.xlarge m6g.xlarge c6g.xlarge}
DISABLE_QPS_LIMITS=${DISABLE_QPS_LIMITS:-0}
cluster_dir=$KWOK_WORKDIR/clusters/$CLUSTER_NAME
kubeconfig=$cluster_dir/kubeconfig.yaml

log() { printf 'cluster: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

now() { date +%s.%N; }
# since START: seconds elapsed, one decimal.
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1fs", e - s }'; }

setup_bin() {
	BIN=$("$here/testbed.sh" k8s)
	# kwok and kwokctl are built by the full test bed; build them if absent.
	if [ ! -x "$BIN/kwokctl" ] || [ ! -x "$BIN/kwok" ]; then
		BIN=$("$here/testbed.sh" all)
	fi
	# `kwokctl kubectl` runs whichever kubectl comes first on PATH.
	export PATH=$BIN:$PATH
	export KWOK_KUBECTL_BINARY=$BIN/kubectl
}

kc() { "$BIN/kubectl" --kubeconfig "$kubeconfig" "$@"; }

api_ready() {
	[ -f "$kubeconfig" ] && kc get --raw /readyz --request-timeout=5s >/dev/null 2>&1
}

# Serialise up/down/restart of one cluster: several test runs may share it.
# The lock is fd 9; every command that leaves processes behind (kwokctl
# create/start fork the control plane) must run with 9>&- or those processes
# would hold the lock for as long as the cluster runs.
lock() {
	command -v flock >/dev/null || return 0
	mkdir -p "$KWOK_WORKDIR/locks"
	exec 9>"$KWOK_WORKDIR/locks/$CLUSTER_NAME"
	flock -w 600 9 || die "waited 10 minutes for $KWOK_WORKDIR/locks/$CLUSTER_NAME"
}

# Stage files: kwok's defaults from the module of the kwok binary in use
# (kwokctl drops its built-in defaults as soon as any Stage is configured),
# then ours.
stage_configs() {
	local version dir
	version=$("$BIN/kwok" --version | awk '{print $3}')
	dir=$(go env GOMODCACHE)/sigs.k8s.io/kwok@$version
	if [ ! -d "$dir/kustomize/stage" ]; then
		dir=$(cd "${TMPDIR:-/tmp}" && go mod download -json "sigs.k8s.io/kwok@$version" |
			sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	fi
	[ -d "$dir/kustomize/stage" ] || die "kwok $version stages not found (go mod download sigs.k8s.io/kwok@$version)"
	local f
	for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
		pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
		printf -- '-c\n%s\n' "$dir/kustomize/stage/$f"
	done
	printf -- '-c\n%s\n' "$here/cluster/stages.yaml"
}

# instance_spec TYPE: "ARCH VCPUS MEMORY_GIB MAX_PODS" for the families the
# test bed knows (m/c/r, Intel/AMD or Graviton), sizes large..8xlarge.
# Max pods follow the EKS VPC CNI limits (ENIs x IPs per ENI).
instance_spec() {
	local family=${1%%.*} size=${1#*.} arch=amd64 vcpus mem_per_vcpu pods
	case $family in
	*g | *gd | *gn) arch=arm64 ;;
	esac
	case $size in
	large) vcpus=2 pods=29 ;;
	xlarge) vcpus=4 pods=58 ;;
	2xlarge) vcpus=8 pods=58 ;;
	4xlarge) vcpus=16 pods=234 ;;
	8xlarge) vcpus=32 pods=234 ;;
	*) die "instance type $1: unknown size $size (large..8xlarge)" ;;
	esac
	case $family in
	m*) mem_per_vcpu=4 ;;
	c*) mem_per_vcpu=2 ;;
	r*) mem_per_vcpu=8 ;;
	*) die "instance type $1: unknown family $family (m*, c*, r*)" ;;
	esac
	echo "$arch $vcpus $((vcpus * mem_per_vcpu)) $pods"
}

# nodes_yaml FROM TO: fake nodes FROM..TO-1 as one v1 List. Capacity is the instance's;
# allocatable subtracts what the EKS AMI reserves (kube-reserved CPU by core
# count, 255Mi + 11Mi per pod of memory, 100Mi eviction threshold).
nodes_yaml() {
	local from=$1 to=$2 zones types nz nt i zone type arch vcpus mem pods cpu_res mem_alloc name ip cidr
	read -r -a zones <<<"$ZONES"
	read -r -a types <<<"$INSTANCE_TYPES"
	nz=${#zones[@]} nt=${#types[@]}
	echo "apiVersion: v1"
	echo "kind: List"
	echo "items:"
	for ((i = from; i < to; i++)); do
		zone=${zones[i % nz]}
		type=${types[(i / nz) % nt]}
		read -r arch vcpus mem pods <<<"$(instance_spec "$type")"
		# 6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% above.
		cpu_res=$((60 + (vcpus > 1 ? 10 : 0) + (vcpus > 2 ? 5 * ((vcpus > 4 ? 4 : vcpus) - 2) : 0) + (vcpus > 4 ? (vcpus - 4) * 25 / 10 : 0)))
		mem_alloc=$((mem * 1024 - 255 - 11 * pods - 100))
		name=kwok-$zone-${type//./-}-$((i / (nz * nt)))
		# One subnet per availability zone, as in a VPC.
		ip=10.$((i % nz)).$(((i / nz) / 250)).$(((i / nz) % 250 + 4))
		# kwok takes pod IPs from the node's podCIDR (else all nodes share
		# one /24, which runs out at 254 pods).
		cidr=10.$((128 + i / 256)).$((i % 256)).0/24
		cat <<EOF
- apiVersion: v1
  kind: Node
  metadata:
    name: $name
    annotations:
      kwok.x-k8s.io/node: fake
      node.alpha.kubernetes.io/ttl: "0"
    labels:
      type: kwok
      kubernetes.io/hostname: $name
      kubernetes.io/os: linux
      kubernetes.io/arch: $arch
      node.kubernetes.io/instance-type: $type
      topology.kubernetes.io/region: ${zone%[a-z]}
      topology.kubernetes.io/zone: $zone
      eks.amazonaws.com/capacityType: ON_DEMAND
      eks.amazonaws.com/nodegroup: ${type//./-}
  spec:
    podCIDR: $cidr
    podCIDRs: [$cidr]
  status:
    addresses:
    - {type: InternalIP, address: $ip}
    - {type: Hostname, address: $name}
    capacity: {cpu: "$vcpus", memory: ${mem}Gi, pods: "$pods", ephemeral-storage: 20Gi}
    allocatable: {cpu: $((vcpus * 1000 - cpu_res))m, memory: ${mem_alloc}Mi, pods: "$pods", ephemeral-storage: 18Gi}
    nodeInfo:
      architecture: $arch
      operatingSystem: linux
      osImage: Amazon Linux 2023
      kernelVersion: 6.12.46-66.121.amzn2023.$([ "$arch" = arm64 ] && echo aarch64 || echo x86_64)
      containerRuntimeVersion: containerd://2.1.4
      kubeletVersion: $k8s_version
      kubeProxyVersion: ""
      machineID: ""
      systemUUID: ""
      bootID: ""
EOF
	done
}

# create_nodes COUNT: kubectl applies one object per request, so large node
# counts go in parallel batches. --validate=false: the API server validates
# anyway, and kubectl's own validation first downloads the OpenAPI schema,
# which a fresh API server takes seconds to build.
create_nodes() {
	local count=$1 batch=50 from pids=() pid failed=0
	for ((from = 0; from < count; from += batch)); do
		nodes_yaml "$from" $((from + batch < count ? from + batch : count)) |
			kc apply --server-side --validate=false --field-manager=ecs-operator-testbed -f - >/dev/null &
		pids+=($!)
		if [ ${#pids[@]} -ge 4 ]; then
			wait "${pids[0]}" || failed=1
			pids=("${pids[@]:1}")
		fi
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || failed=1
	done
	return $failed
}

# wait_nodes_ready COUNT: poll with one list request (kubectl wait would
# watch each node in turn: 13 s for 120 Ready nodes). Gives up after 2
# minutes plus 1 s per 5 nodes.
wait_nodes_ready() {
	local want=$1 ready deadline=$((SECONDS + 120 + $1 / 5))
	while :; do
		ready=$(kc get nodes -l type=kwok -o jsonpath='{range .items[*]}{range .status.conditions[?(@.type=="Ready")]}{.status}{"\n"}{end}{end}' |
			grep -c '^True$' || true)
		[ "$ready" -ge "$want" ] && return 0
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.3
	done
}

node_count() {
	local nz nt
	nz=$(wc -w <<<"$ZONES") nt=$(wc -w <<<"$INSTANCE_TYPES")
	echo "${NODES:-$((nz * nt))}"
}

create() {
	local start t count sched
	start=$(now)
	count=$(node_count)
	[ "$count" -gt 0 ] && [ "$count" -le 32768 ] || die "NODES must be 1..32768"
	local type
	for type in $INSTANCE_TYPES; do
		instance_spec "$type" >/dev/null # dies on a type it does not know
	done
	k8s_version=$("$BIN/kube-apiserver" --version | awk '{print $2}')

	# kwokctl copies the scheduler config into the cluster's directory.
	sched=$KWOK_WORKDIR/$CLUSTER_NAME.scheduler-config.yaml
	cp "$here/cluster/scheduler-config.yaml" "$sched"
	# Only one scheduler and controller manager run, and nothing restarts
	# them as a kubelet would: with leader election they exit for good when
	# the API server is away longer than the renew deadline (10 s), e.g.
	# during `restart kube-apiserver`.
	local flags=(--extra-args kube-scheduler=leader-elect=false --extra-args kube-controller-manager=leader-elect=false)
	# The API server's default Service range is a /24: 250 ClusterIPs, fewer
	# than a benchmark or a real cluster with hundreds of services needs.
	flags+=(--extra-args kube-apiserver=service-cluster-ip-range=10.96.0.0/16)
	if [ "$DISABLE_QPS_LIMITS" = 1 ]; then
		# With --config, kube-scheduler ignores --kube-api-qps/--kube-api-burst
		# (which is all kwokctl's --disable-qps-limits sets for it).
		printf 'clientConnection:\n  qps: 5000\n  burst: 10000\n' >>"$sched"
		flags+=(--disable-qps-limits)
	fi
	mapfile -t configs < <(stage_configs)

	log "creating $CLUSTER_NAME (Kubernetes $k8s_version, $count nodes$([ "$DISABLE_QPS_LIMITS" = 1 ] && echo ", no QPS limits")) in $KWOK_WORKDIR"
	t=$(now)
	kwokctl "${configs[@]}" create cluster --name "$CLUSTER_NAME" --runtime binary \
		--etcd-binary "$BIN/etcd" \
		--kube-apiserver-binary "$BIN/kube-apiserver" \
		--kube-controller-manager-binary "$BIN/kube-controller-manager" \
		--kube-scheduler-binary "$BIN/kube-scheduler" \
		--kwok-controller-binary "$BIN/kwok" \
		--kube-scheduler-config "$sched" \
		--kubeconfig "" --wait 2m "${flags[@]}" >"$KWOK_WORKDIR/$CLUSTER_NAME.create.log" 2>&1 9>&- ||
		{
			cat "$KWOK_WORKDIR/$CLUSTER_NAME.create.log" >&2
			die "kwokctl create cluster failed"
		}
	rm -f "$sched"
	log "control plane ready in $(since "$t")"

	t=$(now)
	# A cluster without its nodes would pass for a running one: remove it.
	create_nodes "$count" || {
		delete
		die "creating the nodes failed"
	}
	log "$count nodes created in $(since "$t")"
	wait_nodes_ready "$count" || {
		delete
		die "nodes did not become Ready in time"
	}
	log "$count nodes Ready in $(since "$t")"
	ensure_components || die "control-plane components stopped and could not be restarted (see $cluster_dir/logs)"
	log "up in $(since "$start")"
}

cmd_up() {
	while [ $# -gt 0 ]; do
		case $1 in
		--disable-qps-limits) DISABLE_QPS_LIMITS=1 ;;
		*) die "up: unknown flag $1" ;;
		esac
		shift
	done
	local start
	start=$(now)
	setup_bin
	lock
	if api_ready; then
		local have
		have=$(kc get nodes -l type=kwok -o name | wc -l)
		[ -z "${NODES:-}" ] || [ "$have" = "$NODES" ] ||
			log "warning: running cluster has $have nodes, not NODES=$NODES (run down first to change it)"
		ensure_components || die "control-plane components stopped and could not be restarted (see $cluster_dir/logs)"
		log "$CLUSTER_NAME is already running ($have nodes), checked in $(since "$start")"
	elif [ -d "$cluster_dir" ]; then
		# Left over from a stopped machine or killed processes: try to start
		# it again, else recreate it.
		log "$CLUSTER_NAME exists but is not running; starting it"
		clear_dead_pids
		if kwokctl start cluster --name "$CLUSTER_NAME" --wait 1m >/dev/null 2>&1 9>&- && api_ready; then
			wait_nodes_ready "$(kc get nodes -l type=kwok -o name | wc -l)" || die "nodes did not become Ready in time"
			log "started in $(since "$start")"
		else
			log "could not start it; recreating"
			delete
			create
		fi
	else
		create
	fi
	echo "$kubeconfig"
}

delete() {
	kwokctl delete cluster --name "$CLUSTER_NAME" >/dev/null 2>&1 || true
	rm -rf "$cluster_dir"
	rm -f "$KWOK_WORKDIR/$CLUSTER_NAME.create.log" "$KWOK_WORKDIR/$CLUSTER_NAME.scheduler-config.yaml"
}

cmd_down() {
	local start
	start=$(now)
	setup_bin
	lock
	if [ ! -d "$cluster_dir" ]; then
		log "$CLUSTER_NAME does not exist"
		return
	fi
	delete
	log "$CLUSTER_NAME deleted in $(since "$start")"
}

# pid_alive PID: the process exists and is not a zombie. Killed components
# can stay zombies where nothing reaps orphans (some container inits), and
# kwokctl would take them for running.
pid_alive() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$state" != Z ]
}

clear_dead_pids() {
	local f
	for f in "$cluster_dir"/pids/*.pid; do
		[ -e "$f" ] || continue
		pid_alive "$(cat "$f")" || rm -f "$f"
	done
}

# ensure_components restarts any control-plane process that is not
# running. kube-controller-manager and kube-scheduler give up for good when
# the API server is not healthy within about 20 s of their start, which
# happens on a loaded machine; nothing restarts them as a kubelet would, and
# Deployments would then never get pods.
ensure_components() {
	local f dead=()
	for f in "$cluster_dir"/pids/*.pid; do
		[ -e "$f" ] || continue
		pid_alive "$(cat "$f")" || dead+=("$(basename "$f" .pid)")
	done
	[ ${#dead[@]} -eq 0 ] && return 0
	log "restarting stopped components: ${dead[*]}"
	clear_dead_pids
	kwokctl start cluster --name "$CLUSTER_NAME" >/dev/null 2>&1 9>&- || return 1
	for _ in $(seq 600); do
		api_ready && return 0
		sleep 0.1
	done
	return 1
}

cmd_restart() {
	local component=${1:?usage: restart COMPONENT [SIGNAL]} signal=${2:-KILL} pidfile pid start
	start=$(now)
	setup_bin
	lock
	pidfile=$cluster_dir/pids/$component.pid
	[ -f "$pidfile" ] || die "no running component $component in $CLUSTER_NAME (see $cluster_dir/pids)"
	pid=$(cat "$pidfile")
	kill -s "$signal" "$pid" 2>/dev/null || true
	for _ in $(seq 300); do
		pid_alive "$pid" || break
		sleep 0.1
	done
	pid_alive "$pid" && die "$component (pid $pid) did not exit after SIG$signal"
	rm -f "$pidfile"
	log "$component (pid $pid) stopped with SIG$signal after $(since "$start")"
	clear_dead_pids
	# kwokctl starts only the components that are not running. Its --wait
	# polls the whole cluster slowly; readyz is enough here.
	kwokctl start cluster --name "$CLUSTER_NAME" >/dev/null 2>&1 9>&- || die "kwokctl start cluster failed"
	for _ in $(seq 600); do
		api_ready && break
		sleep 0.1
	done
	api_ready || die "API server not ready a minute after restarting $component"
	log "$component restarted (pid $(cat "$pidfile")) in $(since "$start")"
}

cmd_kubeconfig() {
	[ -f "$kubeconfig" ] || die "cluster $CLUSTER_NAME does not exist (hack/cluster.sh up)"
	echo "$kubeconfig"
}

cmd_status() {
	setup_bin
	echo "cluster:    $CLUSTER_NAME"
	echo "workdir:    $cluster_dir"
	if [ ! -d "$cluster_dir" ]; then
		echo "state:      absent"
		return 1
	fi
	echo "kubeconfig: $kubeconfig"
	local f
	for f in "$cluster_dir"/pids/*.pid; do
		[ -e "$f" ] || continue
		printf '%-12s%s pid %s %s\n' "" "$(basename "$f" .pid)" "$(cat "$f")" \
			"$(pid_alive "$(cat "$f")" && echo running || echo dead)"
	done
	if ! api_ready; then
		echo "state:      not running (API server not ready)"
		return 1
	fi
	echo "state:      running"
	echo "nodes:      $(kc get nodes -l type=kwok --no-headers 2>/dev/null | awk '$2 == "Ready" {r++} END {printf "%d/%d Ready", r, NR}')"
}

cmd_env() {
	setup_bin >/dev/null
	printf 'export KUBECONFIG=%q\nexport PATH=%q:"$PATH"\n' "$kubeconfig" "$BIN"
}

case "${1:-}" in
up)
	shift
	cmd_up "$@"
	;;
down) cmd_down ;;
kubeconfig) cmd_kubeconfig ;;
status) cmd_status ;;
env) cmd_env ;;
kubectl)
	shift
	setup_bin
	kc "$@"
	;;
restart)
	shift
	cmd_restart "$@"
	;;
*)
	sed -n '7,21p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
