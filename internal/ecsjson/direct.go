package ecsjson

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// The direct path decodes well-formed input in one pass straight into the
// API types, guided by the decode plans (plan.go). It gives up on anything
// unusual (a syntax or type error, a duplicate key, invalid UTF-8, an
// unpaired surrogate escape, a shape Decode rejects) and Decode then runs
// the diagnostic path, which finds and explains every problem. Where both
// succeed they return the same Documents; TestDirectMatchesDiagnosticPath
// and FuzzDirectMatchesDiagnosticPath hold them to it.

// errNotDirect says the direct path gave up.
var errNotDirect = errors.New("not decodable on the direct path")

// decodeDirect decodes data on the direct path, reporting false when it
// gave up.
func decodeDirect(data []byte) ([]Document, bool) {
	d := directDecoders.Get().(*directDecoder)
	defer d.release()
	d.reset(data)
	guess, guessed := d.shapeByFirstKey()
	if guessed {
		// Most files are bare task definitions or describe output: decode
		// the input as the first key suggests straight away, then check
		// its top-level keys say so, as shape would have beforehand.
		docs, err := guess.decode(d)
		if s, ok := shapeOf(d.top); err == nil && ok && sameShape(s, guess) {
			return docs, true
		}
		d.reset(data)
	}
	s, ok := d.shape()
	if !ok || (guessed && sameShape(s, guess)) {
		// A second decode in the same shape would fail again.
		return nil, false
	}
	if s.containersOnly {
		// As on the diagnostic path, the fragment is decoded as the task
		// definition it belongs to.
		d.reset(append(append([]byte(`{"containerDefinitions":`), data...), '}'))
	}
	docs, err := s.decode(d)
	return docs, err == nil
}

func sameShape(a, b shape) bool {
	return a.goType == b.goType && a.containersOnly == b.containersOnly
}

// shapeByFirstKey guesses the shape of the input from the first key of
// its object: a task definition's key or the taskDefinition of describe
// output.
func (d *directDecoder) shapeByFirstKey() (shape, bool) {
	if d.peek() != '{' {
		return shape{}, false
	}
	start := d.pos
	defer func() { d.pos = start }()
	d.pos++
	if d.peek() != '"' {
		return shape{}, false
	}
	key, ok := d.view()
	switch {
	case !ok:
		return shape{}, false
	case taskDefinitionFields[key]:
		return shape{goType: taskDefinitionType, decode: decodeTaskDefinitionObject}, true
	case key == "taskDefinition":
		return shape{goType: describeTaskDefinitionType, decode: decodeDescribeTaskDefinition}, true
	}
	return shape{}, false
}

// directDecoders keeps decoders and their buffers between calls.
var directDecoders = sync.Pool{New: func() any { return new(directDecoder) }}

// reset prepares d to decode data. The arena and the slabs are kept: what
// is left of them serves the next document.
func (d *directDecoder) reset(data []byte) {
	d.data, d.pos, d.depth = data, 0, 0
	d.path = d.pathBuf[:0]
	d.top = d.topBuf[:0]
	d.problems = d.problems[:0]
	d.hits = d.hits[:0]
	d.hitSegments = d.hitSegments[:0]
}

// release returns d to the pool, letting go of the input.
func (d *directDecoder) release() {
	d.data = nil
	// The members hold views of the input; only those written need
	// clearing.
	clear(d.topBuf[:min(d.topWritten, len(d.topBuf))])
	d.topWritten = 0
	clear(d.hits)
	clear(d.hitSegments)
	clear(d.inside)
	directDecoders.Put(d)
}

// shape recognises the shape of the input from its top-level keys, as
// detectShape does from the parsed tree. It reports false for the shapes
// detectShape rejects, leaving their messages to it.
func (d *directDecoder) shape() (shape, bool) {
	switch d.peek() {
	case '{':
		members, ok := d.topMembers()
		if !ok {
			return shape{}, false
		}
		return shapeOf(members)
	case '[':
		// Every item must be a container definition: an object without
		// containerDefinitions of its own.
		d.pos++
		if d.peek() == ']' {
			return shape{}, false
		}
		for {
			if d.peek() != '{' {
				return shape{}, false
			}
			members, ok := d.topMembers()
			if !ok || members.kind("containerDefinitions") != 0 {
				return shape{}, false
			}
			switch d.peek() {
			case ',':
				d.pos++
			case ']':
				return shape{goType: taskDefinitionType, containersOnly: true, decode: decodeContainerDefinitionsArray}, true
			default:
				return shape{}, false
			}
		}
	}
	return shape{}, false
}

