//go:build sanitize_ablate

package sanitize

// skipLayers is set only by BenchmarkColdWithout, between passes; a
// build with this tag is for measuring, never for serving text.
var skipLayers [numLayers]bool

func skipped(l layer) bool { return skipLayers[l] }
