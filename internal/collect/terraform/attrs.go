package terraform

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// field pairs an attribute name with where its value goes.
type field struct {
	key string
	dst *string
}

// attrs reads one resource's attributes; every error names the file, the
// resource address and the attribute.
type attrs struct {
	file, addr string
	m          map[string]any
	planned    bool // planned values may lack what is known only after apply
}

func (a *attrs) errf(key, format string, args ...any) error {
	return fmt.Errorf("terraform %s: %s: attribute %s: %s", a.file, a.addr, key, fmt.Sprintf(format, args...))
}

func (a *attrs) src() idc.Source { return idc.Source("terraform:" + a.addr) }

// str returns a string attribute; "" when absent or null.
func (a *attrs) str(key string) (string, error) {
	return strIn(a, a.m, key, key)
}

func strIn(a *attrs, m map[string]any, key, field string) (string, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return "", nil
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", a.errf(field, "want a string, got %s", kind(v))
}

// req is str for an attribute the resource means nothing without. In
// planned values it may be unknown: ok is false then, with no error.
func (a *attrs) req(key string) (s string, ok bool, err error) {
	s, err = a.str(key)
	if err != nil {
		return "", false, err
	}
	if s == "" {
		if a.planned {
			return "", false, nil
		}
		return "", false, a.errf(key, "missing")
	}
	return s, true, nil
}

// objects returns a list of objects. Nested blocks are lists in state even
// when they hold at most one item; a lone object is accepted too.
func (a *attrs) objects(key string) ([]map[string]any, error) {
	return objectsIn(a, a.m, key, key)
}

func objectsIn(a *attrs, m map[string]any, key, field string) ([]map[string]any, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, nil
	}
	if o, ok := v.(map[string]any); ok {
		return []map[string]any{o}, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, a.errf(field, "want a list of objects, got %s", kind(v))
	}
	out := make([]map[string]any, 0, len(list))
	for i, x := range list {
		o, ok := x.(map[string]any)
		if !ok {
			return nil, a.errf(fmt.Sprintf("%s[%d]", field, i), "want an object, got %s", kind(x))
		}
		out = append(out, o)
	}
	return out, nil
}

// strings returns a list (or set) of strings.
func (a *attrs) strings(key string) ([]string, error) {
	v, ok := a.m[key]
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, a.errf(key, "want a list of strings, got %s", kind(v))
	}
	out := make([]string, 0, len(list))
	for i, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, a.errf(fmt.Sprintf("%s[%d]", key, i), "want a string, got %s", kind(x))
		}
		out = append(out, s)
	}
	return out, nil
}

// stringMap returns a map of strings (tags).
func (a *attrs) stringMap(key string) (map[string]string, error) {
	v, ok := a.m[key]
	if !ok || v == nil {
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, a.errf(key, "want a map of strings, got %s", kind(v))
	}
	if len(obj) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(obj))
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s, ok := obj[k].(string)
		if !ok {
			return nil, a.errf(key+"."+k, "want a string, got %s", kind(obj[k]))
		}
		out[k] = s
	}
	return out, nil
}

// firstOf returns field of the first object in list attribute key (the
// primary email, the first external id).
func (a *attrs) firstOf(key, field string) (string, error) {
	objs, err := a.objects(key)
	if err != nil || len(objs) == 0 {
		return "", err
	}
	return strIn(a, objs[0], field, key+"[0]."+field)
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