// topMembers reads the keys of the object at d.pos and the kind of each
// value, jumping over the values without checking them: the typed decode
// that follows checks everything.
func (d *directDecoder) topMembers() (members, bool) {
	d.pos++ // {
	out := d.top[:0]
	if d.peek() == '}' {
		d.pos++
		return out, true
	}
	for {
		if d.peek() != '"' {
			return nil, false
		}
		key, ok := d.view()
		if !ok || d.peek() != ':' || out.kind(key) != 0 {
			return nil, false
		}
		d.pos++
		m := member{key: key, kind: jsonKindByte(d.peek())}
		if m.kind == '[' {
			start := d.pos
			d.pos++
			m.empty = d.peek() == ']'
			d.pos = start
		}
		if !d.jump() {
			return nil, false
		}
		out = append(out, m)
		d.topWritten = max(d.topWritten, len(out))
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return out, true
		default:
			return nil, false
		}
	}
}

// noteTopMember records a key of the top-level object and the kind of
// its value, which starts at d.pos. A repeated key is left to the
// diagnostic path.
func (d *directDecoder) noteTopMember(key string) bool {
	if d.top.kind(key) != 0 {
		return false
	}
	m := member{key: key, kind: jsonKindByte(d.peek())}
	if m.kind == '[' {
		i := d.pos + 1
		for i < len(d.data) && isJSONSpace(d.data[i]) {
			i++
		}
		m.empty = i < len(d.data) && d.data[i] == ']'
	}
	d.top = append(d.top, m)
	d.topWritten = max(d.topWritten, len(d.top))
	return true
}

func isJSONSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r'
}

// jsonKindByte sorts a value by its first byte: '{', '[', '"', 'n' (null)
// or '0' (a number or boolean).
func jsonKindByte(c byte) byte {
	switch c {
	case '{', '[', '"', 'n':
		return c
	}
	return '0'
}

// directDecoder is the state of one direct decode.
type directDecoder struct {
	data []byte
	pos  int
	// path is where the decoder is, for key problems and template notes.
	path    []segment
	pathBuf [16]segment
	// top are the keys of the input's top-level object.
	top    members
	topBuf [32]member
	// topWritten is how many members of topBuf were written since the
	// decoder was taken from the pool.
	topWritten int
	problems   []keyProblem
	// hits are the string values that may be template placeholders; their
	// paths are slices of hitSegments. inside is templateDiagnostics'
	// scratch list.
	hits        []templateHit
	hitSegments []segment
	inside      []templateHit
	depth       int
	// placeholder: the string just read holds '{', '<' or '$'.
	placeholder bool

	// arena holds the decoded strings, which are carved out of it instead
	// of being allocated one by one. Only its unused end is ever written,
	// so the strings handed out never change.
	arena []byte

	// lists are the blocks lists are carved out of, by decodePlan.list.
	lists []listBlock

	// slabs hold the targets of pointers, by decodePlan.slab: optional
	// scalars and blocks are pointers in the API types, and carving them
	// out of small arrays saves allocating each.
	slabs []slab
}

// templateHit is a string value that looks like an unrendered
// placeholder: strongly, or as shell and brace placeholders do, which
// commands may hold legitimately.
type templateHit struct {
	path   []segment
	value  string
	strong bool
}

// arenaSize is the size of the arena's blocks; a task definition's
// strings take about a third of one.
const arenaSize = 4096

// maxSkipDepth bounds the nesting of unknown and raw JSON values the
// direct path walks; deeper input goes to encoding/json, which has its own
// limit and error.
const maxSkipDepth = 1000

