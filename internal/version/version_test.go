package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuild(t *testing.T) {
	vcs := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.time", Value: "2026-11-01T10:00:00+01:00"}, {Key: "vcs.modified", Value: "true"}}}
	devel := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}
	tests := []struct {
		name                string
		bi                  *debug.BuildInfo
		ldVersion, ldCommit string
		ldDate              string
		want                Info
	}{
		{"module version and vcs stamp", vcs, "", "", "", Info{Version: "v1.4.0", Commit: "0123456789abcdef", Date: "2026-11-01T09:00:00Z", Modified: true, GoVersion: "go1.26.8"}},
		{"ldflags win", vcs, "v2.0.0", "feedface", "2026-12-24T00:00:00Z", Info{Version: "v2.0.0", Commit: "feedface", Date: "2026-12-24T00:00:00Z", Modified: true, GoVersion: "go1.26.8"}},
		{"a local build without a stamp", devel, "", "", "", Info{Version: "dev", GoVersion: "go1.26.8"}},
		{"no build info", nil, "", "", "", Info{Version: "dev"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fromBuild(tt.bi, tt.ldVersion, tt.ldCommit, tt.ldDate)
			if tt.want.GoVersion == "" {
				tt.want.GoVersion = got.GoVersion // the running toolchain's
			}
			tt.want.Platform = got.Platform
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
