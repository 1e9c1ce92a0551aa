package placement

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// InventoryFromNodes collects the label values of nodes: label key →
// sorted, distinct values. =~ / !~ constraints expand against it, so the
// controller rebuilds it when nodes change and the CLI reads it from
// `kubectl get nodes -o json` (--nodes FILE).
func InventoryFromNodes(nodes []corev1.Node) map[string][]string {
	inventory := map[string][]string{}
	for _, n := range nodes {
		for k, v := range n.Labels {
			inventory[k] = append(inventory[k], v)
		}
	}
	for k, values := range inventory {
		slices.Sort(values)
		inventory[k] = slices.Compact(values)
	}
	return inventory
}