func (d *directDecoder) unmarshal(v any) ([]keyProblem, error) {
	target := reflect.ValueOf(v)
	plan := planFor(target.Type().Elem())
	d.pos = 0
	if !d.value(plan, target.UnsafePointer()) || !d.atEnd() {
		return nil, errNotDirect
	}
	return d.problems, nil
}

// templateDiagnostics appends to dst the notes the hits inside the
// document at docPath make, as templateDiagnostics makes them from the
// decoded document and in its order: read-only describe fields, removed
// from spec, are left out; the describe output's tags count when they were
// taken over. Paths and messages are kept in the arena.
func (d *directDecoder) templateDiagnostics(dst []Diagnostic, spec any, docPath string, outerTags bool) []Diagnostic {
	if len(d.hits) == 0 {
		return dst
	}
	readOnly := readOnlyTaskDefinitionFields
	if _, isService := spec.(*ecsv1.ECSServiceSpec); isService {
		readOnly = readOnlyServiceFields
	}
	var prefix []segment
	if docPath != "" {
		prefix = pathSegments(docPath)
	}
	inside := d.inside[:0]
	for _, h := range d.hits {
		rel, ok := cutSegments(h.path, prefix)
		if !ok && outerTags && len(h.path) > 0 && h.path[0] == (segment{key: "tags", index: -1}) {
			rel, ok = h.path, true
		}
		if !ok || len(rel) == 0 || (rel[0].index < 0 && readOnly[rel[0].key]) {
			continue
		}
		h.path = rel
		inside = append(inside, h)
	}
	d.inside = inside
	slices.SortStableFunc(inside, func(a, b templateHit) int { return compareWalkOrder(a.path, b.path) })
	var room [256]byte
	for _, h := range inside {
		path := appendWalkPath(room[:0], h.path)
		// The path is looked at in place and copied only for a note.
		if h.strong || !isCommandItem(unsafe.String(unsafe.SliceData(path), len(path))) {
			kept := d.keepBytes(path)
			message := d.keepBytes(appendTemplateMessage(room[:0], h.value))
			dst = append(dst, Diagnostic{Path: kept, Severity: Info, Message: message})
		}
	}
	return dst
}

// cutSegments strips prefix from path.
func cutSegments(path, prefix []segment) ([]segment, bool) {
	if len(path) < len(prefix) || !slices.Equal(path[:len(prefix)], prefix) {
		return nil, false
	}
	return path[len(prefix):], true
}

// compareWalkOrder orders paths as walkStrings visits them: object keys in
// sorted order, array items by index.
func compareWalkOrder(a, b []segment) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if x.index != y.index {
			return x.index - y.index
		}
		if c := strings.Compare(x.key, y.key); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

// appendWalkPath appends a path formatted as walkStrings does, with
// joinPath, to b, which must be empty.
func appendWalkPath(b []byte, segs []segment) []byte {
	for _, s := range segs {
		switch {
		case s.index >= 0:
			b = append(strconv.AppendInt(append(b, '['), int64(s.index), 10), ']')
		case len(b) == 0:
			b = append(b, s.key...)
		case s.key == "":
		case strings.HasPrefix(s.key, "["):
			b = append(b, s.key...)
		default:
			b = append(append(b, '.'), s.key...)
		}
	}
	return b
}

// strictPath formats the path of a key the way sigs.k8s.io/json reports
// unknown and duplicate keys.
func strictPath(parent []segment, key string) string {
	var b strings.Builder
	for i, s := range parent {
		switch {
		case s.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		case i > 0:
			b.WriteByte('.')
			b.WriteString(s.key)
		default:
			b.WriteString(s.key)
		}
	}
	if b.Len() > 0 {
		b.WriteByte('.')
	}
	b.WriteString(key)
	return b.String()
}

// maxKeyProblems is where sigs.k8s.io/json stops collecting unknown and
// duplicate keys.
const maxKeyProblems = 100

func (d *directDecoder) unknownKey(key string) bool {
	path := strictPath(d.path, key)
	for _, p := range d.problems {
		if p.path == path {
			// sigs.k8s.io/json reports each path once.
			return true
		}
	}
	if len(d.problems) >= maxKeyProblems {
		return false
	}
	d.problems = append(d.problems, keyProblem{path: path, problem: "unknown"})
	return true
}

