package metrics

import (
	"math/bits"
	"time"
)

// subBits is how many bits below the leading one pick a sub-bucket: 16
// sub-buckets per power of two bound the relative error to 1/16 (6.25%).
const subBits = 4

const buckets = 64 << subBits

// Histogram counts durations in log-linear buckets. The zero value is
// ready; it is not safe for concurrent use: keep one per goroutine and
// Merge them. Record does not allocate.
type Histogram struct {
	counts [buckets]uint64
	total  uint64
	max    time.Duration
}

func bucketOf(ns uint64) int {
	if ns < 1<<subBits {
		return int(ns) // exact below 16 ns
	}
	top := bits.Len64(ns) - 1 // position of the leading one
	sub := (ns >> (top - subBits)) & (1<<subBits - 1)
	return (top-subBits+1)<<subBits | int(sub)
}

// lowerBound is the smallest duration in bucket i.
func lowerBound(i int) uint64 {
	if i < 1<<subBits {
		return uint64(i)
	}
	top := i>>subBits + subBits - 1
	sub := uint64(i & (1<<subBits - 1))
	return 1<<top | sub<<(top-subBits)
}

// Record adds one duration; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d))]++
	h.total++
	h.max = max(h.max, d)
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.max = max(h.max, o.max)
}

// Count is the number of durations recorded.
func (h *Histogram) Count() uint64 { return h.total }

// Max is the largest duration recorded.
func (h *Histogram) Max() time.Duration { return h.max }

// Quantile returns the lower bound of the bucket holding the q-quantile
// (0 <= q <= 1), or 0 for an empty histogram; q = 1 returns Max.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	if q >= 1 {
		return h.max
	}
	rank := uint64(q * float64(h.total)) // 0-based rank of the wanted sample
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen > rank {
			return time.Duration(lowerBound(i))
		}
	}
	return h.max
}
