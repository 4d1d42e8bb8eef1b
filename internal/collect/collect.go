// Package collect is where the Identity Center model comes from. Each
// source has its own package (collect/aws for the live API,
// collect/terraform for state and plans, idc for snapshot files); this one
// picks the source a spec names, so every command accepts the same specs,
// and replays CloudTrail onto a model (Replay) or reads the Identity Center
// events commands weigh as evidence (ReadEvents).
package collect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	awscollect "github.com/portcullis-sec/portcullis/internal/collect/aws"
	"github.com/portcullis-sec/portcullis/internal/collect/terraform"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// SpecHelp documents what Load accepts, for flag help texts.
// No backticks: pflag would take a quoted word for the flag's argument name.
const SpecHelp = `a snapshot file, Terraform state or "terraform show -json" output (detected by content, or force with terraform:FILE), "aws" for the live API, or - for stdin`

// Options are what a spec needs besides itself.
type Options struct {
	// AWS configures the `aws` spec (region, profile, endpoint, instance,
	// user agent, log).
	AWS awscollect.Options
	// Stdin is read for the "-" spec.
	Stdin io.Reader
}

// Load builds a model from a spec: a snapshot file, Terraform state or
// `terraform show -json` output (told apart by content, or forced with
// terraform:FILE), `aws` for the live API, or - for stdin. A partial model
// is returned as it is (Model.Partial, Model.Missing): what partial means
// is the caller's to decide.
func Load(ctx context.Context, spec string, o Options) (*idc.Model, error) {
	switch {
	case spec == "":
		return nil, fmt.Errorf("no model given: want %s", SpecHelp)
	case spec == "aws":
		m, err := awscollect.Collect(ctx, o.AWS)
		if err != nil {
			return nil, fmt.Errorf("read live Identity Center: %w", err)
		}
		return m, nil
	case strings.HasPrefix(spec, "terraform:"):
		path := strings.TrimPrefix(spec, "terraform:")
		b, err := readSpecFile(path, o.Stdin)
		if err != nil {
			return nil, err
		}
		return terraform.Read(bytes.NewReader(b), path)
	}
	if spec != "-" {
		// A snapshot file, the common case, is decoded as it is read.
		if m, ok, err := idc.LoadIfSnapshot(spec); ok {
			return m, err
		}
	}
	b, err := readSpecFile(spec, o.Stdin)
	if err != nil {
		return nil, err
	}
	return Read(b, spec)
}

func readSpecFile(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		if stdin == nil {
			return nil, fmt.Errorf("read model from stdin: no stdin")
		}
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("read model from stdin: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	return b, nil
}

// Read tells a portcullis snapshot from Terraform JSON by its top-level
// keys (file names say little: state is often piped or renamed) and reads
// it; name is used in errors. A snapshot as portcullis writes it is
// recognised by decoding it, once; anything else is probed.
func Read(b []byte, name string) (*idc.Model, error) {
	if m, ok, err := idc.ReadIfSnapshot(b, name); ok {
		return m, err
	}
	var probe struct {
		Schema           string          `json:"schema"`
		TerraformVersion json.RawMessage `json:"terraform_version"`
		FormatVersion    json.RawMessage `json:"format_version"`
		Resources        json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object (want %s): %w", name, SpecHelp, syntaxAt(b, err))
	}
	switch {
	case probe.Schema != "":
		return idc.ReadBytes(b, name)
	case probe.TerraformVersion != nil || probe.FormatVersion != nil || probe.Resources != nil:
		return terraform.Read(bytes.NewReader(b), name)
	}
	return nil, fmt.Errorf("%s: neither a portcullis snapshot (no \"schema\") nor Terraform state (no \"terraform_version\" or \"format_version\")", name)
}

// LoadOrganization reads the organization for the SCP guardrail: an
// Organizations export file (idc.ReadOrganization), or `aws` for the live
// Organizations API with o.AWS. A file named aws is ./aws.
func LoadOrganization(ctx context.Context, spec string, o Options) (*idc.Organization, error) {
	if spec != "aws" {
		return idc.LoadOrganization(spec)
	}
	cl, err := awscollect.NewClients(ctx, o.AWS)
	if err != nil {
		return nil, err
	}
	return awscollect.CollectOrganization(ctx, cl, o.AWS)
}

// syntaxAt adds the line and column to a JSON syntax error, which knows
// its offset but does not print it.
func syntaxAt(doc []byte, err error) error {
	var syn *json.SyntaxError
	if !errors.As(err, &syn) {
		return err
	}
	off := syn.Offset - 1 // the offending byte is the last one read
	if syn.Offset >= int64(len(doc)) {
		off = int64(len(doc)) // the input ended too soon: the fault is its end
	}
	before := doc[:max(off, 0)]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}