// noteString remembers a string value that may be a placeholder.
func (d *directDecoder) noteString(s string) {
	if !d.placeholder {
		return
	}
	strong := looksStronglyTemplated(s)
	if strong || looksShellTemplated(s) {
		start := len(d.hitSegments)
		d.hitSegments = append(d.hitSegments, d.path...)
		d.hits = append(d.hits, templateHit{path: d.hitSegments[start:len(d.hitSegments):len(d.hitSegments)], value: s, strong: strong})
	}
}

func (d *directDecoder) skipSpace() {
	pos, data := d.pos, d.data
	for pos < len(data) {
		c := data[pos]
		if c == ' ' && pos+8 <= len(data) {
			// Indentation of pretty-printed input: the spaces among the
			// next eight bytes, at once.
			pos += bits.TrailingZeros64(binary.LittleEndian.Uint64(data[pos:])^eightSpaces) / 8
			continue
		}
		if c > ' ' || (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
			break
		}
		pos++
	}
	d.pos = pos
}

const eightSpaces = 0x2020202020202020

// atEnd reports whether only white space is left.
func (d *directDecoder) atEnd() bool {
	d.skipSpace()
	return d.pos == len(d.data)
}

// peek returns the next byte after white space, or 0 at the end.
func (d *directDecoder) peek() byte {
	if d.pos < len(d.data) && d.data[d.pos] > ' ' {
		return d.data[d.pos]
	}
	d.skipSpace()
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

// value decodes the value at d.pos into the memory at ptr, which holds
// the zero value of p's type. An explicit null leaves it so, as
// encoding/json does for a fresh value.
func (d *directDecoder) value(p *decodePlan, ptr unsafe.Pointer) bool {
	c := d.peek()
	if c == 0 || p.kind == kindUnsupported {
		return false
	}
	if c == 'n' {
		return d.literal("null")
	}
	switch p.kind {
	case kindString:
		s, ok := d.string()
		if !ok {
			return false
		}
		*(*string)(ptr) = s
		d.noteString(s)
		return true
	case kindBool:
		switch c {
		case 't':
			*(*bool)(ptr) = true
			return d.literal("true")
		case 'f':
			return d.literal("false")
		}
		return false
	case kindInt32:
		n, ok := d.integer(32)
		*(*int32)(ptr) = int32(n)
		return ok
	case kindInt64:
		n, ok := d.integer(64)
		*(*int64)(ptr) = n
		return ok
	case kindFloat64:
		text, _, ok := d.number()
		if !ok {
			return false
		}
		f, err := strconv.ParseFloat(text, 64)
		*(*float64)(ptr) = f
		return err == nil
	case kindIntOrString:
		target := (*intstr.IntOrString)(ptr)
		if c == '"' {
			s, ok := d.string()
			*target = intstr.IntOrString{Type: intstr.String, StrVal: s}
			d.noteString(s)
			return ok
		}
		n, ok := d.integer(32)
		*target = intstr.IntOrString{Type: intstr.Int, IntVal: int32(n)}
		return ok
	case kindRawJSON:
		start := d.pos
		suspect, ok := d.skip()
		if !ok {
			return false
		}
		if suspect && !d.inReadOnlyRawField() {
			// Placeholders inside raw JSON are rare; the diagnostic path
			// finds them.
			return false
		}
		(*apiextensionsv1.JSON)(ptr).Raw = append([]byte(nil), d.data[start:d.pos]...)
		return true
	case kindStringMap:
		return d.stringMap((*map[string]string)(ptr))
	case kindStruct:
		return d.object(p, ptr)
	case kindPointer:
		target := d.alloc(p.elem)
		if !d.value(p.elem, target) {
			return false
		}
		*(*unsafe.Pointer)(ptr) = target
		return true
	case kindSlice:
		return d.array(p, ptr)
	}
	return false
}

// inReadOnlyRawField reports whether the raw JSON being decoded is a
// read-only describe field, whose content is dropped unread.
func (d *directDecoder) inReadOnlyRawField() bool {
	if len(d.path) == 0 {
		return false
	}
	switch d.path[len(d.path)-1].key {
	case "registeredAt", "deregisteredAt", "createdAt", "deployments", "events", "taskSets":
		return true
	}
	return false
}

// slab is a block of values of one type, handed out one by one.
type slab struct {
	block      unsafe.Pointer
	used, size int
}

// alloc returns zeroed memory for a value of p's type.
func (d *directDecoder) alloc(p *decodePlan) unsafe.Pointer {
	if p.slab >= len(d.slabs) {
		d.slabs = append(d.slabs, make([]slab, p.slab+1-len(d.slabs))...)
	}
	s := &d.slabs[p.slab]
	if s.used == s.size {
		*s = slab{block: reflect.New(p.slabType).UnsafePointer(), size: p.slabType.Len()}
	}
	item := unsafe.Add(s.block, uintptr(s.used)*p.typ.Size())
	s.used++
	return item
}

func (d *directDecoder) object(p *decodePlan, base unsafe.Pointer) bool {
	if d.data[d.pos] != '{' {
		return false
	}
	d.pos++
	var seen [maxPlanFields / 64]uint64
	if d.peek() == '}' {
		d.pos++
		return true
	}
	for {
		if d.peek() != '"' {
			return false
		}
		key, ok := d.view()
		if !ok || d.peek() != ':' {
			return false
		}
		d.pos++
		if len(d.path) == 0 && !d.noteTopMember(key) {
			return false
		}
		if i, known := p.field(key); known {
			word, bit := i/64, uint64(1)<<(i%64)
			if seen[word]&bit != 0 {
				return false
			}
			seen[word] |= bit
			f := &p.fields[i]
			d.path = append(d.path, segment{key: f.name, index: -1})
			if !d.value(f.plan, unsafe.Add(base, f.offset)) {
				return false
			}
			d.path = d.path[:len(d.path)-1]
		} else {
			if !d.unknownKey(key) {
				return false
			}
			if _, ok := d.skip(); !ok {
				return false
			}
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return true
		default:
			return false
		}
	}
}

func (d *directDecoder) stringMap(target *map[string]string) bool {
	if d.data[d.pos] != '{' {
		return false
	}
	d.pos++
	m := map[string]string{}
	*target = m
	if d.peek() == '}' {
		d.pos++
		return true
	}
	for {
		if d.peek() != '"' {
			return false
		}
		key, ok := d.string()
		if !ok || d.peek() != ':' {
			return false
		}
		d.pos++
		if _, dup := m[key]; dup {
			return false
		}
		var value string
		if d.peek() == 'n' {
			if !d.literal("null") {
				return false
			}
		} else {
			if value, ok = d.string(); !ok {
				return false
			}
			d.path = append(d.path, segment{key: key, index: -1})
			d.noteString(value)
			d.path = d.path[:len(d.path)-1]
		}
		m[key] = value
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return true
		default:
			return false
		}
	}
}

