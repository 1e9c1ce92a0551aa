package ecsjson

import (
	"reflect"
	"unsafe"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// Short lists of small items (names, environment entries, port mappings,
// mount points, ...) are many in every task definition. Instead of one
// allocation each, the decoder carves them out of blocks of their item
// type, as it does strings out of its arena: a carved list has no spare
// capacity, and a block is only ever written past the lists handed out,
// so lists never share items.

// listCarver copies decoded items into a carved list.
type listCarver interface {
	// newBlocks returns the blocks of one decoder, a *[]T.
	newBlocks() any
	// carve copies the n items of the list at from, a *[]T, into a
	// list carved from blocks and stores that list at to, a *[]T.
	carve(blocks any, from, to unsafe.Pointer)
}

// listBlockBytes is about the size of a block of list items.
const listBlockBytes = 1024

// maxCarvedItemBytes bounds the item size of carved lists; lists of
// larger items take blocks quickly and gain little.
const maxCarvedItemBytes = 128

type carver[T any] struct{}

func (carver[T]) newBlocks() any { return new([]T) }

func (carver[T]) carve(blocks any, from, to unsafe.Pointer) {
	block := blocks.(*[]T)
	items := *(*[]T)(from)
	if cap(*block)-len(*block) < len(items) {
		var item T
		*block = make([]T, 0, max(len(items), listBlockBytes/max(int(unsafe.Sizeof(item)), 1)))
	}
	start := len(*block)
	*block = append(*block, items...)
	*(*[]T)(to) = (*block)[start:len(*block):len(*block)]
}

// listCarvers are the list types carved, by slice type. Types missing
// here are decoded all the same, each list allocated on its own.
var listCarvers = map[reflect.Type]listCarver{
	reflect.TypeFor[[]string]():                    carver[string]{},
	reflect.TypeFor[[]int32]():                     carver[int32]{},
	reflect.TypeFor[[]ecsv1.KeyValuePair]():        carver[ecsv1.KeyValuePair]{},
	reflect.TypeFor[[]ecsv1.Tag]():                 carver[ecsv1.Tag]{},
	reflect.TypeFor[[]ecsv1.PortMapping]():         carver[ecsv1.PortMapping]{},
	reflect.TypeFor[[]ecsv1.MountPoint]():          carver[ecsv1.MountPoint]{},
	reflect.TypeFor[[]ecsv1.VolumeFrom]():          carver[ecsv1.VolumeFrom]{},
	reflect.TypeFor[[]ecsv1.Secret]():              carver[ecsv1.Secret]{},
	reflect.TypeFor[[]ecsv1.ContainerDependency](): carver[ecsv1.ContainerDependency]{},
	reflect.TypeFor[[]ecsv1.HostEntry]():           carver[ecsv1.HostEntry]{},
	reflect.TypeFor[[]ecsv1.Ulimit]():              carver[ecsv1.Ulimit]{},
	reflect.TypeFor[[]ecsv1.SystemControl]():       carver[ecsv1.SystemControl]{},
	reflect.TypeFor[[]ecsv1.ResourceRequirement](): carver[ecsv1.ResourceRequirement]{},
	reflect.TypeFor[[]ecsv1.EnvironmentFile]():     carver[ecsv1.EnvironmentFile]{},
	reflect.TypeFor[[]ecsv1.PlacementConstraint](): carver[ecsv1.PlacementConstraint]{},
	reflect.TypeFor[[]ecsv1.Attribute]():           carver[ecsv1.Attribute]{},
}
