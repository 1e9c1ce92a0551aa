package ecsjson

import (
	"encoding"
	"encoding/binary"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"unsafe"
)

// A decodePlan says how the direct decoder (direct.go) fills one Go type:
// what JSON it accepts and where each struct field lives. Plans are built
// once per type from the same json tags encoding/json reads, so the direct
// decoder follows the API types without a hand-kept copy of them.
type decodePlan struct {
	kind valueKind
	typ  reflect.Type
	// elem is the target of a pointer or the element of a slice.
	elem *decodePlan
	// fields are a struct's JSON fields; byLength lists the names of
	// each length.
	fields   []fieldPlan
	byLength [][]fieldName
	// slab numbers the targets of pointers, which the decoder allocates
	// in blocks of slabType, an array type.
	slab     int
	slabType reflect.Type
	// list numbers the slice types, whose lists the decoder carves out
	// of blocks of their own.
	list int
}

type fieldPlan struct {
	name   string
	offset uintptr
	plan   *decodePlan
}

// valueKind is what a plan decodes.
type valueKind uint8

const (
	// kindUnsupported: a type the direct decoder leaves to encoding/json
	// (a custom unmarshaler, an embedded struct, an interface, ...). Input
	// that reaches one is decoded on the diagnostic path instead.
	kindUnsupported valueKind = iota
	kindString
	kindBool
	kindInt32
	kindInt64
	kindFloat64
	kindIntOrString
	kindRawJSON
	kindStringMap
	kindStruct
	kindPointer
	kindSlice
)

// maxPlanFields bounds the fields of a struct the duplicate-key check
// covers with its bit set.
const maxPlanFields = 128

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

	planCache sync.Map // reflect.Type → *decodePlan
	planMu    sync.Mutex
)

// planFor returns the decode plan of t.
func planFor(t reflect.Type) *decodePlan {
	if p, ok := planCache.Load(t); ok {
		return p.(*decodePlan)
	}
	planMu.Lock()
	defer planMu.Unlock()
	building := map[reflect.Type]*decodePlan{}
	p := buildPlan(t, building)
	for typ, plan := range building {
		planCache.LoadOrStore(typ, plan)
	}
	return p
}

func buildPlan(t reflect.Type, building map[reflect.Type]*decodePlan) *decodePlan {
	if p, ok := planCache.Load(t); ok {
		return p.(*decodePlan)
	}
	if p, ok := building[t]; ok {
		return p
	}
	p := &decodePlan{typ: t}
	building[t] = p
	switch {
	case t == intOrStringType:
		p.kind = kindIntOrString
		return p
	case t == rawJSONType:
		p.kind = kindRawJSON
		return p
	case t.Kind() != reflect.Pointer && (reflect.PointerTo(t).Implements(jsonUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)):
		return p
	}
	switch t.Kind() {
	case reflect.String:
		p.kind = kindString
	case reflect.Bool:
		p.kind = kindBool
	case reflect.Int32:
		p.kind = kindInt32
	case reflect.Int64:
		p.kind = kindInt64
	case reflect.Float64:
		p.kind = kindFloat64
	case reflect.Map:
		if t == reflect.TypeFor[map[string]string]() {
			p.kind = kindStringMap
		}
	case reflect.Pointer:
		p.kind = kindPointer
		p.elem = buildPlan(t.Elem(), building)
		if p.elem.kind == kindPointer {
			p.kind = kindUnsupported
		}
		if p.elem.slabType == nil {
			p.elem.slab = len(slabTypes)
			p.elem.slabType = reflect.ArrayOf(slabLength(t.Elem().Size()), t.Elem())
			slabTypes = append(slabTypes, p.elem.slabType)
		}
	case reflect.Slice:
		p.kind = kindSlice
		p.elem = buildPlan(t.Elem(), building)
		p.list = listPlans
		listPlans++
	case reflect.Struct:
		if fields, ok := structPlanFields(t, building); ok {
			p.kind = kindStruct
			p.fields = fields
			names := make(map[string]bool, len(fields))
			for _, f := range fields {
				names[f.name] = true
			}
			if len(names) != len(fields) {
				// encoding/json ignores both of two fields with one name.
				p.kind, p.fields = kindUnsupported, nil
			}
			for i, f := range p.fields {
				if len(f.name) >= len(p.byLength) {
					p.byLength = append(p.byLength, make([][]fieldName, len(f.name)+1-len(p.byLength))...)
				}
				p.byLength[len(f.name)] = append(p.byLength[len(f.name)], fieldName{head: nameHead(f.name), index: i})
			}
		}
	}
	return p
}

// structPlanFields lists the JSON fields of t, or reports false when t
// uses tag features the direct decoder does not implement (embedding,
// ",string", untagged exported fields, which encoding/json would match by
// Go name).
func structPlanFields(t reflect.Type, building map[reflect.Type]*decodePlan) ([]fieldPlan, bool) {
	var out []fieldPlan
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous || !f.IsExported() {
			if f.Anonymous || f.Tag.Get("json") != "" {
				return nil, false
			}
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" && opts == "" {
			continue
		}
		if name == "" || strings.Contains(","+opts+",", ",string,") || strings.Contains(","+opts+",", ",inline,") {
			return nil, false
		}
		out = append(out, fieldPlan{name: name, offset: f.Offset, plan: buildPlan(f.Type, building)})
	}
	if len(out) > maxPlanFields {
		return nil, false
	}
	return out, true
}

// fieldName is a field's name as field looks it up: its first eight
// bytes as a number, and its index in decodePlan.fields.
type fieldName struct {
	head  uint64
	index int
}

// field returns the index of the field named key. Names of one length are
// few, and most differ in their first eight bytes: comparing those as one
// number beats hashing the key.
func (p *decodePlan) field(key string) (int, bool) {
	if len(key) >= len(p.byLength) {
		return 0, false
	}
	head := nameHead(key)
	for _, n := range p.byLength[len(key)] {
		if n.head == head && (len(key) <= 8 || p.fields[n.index].name[8:] == key[8:]) {
			return n.index, true
		}
	}
	return 0, false
}

// nameHead packs the first eight bytes of name (fewer in a shorter one)
// into a number.
func nameHead(name string) uint64 {
	if len(name) >= 8 {
		return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(name), 8))
	}
	var head uint64
	for i := len(name) - 1; i >= 0; i-- {
		head = head<<8 | uint64(name[i])
	}
	return head
}

// slabTypes are the slab types of all plans, by decodePlan.slab.
var slabTypes []reflect.Type

// listPlans counts the slice plans.
var listPlans int

// slabLength is how many values of size bytes a slab holds: about half a
// kilobyte, at least 4 and at most 32.
func slabLength(size uintptr) int {
	return int(min(max(512/max(size, 1), 4), 32))
}

// sliceHeader is the memory layout of a Go slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}