// array decodes a JSON array. Lists are carved out of blocks kept for
// their type: the items are decoded straight into the unused end of the
// type's block, so a list costs no allocation and no copy of its own
// unless it outgrows the block and moves to a new one. A carved list has
// no spare capacity, and a block is only written past the lists handed
// out, so lists never share items.
func (d *directDecoder) array(p *decodePlan, ptr unsafe.Pointer) bool {
	if d.data[d.pos] != '[' || p.elem.kind == kindUnsupported {
		return false
	}
	d.pos++
	if d.peek() == ']' {
		d.pos++
		// An explicit [] stays a non-nil empty list, as encoding/json
		// leaves it, distinct from an absent one.
		(*sliceHeader)(ptr).data = unsafe.Pointer(&zeroLengthArray)
		return true
	}
	if p.list >= len(d.lists) {
		d.lists = append(d.lists, make([]listBlock, p.list+1-len(d.lists))...)
	}
	if d.lists[p.list].busy || p.elem.typ.Size() == 0 {
		// A list of this type inside another one: no such API type, but
		// decoding straight into the result is right all the same.
		return d.items(p, reflect.NewAt(p.typ, ptr).Elem())
	}
	// The block is worked on in a copy, as decoding the items may grow
	// d.lists.
	block := d.lists[p.list]
	d.lists[p.list].busy = true
	list, ok := d.itemsInBlock(p, &block)
	d.lists[p.list] = block
	if ok {
		*(*sliceHeader)(ptr) = list
	}
	return ok
}

