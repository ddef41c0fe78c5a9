package sanitize

// A layer of the detector that BenchmarkColdWithout (built with the
// sanitize_ablate tag) can switch off, to measure what each costs in a
// cold pass. Ordinary builds switch nothing off: skipped is a constant
// false there (ablate_off.go), and the compiler drops every test of it.
type layer uint8

const (
	layerRules    layer = iota // runRules, lineRoles, sendToAddress
	layerSignals               // the signal lexicon and scores (signals)
	layerDecoders              // decoded variants scanned again (decodePass)
	layerModel                 // the learned model (modelProb)
	numLayers
)
