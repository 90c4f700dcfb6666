package summary

import (
	"math"
	"strconv"
)

func itoa(n int) string { return strconv.Itoa(n) }

// finite returns x, or 0 for NaN and infinities (JSON holds neither).
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}