// listBlock is a block of items of one list type.
type listBlock struct {
	// data holds size items: those before used are handed out, the rest
	// are zero.
	data       unsafe.Pointer
	used, size int
	// busy: a list of the type is being decoded into the block.
	busy bool
}

// listBlockBytes is about the size of a block of list items; a block
// holds at least minListBlockItems, so that the lists of large items
// (containers, volumes), which leave their items behind when they outgrow
// a block, do not do so every few lists.
const (
	listBlockBytes    = 1024
	minListBlockItems = 8
)

// itemsInBlock decodes the items of the array being read, the first one
// ahead, into the unused end of block, moving them to a new block when
// they outgrow it.
func (d *directDecoder) itemsInBlock(p *decodePlan, block *listBlock) (sliceHeader, bool) {
	size := p.elem.typ.Size()
	first := block.used
	for i := 0; ; i++ {
		if first+i == block.size {
			moveList(p, block, first, i)
			first = 0
		}
		d.path = append(d.path, segment{index: i})
		ok := d.value(p.elem, unsafe.Add(block.data, uintptr(first+i)*size))
		if ok {
			d.path = d.path[:len(d.path)-1]
			switch d.peek() {
			case ',':
				d.pos++
				continue
			case ']':
				d.pos++
				n := i + 1
				block.used = first + n
				return sliceHeader{data: unsafe.Add(block.data, uintptr(first)*size), len: n, cap: n}, true
			}
		}
		// The direct path gives up; the end of the block must be zero
		// again for the next list.
		itemsAt(p.typ, unsafe.Add(block.data, uintptr(first)*size), i+1).Clear()
		return sliceHeader{}, false
	}
}

// moveList replaces block with a new one, with room for the n items of
// the list at first to grow, and moves them to its start.
func moveList(p *decodePlan, block *listBlock, first, n int) {
	size := max(listBlockBytes/int(p.elem.typ.Size()), minListBlockItems, 2*n)
	fresh := reflect.MakeSlice(p.typ, size, size)
	if n > 0 {
		// The old block is not written again: its end only needs to let
		// go of what the items point to.
		moved := itemsAt(p.typ, unsafe.Add(block.data, uintptr(first)*p.elem.typ.Size()), n)
		reflect.Copy(fresh, moved)
		moved.Clear()
	}
	*block = listBlock{data: fresh.UnsafePointer(), size: size}
}

// itemsAt returns the n items at data as a slice of type t.
func itemsAt(t reflect.Type, data unsafe.Pointer, n int) reflect.Value {
	list := reflect.New(t)
	*(*sliceHeader)(list.UnsafePointer()) = sliceHeader{data: data, len: n, cap: n}
	return list.Elem()
}

// items decodes the items of the array being read, the first one ahead,
// appending them to list, an addressable slice whose spare capacity is
// zero.
func (d *directDecoder) items(p *decodePlan, list reflect.Value) bool {
	header := (*sliceHeader)(list.Addr().UnsafePointer())
	size := p.elem.typ.Size()
	for i := 0; ; i++ {
		if i == header.cap {
			list.Grow(max(i, 4))
		}
		header.len = i + 1
		d.path = append(d.path, segment{index: i})
		if !d.value(p.elem, unsafe.Add(header.data, uintptr(i)*size)) {
			return false
		}
		d.path = d.path[:len(d.path)-1]
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return true
		default:
			return false
		}
	}
}

// zeroLengthArray backs the empty lists the direct path decodes.
var zeroLengthArray [0]byte

// stringEnd returns the index of the quote closing the string that starts
// at data[start].
func stringEnd(data []byte, start int) (int, bool) {
	for i := start + 1; i < len(data); i++ {
		switch data[i] {
		case '"':
			return i, true
		case '\\':
			i++
		}
	}
	return 0, false
}

