package record

import (
	"math"
	"reflect"
)

// Finite returns a copy of v in which every NaN or infinite float64 (in v
// itself, its struct fields, and what its pointers, slices, arrays and maps
// hold) is 0, which is what JSON can hold and what a record means by "not
// measured". An infinite bucket bound becomes 0 too, as Bucket documents.
//
// It is the one policy for non-finite figures in gcprobe's JSON, the record's
// and the summary's: it finds the floats by reflection, so a new float field
// needs no edit here. v is not modified; what Finite returns shares no
// pointer, slice or map that holds a float with v.
func Finite[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	if !nonFinite(rv) {
		return v // the common case: nothing to copy
	}
	c := finiter{holds: map[reflect.Type]bool{}}
	if c.holdsFloat(rv.Type()) {
		rv.Set(c.copy(rv))
	}
	return v
}

// nonFinite reports whether v holds a NaN or infinite float anywhere (v
// holds no pointer cycle: JSON could not hold one either).
func nonFinite(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		return math.IsNaN(f) || math.IsInf(f, 0)
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && nonFinite(v.Elem())
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if t.Field(i).IsExported() && nonFinite(v.Field(i)) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if nonFinite(v.Index(i)) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if nonFinite(it.Value()) {
				return true
			}
		}
	}
	return false
}

// finiter remembers, for one call of Finite, which types hold floats.
type finiter struct {
	holds map[reflect.Type]bool
}

// copy returns v with non-finite floats replaced, copying whatever
// holds a float so that the original is left alone.
func (c finiter) copy(v reflect.Value) reflect.Value {
	if !c.holdsFloat(v.Type()) {
		return v
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return reflect.Zero(v.Type())
		}
		return v
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(c.copy(v.Elem()))
		return p
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := 0; i < v.NumField(); i++ {
			if f := out.Field(i); f.CanSet() {
				f.Set(c.copy(v.Field(i)))
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(c.copy(v.Index(i)))
		}
		return out
	case reflect.Array:
		out := reflect.New(v.Type()).Elem()
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(c.copy(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), c.copy(it.Value()))
		}
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(c.copy(v.Elem()))
		return out
	}
	return v
}

// holdsFloat reports whether a value of type t can hold a float in an
// exported place, so that values that cannot (strings, times) are shared
// rather than copied.
func (c finiter) holdsFloat(t reflect.Type) bool {
	if h, ok := c.holds[t]; ok {
		return h
	}
	c.holds[t] = false // a recursive type: its floats are found on the first visit
	h := false
	switch t.Kind() {
	case reflect.Float32, reflect.Float64, reflect.Interface:
		h = true
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		h = c.holdsFloat(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField() && !h; i++ {
			f := t.Field(i)
			h = f.IsExported() && c.holdsFloat(f.Type)
		}
	}
	c.holds[t] = h
	return h
}
