//go:build sanitize_ablate

package sanitize

// SkipLayers switches off the named layers ("rules", "signals",
// "decoders", "model") and switches on the others.
func SkipLayers(names ...string) {
	skipLayers = [numLayers]bool{}
	for _, n := range names {
		switch n {
		case "rules":
			skipLayers[layerRules] = true
		case "signals":
			skipLayers[layerSignals] = true
		case "decoders":
			skipLayers[layerDecoders] = true
		case "model":
			skipLayers[layerModel] = true
		default:
			panic("unknown layer " + n)
		}
	}
}