// jump moves past the value at d.pos without checking it.
func (d *directDecoder) jump() bool {
	if d.pos >= len(d.data) {
		return false
	}
	switch d.data[d.pos] {
	case '"':
		end, ok := stringEnd(d.data, d.pos)
		d.pos = end + 1
		return ok
	case '{', '[':
		depth := 0
		for i := d.pos; i < len(d.data); i++ {
			switch d.data[i] {
			case '"':
				end, ok := stringEnd(d.data, i)
				if !ok {
					return false
				}
				i = end
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					d.pos = i + 1
					return true
				}
			}
		}
		return false
	}
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return true
		}
		d.pos++
	}
	return true
}

// skip moves past the value at d.pos, checking its syntax, and reports
// whether one of its string values contains a character that starts a
// template placeholder.
func (d *directDecoder) skip() (suspect, ok bool) {
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxSkipDepth {
		return false, false
	}
	switch c := d.peek(); c {
	case '{', '[':
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		d.pos++
		if d.peek() == closing {
			d.pos++
			return false, true
		}
		for {
			if c == '{' {
				if d.peek() != '"' {
					return false, false
				}
				if _, ok := d.view(); !ok || d.peek() != ':' {
					return false, false
				}
				d.pos++
			}
			inner, ok := d.skip()
			if !ok {
				return false, false
			}
			suspect = suspect || inner
			switch d.peek() {
			case ',':
				d.pos++
			case closing:
				d.pos++
				return suspect, true
			default:
				return false, false
			}
		}
	case '"':
		_, ok := d.view()
		return d.placeholder, ok
	case 't':
		return false, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return false, d.literal("null")
	}
	_, _, ok = d.number()
	return false, ok
}

func (d *directDecoder) literal(word string) bool {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return false
	}
	d.pos += len(word)
	return true
}

// Classes of the bytes inside a JSON string, for the string scanner.
const (
	plainByte = iota
	quoteByte
	// unusualByte: an escape, a control character or a non-ASCII byte.
	unusualByte
	// placeholderByte: '{', '<' or '$', which start template placeholders.
	placeholderByte
)

var stringByteClass = func() (class [256]uint8) {
	for c := range 256 {
		switch {
		case c == '"':
			class[c] = quoteByte
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			class[c] = unusualByte
		case c == '{' || c == '<' || c == '$':
			class[c] = placeholderByte
		}
	}
	return class
}()

// string reads the JSON string at d.pos into memory of its own.
func (d *directDecoder) string() (string, bool) {
	s, view, ok := d.stringView()
	if view {
		s = d.keep(s)
	}
	return s, ok
}

// stringView reads the JSON string at d.pos. When view is true the result
// shares memory with the input and must not outlive the decode; keys
// looked up in a plan and values skipped are read this way. It sets
// d.placeholder when the string holds a byte that may start a template
// placeholder.
func (d *directDecoder) stringView() (s string, view, ok bool) {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return "", false, false
	}
	start := d.pos + 1
	rest := d.data[start:]
	d.placeholder = false
	for i := 0; ; i++ {
		i = nextUnplainByte(rest, i)
		if i == len(rest) {
			return "", false, false
		}
		switch stringByteClass[rest[i]] {
		case quoteByte:
			d.pos = start + i + 1
			return unsafe.String(unsafe.SliceData(rest), i), true, true
		case placeholderByte:
			d.placeholder = true
		default:
			s, view, ok := d.escapedString(start)
			d.placeholder = strings.ContainsAny(s, "{<$")
			return s, view, ok
		}
	}
}

// nextUnplainByte returns the index of the first byte of b from i on that
// is not a plainByte, or len(b). It looks at eight bytes at once, which
// reads the long values (image names, ARNs, commands) several times faster
// than a byte at a time.
func nextUnplainByte(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if found := unplainBytes(binary.LittleEndian.Uint64(b[i:])); found != 0 {
			return i + bits.TrailingZeros64(found)/8
		}
	}
	for i < len(b) && stringByteClass[b[i]] == plainByte {
		i++
	}
	return i
}

