// Package version carries the build's version, stamped with -ldflags.
package version

import "runtime/debug"

// Version is set at build time: -ldflags "-X github.com/portcullis-sec/portcullis/internal/version.Version=v1.2.3".
var Version = ""

// String returns the version, falling back to the module build info.
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
