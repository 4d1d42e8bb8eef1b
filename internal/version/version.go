// Package version says which build of portcullis is running: the module
// version, the commit and build date (from -ldflags or the VCS stamp the
// Go toolchain records), and the Go version. The same string is in
// `portcullis version`, OCSF metadata.product.version and the AWS user
// agent (portcullis/<version>).
package version

import (
	"runtime"
	"runtime/debug"
	"time"
)

// Set at build time, each optional:
//
//	go build -ldflags "-X github.com/portcullis-sec/portcullis/internal/version.Version=v1.2.3
//	  -X github.com/portcullis-sec/portcullis/internal/version.Commit=$(git rev-parse HEAD)
//	  -X github.com/portcullis-sec/portcullis/internal/version.Date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
//
// Unset, they come from the build info (module version, vcs.revision,
// vcs.time).
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// Info describes the build.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	Date      string `json:"date,omitempty"` // RFC 3339: the build date, else the commit's
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"go"`
	Platform  string `json:"platform"`
}

// Get returns the running build's Info.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return fromBuild(bi, Version, Commit, Date)
}

// String returns the version alone ("dev" for a build without one).
func String() string { return Get().Version }

// fromBuild merges -ldflags values (which win) with the build info.
func fromBuild(bi *debug.BuildInfo, version, commit, date string) Info {
	in := Info{Version: version, Commit: commit, Date: date, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if bi.GoVersion != "" {
			in.GoVersion = bi.GoVersion
		}
		if in.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			in.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if in.Commit == "" {
					in.Commit = s.Value
				}
			case "vcs.time":
				if in.Date == "" {
					in.Date = s.Value
				}
			case "vcs.modified":
				in.Modified = in.Modified || s.Value == "true"
			}
		}
	}
	if in.Version == "" {
		in.Version = "dev"
	}
	if t, err := time.Parse(time.RFC3339, in.Date); err == nil {
		in.Date = t.UTC().Format(time.RFC3339)
	}
	return in
}
