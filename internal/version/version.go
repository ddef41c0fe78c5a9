// Package version is the version a command reports: the one stamped at
// build time (-ldflags "-X main.version=v0.2.0": make build stamps the git
// tag, else the VERSION file), else the module version go install
// recorded, else "dev".
package version

import "runtime/debug"

// Of returns stamped, or the build's module version, or "dev".
func Of(stamped string) string {
	if stamped != "" {
		return stamped
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
