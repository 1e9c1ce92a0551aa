package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/ecs-operator/ecs-operator/internal/placement"
	"github.com/ecs-operator/ecs-operator/internal/translate"
)

// nodeInventory is the set of node label values that =~ / !~ placement
// expressions expand against. It is rebuilt from the node cache only when
// a node is added, removed or relabelled, not on every reconcile.
type nodeInventory struct {
	reader client.Reader

	mu          sync.Mutex
	built       bool
	fingerprint string
	inventory   translate.NodeInventory
}

// get returns the current inventory.
func (n *nodeInventory) get(ctx context.Context) (translate.NodeInventory, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.built {
		if _, err := n.rebuildLocked(ctx); err != nil {
			return nil, err
		}
	}
	return n.inventory, nil
}

// refresh rebuilds the inventory and reports whether it changed.
func (n *nodeInventory) refresh(ctx context.Context) (bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.rebuildLocked(ctx)
}

func (n *nodeInventory) rebuildLocked(ctx context.Context) (bool, error) {
	var nodes corev1.NodeList
	if err := n.reader.List(ctx, &nodes, client.UnsafeDisableDeepCopy); err != nil {
		return false, err
	}
	inventory := translate.NodeInventory(placement.InventoryFromNodes(nodes.Items))
	data, _ := json.Marshal(inventory)
	sum := sha256.Sum256(data)
	fingerprint := hex.EncodeToString(sum[:])
	changed := n.built && fingerprint != n.fingerprint
	n.built = true
	n.fingerprint = fingerprint
	n.inventory = inventory
	return changed, nil
}

// nodeLabelsChanged passes node events that can change the inventory.
var nodeLabelsChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		return !maps.Equal(e.ObjectOld.GetLabels(), e.ObjectNew.GetLabels())
	},
	GenericFunc: func(event.GenericEvent) bool { return false },
}

// nodeCapacityChanged passes node events that can change a cluster's
// registered container instances: labels or readiness.
var nodeCapacityChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		oldNode, okOld := e.ObjectOld.(*corev1.Node)
		newNode, okNew := e.ObjectNew.(*corev1.Node)
		if !okOld || !okNew {
			return true
		}
		return !maps.Equal(oldNode.Labels, newNode.Labels) || nodeReady(oldNode) != nodeReady(newNode)
	},
	GenericFunc: func(event.GenericEvent) bool { return false },
}

func nodeReady(node *corev1.Node) bool {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
