#!/usr/bin/env bash
# Builds the pinned local test bed from Go modules and prints the directory
# holding the binaries:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
#   (Kubernetes v1.37.2), kwok + kwokctl (v0.8.0) and helm (v4.3.1).
# Binaries are cached by version under
#   ${XDG_CACHE_HOME:-$HOME/.cache}/ecs-operator/k8s-<version>/bin
# so a second run returns at once. Progress goes to stderr; the only line on
# stdout is the bin directory, so callers can do BIN=$(hack/testbed.sh).
set -euo pipefail

K8S_VERSION=v1.37.2
KWOK_VERSION=v0.8.0
HELM_VERSION=v4.3.1

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ecs-operator
bin=$cache/k8s-$K8S_VERSION/bin
mkdir -p "$bin"

log() { printf 'testbed: %s\n' "$*" >&2; }

# has NAME PATTERN: NAME exists in bin and `NAME --version` mentions PATTERN.
# The output is captured first: with pipefail, `NAME | grep -q` fails when
# grep exits before NAME has written everything (SIGPIPE), which made cached
# binaries look stale and get rebuilt.
has() {
	local out
	[ -x "$bin/$1" ] && out=$("$bin/$1" ${3:---version} 2>/dev/null) && grep -q -- "$2" <<<"$out"
}

k8s_ldflags() {
	local ldf="-s -w" minor=${K8S_VERSION#v1.}
	minor=${minor%%.*}
	# Both packages carry a version: component-base is what the binaries
	# report (kwokctl parses it to choose flags), client-go's copy goes into
	# the User-Agent.
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		ldf="$ldf -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
	done
	echo "$ldf"
}

build_k8s() {
	local ldf name pkg
	ldf=$(k8s_ldflags)
	# Order matters only for timing: the first binary pays for the shared
	# packages (a few minutes cold).
	for spec in etcd=go.etcd.io/etcd/server/v3 \
		kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler \
		kubectl=k8s.io/kubernetes/cmd/kubectl \
		kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
		kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver; do
		name=${spec%%=*} pkg=${spec#*=}
		if [ "$name" = etcd ] && has etcd "etcd Version: 3.7.0"; then continue; fi
		if [ "$name" = kubectl ] && has kubectl "$K8S_VERSION" "version --client"; then continue; fi
		if [ "$name" != etcd ] && [ "$name" != kubectl ] && has "$name" "$K8S_VERSION"; then continue; fi
		log "building $name $( [ "$name" = etcd ] && echo 3.7.0 || echo "$K8S_VERSION")"
		(cd "$here/testbed" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldf" -o "$bin/$name.tmp" "$pkg")
		mv "$bin/$name.tmp" "$bin/$name"
	done
}

build_kwok() {
	if has kwok "$KWOK_VERSION" && has kwokctl "$KWOK_VERSION"; then return; fi
	log "installing kwok and kwokctl $KWOK_VERSION"
	GOBIN=$bin CGO_ENABLED=0 go install -trimpath \
		sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION
}

build_helm() {
	if has helm "$HELM_VERSION" version; then return; fi
	log "installing helm $HELM_VERSION"
	# Without the ldflag `helm version` reports only the minor version.
	GOBIN=$bin CGO_ENABLED=0 go install -trimpath \
		-ldflags "-X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
		helm.sh/helm/v4/cmd/helm@$HELM_VERSION
}

case "${1:-all}" in
k8s) build_k8s ;;
all)
	build_k8s
	build_kwok
	build_helm
	;;
*)
	echo "usage: $0 [all|k8s]" >&2
	exit 2
	;;
esac
echo "$bin"
