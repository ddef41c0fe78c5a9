//go:build !race

package sanitize

const raceOn = false