// unplainBytes sets the high bit of the bytes of w that are not a
// plainByte: a quote, a backslash, a control character, a non-ASCII byte
// or one of "{<$". Bytes above the first one set may be set wrongly; the
// lowest set bit is always right.
func unplainBytes(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	// x-ones & ^x & highs is set from the first byte of x that is zero on
	// (and x-n*ones & ^x & highs from the first that is below n).
	quote, backslash := w^('"'*ones), w^('\\'*ones)
	brace, angle, dollar := w^('{'*ones), w^('<'*ones), w^('$'*ones)
	found := (w-0x20*ones)&^w | w |
		(quote-ones)&^quote | (backslash-ones)&^backslash |
		(brace-ones)&^brace | (angle-ones)&^angle | (dollar-ones)&^dollar
	return found & highs
}

// view reads the JSON string at d.pos for a look: the result must not
// outlive the decode.
func (d *directDecoder) view() (string, bool) {
	s, _, ok := d.stringView()
	return s, ok
}

// keep copies s into the arena.
func (d *directDecoder) keep(s string) string {
	if s == "" {
		return ""
	}
	if cap(d.arena)-len(d.arena) < len(s) {
		d.arena = make([]byte, 0, max(arenaSize, len(s)))
	}
	start := len(d.arena)
	d.arena = append(d.arena, s...)
	return unsafe.String(&d.arena[start], len(s))
}

// keepBytes copies b into the arena.
func (d *directDecoder) keepBytes(b []byte) string {
	return d.keep(unsafe.String(unsafe.SliceData(b), len(b)))
}

// escapedString reads a string with escapes or non-ASCII characters from
// start, its first byte after the quote. Without escapes, the result is a
// view of the input.
func (d *directDecoder) escapedString(start int) (s string, view, ok bool) {
	data := d.data
	var buf []byte
	copied := start // data[start:copied] is in buf
	i := start
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			if buf == nil {
				return unsafe.String(unsafe.SliceData(data[start:]), i-start), true, true
			}
			return string(append(buf, data[copied:i]...)), false, true
		case c < 0x20:
			return "", false, false
		case c == '\\':
			if buf == nil {
				buf = make([]byte, 0, i-start+16)
			}
			buf = append(buf, data[copied:i]...)
			if i+1 >= len(data) {
				return "", false, false
			}
			switch data[i+1] {
			case '"', '\\', '/':
				buf = append(buf, data[i+1])
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := hexRune(data, i+2)
				if !ok {
					return "", false, false
				}
				if utf16.IsSurrogate(r) {
					// Only a well-formed pair; encoding/json turns a lone
					// surrogate into U+FFFD, which the diagnostic path does.
					low, ok := hexRune(data, i+8)
					if !ok || data[i+6] != '\\' || data[i+7] != 'u' {
						return "", false, false
					}
					if r = utf16.DecodeRune(r, low); r == utf8.RuneError {
						return "", false, false
					}
					i += 6
				}
				buf = utf8.AppendRune(buf, r)
				i += 4
			default:
				return "", false, false
			}
			i += 2
			copied = i
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return "", false, false
			}
			i += size
		}
	}
	return "", false, false
}

// hexRune reads the four hex digits of a \u escape at data[at:].
func hexRune(data []byte, at int) (rune, bool) {
	if at+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[at : at+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a JSON number and reports whether it is an integer (no
// fraction, no exponent).
func (d *directDecoder) number() (text string, integer, ok bool) {
	data := d.data
	start, i := d.pos, d.pos
	digits := func() bool {
		from := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		return i > from
	}
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case !digits():
		return "", false, false
	}
	integer = true
	if i < len(data) && data[i] == '.' {
		i++
		if !digits() {
			return "", false, false
		}
		integer = false
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if !digits() {
			return "", false, false
		}
		integer = false
	}
	d.pos = i
	return unsafe.String(unsafe.SliceData(data[start:]), i-start), integer, true
}

// integer reads a whole number that fits bits, as encoding/json requires
// of integer fields.
func (d *directDecoder) integer(bits int) (int64, bool) {
	text, integer, ok := d.number()
	if !ok || !integer {
		return 0, false
	}
	n, err := strconv.ParseInt(text, 10, bits)
	return n, err == nil
}
