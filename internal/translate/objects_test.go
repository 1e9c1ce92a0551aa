package translate

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
)

// Objects lists every object a result carries: a field added to
// TaskResult or ServiceResult and left out of Objects would be translated
// and then never applied.
func TestObjectsListsEveryObjectField(t *testing.T) {
	for _, result := range []interface{ Objects() []runtime.Object }{&TaskResult{}, &ServiceResult{}} {
		v := reflect.ValueOf(result).Elem()
		want := map[reflect.Type]int{}
		for i := range v.NumField() {
			f := v.Field(i)
			switch {
			case f.Kind() == reflect.Pointer && f.Type().Implements(objectType):
				f.Set(reflect.New(f.Type().Elem()))
				want[f.Type()]++
			case f.Kind() == reflect.Slice && f.Type().Elem().Implements(objectType):
				f.Set(reflect.MakeSlice(f.Type(), 2, 2))
				for j := range 2 {
					f.Index(j).Set(reflect.New(f.Type().Elem().Elem()))
				}
				want[f.Type().Elem()] += 2
			}
		}
		got := map[reflect.Type]int{}
		for _, o := range result.Objects() {
			got[reflect.TypeOf(o)]++
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%T.Objects() lists %v, want %v", result, got, want)
		}
	}
}

var objectType = reflect.TypeFor[runtime.Object]()
