// Package terraform reads Identity Center state out of Terraform files:
// raw state (.tfstate, format version 4) and `terraform show -json`
// output, of a state or of a plan. Resources in child modules and under
// for_each/count are read; resource types it does not know are ignored.
//
// For a plan, the current model is built from prior_state (what is deployed
// now) and the planned model from planned_values (what apply would leave).
// Values Terraform only knows after apply (a new permission set's ARN) are
// absent from planned_values; the planned model keys such permission sets by
// "unknown:<address>" and lists what it could not link in Missing.
package terraform

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// Kind says which Terraform format a file was.
type Kind string

const (
	KindState     Kind = "state"      // raw .tfstate, version 4
	KindShowState Kind = "show-state" // terraform show -json of a state
	KindShowPlan  Kind = "show-plan"  // terraform show -json of a plan
)

// Result is everything read from one file.
type Result struct {
	Kind    Kind
	Current *idc.Model // the deployed state (a plan's prior_state)
	Planned *idc.Model // a plan's planned_values; nil for a state
}

// Load reads the current state from a Terraform file.
func Load(path string) (*idc.Model, error) {
	r, err := LoadResult(path)
	if err != nil {
		return nil, err
	}
	return r.Current, nil
}

// Read reads the current state from Terraform JSON; name is used in errors.
func Read(r io.Reader, name string) (*idc.Model, error) {
	res, err := ReadResult(r, name)
	if err != nil {
		return nil, err
	}
	return res.Current, nil
}

// LoadResult reads a Terraform file, keeping a plan's planned side.
func LoadResult(path string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("terraform: %w", err)
	}
	defer f.Close()
	return ReadResult(f, path)
}

// resource is one resource instance, whatever format it came from.
type resource struct {
	addr, mode, typ string
	attrs           map[string]any
}

// ReadResult decodes raw state or show -json output.
func ReadResult(r io.Reader, name string) (*Result, error) {
	b, err := io.ReadAll(bufio.NewReader(r))
	if err != nil {
		return nil, fmt.Errorf("terraform %s: %w", name, err)
	}
	var top map[string]json.RawMessage
	if err := decode(b, &top); err != nil {
		return nil, fmt.Errorf("terraform %s: not a Terraform JSON file: %w", name, err)
	}
	switch {
	case top["version"] != nil && top["format_version"] == nil:
		rs, err := rawResources(top, name)
		if err != nil {
			return nil, err
		}
		cur, err := build(rs, name, false)
		return &Result{Kind: KindState, Current: cur}, err
	case top["format_version"] != nil:
		if top["planned_values"] != nil || top["resource_changes"] != nil || top["prior_state"] != nil {
			return readPlan(top, name)
		}
		rs, err := showResources(top["values"], name, "values")
		if err != nil {
			return nil, err
		}
		cur, err := build(rs, name, false)
		return &Result{Kind: KindShowState, Current: cur}, err
	}
	return nil, fmt.Errorf("terraform %s: neither raw state (version) nor show -json output (format_version)", name)
}

func readPlan(top map[string]json.RawMessage, name string) (*Result, error) {
	res := &Result{Kind: KindShowPlan}
	var prior struct {
		Values json.RawMessage `json:"values"`
	}
	if p := top["prior_state"]; !isNull(p) {
		if err := decode(p, &prior); err != nil {
			return nil, fmt.Errorf("terraform %s: prior_state: %w", name, err)
		}
	}
	rs, err := showResources(prior.Values, name, "prior_state.values")
	if err != nil {
		return nil, err
	}
	if res.Current, err = build(rs, name, false); err != nil {
		return nil, err
	}
	rs, err = showResources(top["planned_values"], name, "planned_values")
	if err != nil {
		return nil, err
	}
	if res.Planned, err = build(rs, name, true); err != nil {
		return nil, err
	}
	return res, nil
}

func decode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

func isNull(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) == 0 || string(b) == "null"
}

// rawResources flattens a version 4 state: resources[].instances[].
func rawResources(top map[string]json.RawMessage, name string) ([]resource, error) {
	var version json.Number
	if err := decode(top["version"], &version); err != nil || version.String() != "4" {
		return nil, fmt.Errorf("terraform %s: state version %s is not supported (want 4)", name, top["version"])
	}
	var rs []struct {
		Module    string `json:"module"`
		Mode      string `json:"mode"`
		Type      string `json:"type"`
		Name      string `json:"name"`
		Instances []struct {
			IndexKey   any            `json:"index_key"`
			Deposed    string         `json:"deposed"`
			Attributes map[string]any `json:"attributes"`
		} `json:"instances"`
	}
	if p := top["resources"]; !isNull(p) {
		if err := decode(p, &rs); err != nil {
			return nil, fmt.Errorf("terraform %s: resources: %w", name, err)
		}
	}
	var out []resource
	for i, r := range rs {
		base := r.Type + "." + r.Name
		if r.Mode == "data" {
			base = "data." + base
		}
		if r.Module != "" {
			base = r.Module + "." + base
		}
		if r.Type == "" || r.Name == "" {
			return nil, fmt.Errorf("terraform %s: resources[%d] (%s): no type or name", name, i, base)
		}
		for _, in := range r.Instances {
			if in.Deposed != "" {
				continue // an object waiting to be destroyed, replaced already
			}
			addr := base
			switch k := in.IndexKey.(type) {
			case nil:
			case string:
				addr += "[" + strconv.Quote(k) + "]"
			case json.Number:
				addr += "[" + k.String() + "]"
			default:
				return nil, fmt.Errorf("terraform %s: %s: index_key is %T, want a string or number", name, base, k)
			}
			out = append(out, resource{addr: addr, mode: r.Mode, typ: r.Type, attrs: in.Attributes})
		}
	}
	return out, nil
}

// module is a show -json module: root_module and child_modules alike.
type module struct {
	Address   string `json:"address"`
	Resources []struct {
		Address string         `json:"address"`
		Mode    string         `json:"mode"`
		Type    string         `json:"type"`
		Values  map[string]any `json:"values"`
	} `json:"resources"`
	ChildModules []module `json:"child_modules"`
}

// showResources walks values.root_module and its child modules.
func showResources(values json.RawMessage, name, where string) ([]resource, error) {
	if isNull(values) {
		return nil, nil
	}
	var v struct {
		RootModule module `json:"root_module"`
	}
	if err := decode(values, &v); err != nil {
		return nil, fmt.Errorf("terraform %s: %s: %w", name, where, err)
	}
	var out []resource
	var walk func(m *module, depth int) error
	walk = func(m *module, depth int) error {
		if depth > 100 {
			return fmt.Errorf("terraform %s: %s: module %s nested too deeply", name, where, m.Address)
		}
		for _, r := range m.Resources {
			if r.Address == "" || r.Type == "" {
				return fmt.Errorf("terraform %s: %s: module %q: resource without address or type", name, where, m.Address)
			}
			out = append(out, resource{addr: r.Address, mode: r.Mode, typ: r.Type, attrs: r.Values})
		}
		for i := range m.ChildModules {
			if err := walk(&m.ChildModules[i], depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(&v.RootModule, 0)
}
