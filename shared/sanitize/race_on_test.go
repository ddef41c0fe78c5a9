//go:build race

package sanitize

// raceOn is true under the race detector: the slowest comparisons sample
// the corpus instead of running all of it.
const raceOn = true
