package matrix

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/bench/internal/metrics"
)

// What a loopback child tells its parent, as control lines (see package
// loopback), in this order:
//
//	full <unix-ns> <view-id> <own-id> <member,member,...>   on the complete view
//	fault <unix-ns>                                          the timing victim, when its fault fires
//
// and once the parent asks it to stop:
//
//	views <id;unix-ns;member,member,...> ...                 every view it installed
//	latency <count> <q...>                                   its latency sketch
//	series <more|last> <base-unix-ns> <dt-ns,delivered,allocs> ...   its counters over time
//	done <removed 0|1>
//
// Times are wall-clock Unix nanoseconds: the processes share the host's
// clock. Process ids hold neither spaces, ";" nor ",".

// ErrReport wraps a malformed line from a loopback child.
var ErrReport = errors.New("matrix: malformed child report")

// sketchPoints is how many quantiles a child's latency sketch carries: the
// merged 99th percentile is then resolved to 0.1% of the samples, below
// the histogram's own bucket error.
const sketchPoints = 1000

// seriesChunk bounds the points of one series line, keeping control lines
// far below the parent's line length limit.
const seriesChunk = 400

// point is a child's counters at one moment: its deliveries and its
// process's heap allocations since it started.
type point struct {
	At        time.Time
	Delivered int64
	Allocs    uint64
}

// sketch summarises a latency histogram that cannot cross the process
// boundary whole: Points[k] is its quantile (k+0.5)/len(Points).
type sketch struct {
	Count  uint64
	Points []time.Duration
}

// childReport is everything one child measured.
type childReport struct {
	ID      history.ProcessID
	Full    time.Time // when it installed the complete view
	FullID  uint64    // that view's id
	Views   []viewAt
	Latency sketch
	Series  []point
	Removed bool // removed from the group or blocked
}

// sketchOf summarises h in n quantiles.
func sketchOf(h *metrics.Histogram, n int) sketch {
	s := sketch{Count: h.Count()}
	if s.Count == 0 {
		return s
	}
	s.Points = make([]time.Duration, n)
	for k := range n {
		s.Points[k] = h.Quantile((float64(k) + 0.5) / float64(n))
	}
	return s
}

// addTo records the sketch's samples into h: each point stands for an
// equal share of Count.
func (s sketch) addTo(h *metrics.Histogram) {
	n := uint64(len(s.Points))
	if n == 0 {
		return
	}
	for k, d := range s.Points {
		share := s.Count*uint64(k+1)/n - s.Count*uint64(k)/n
		for range share {
			h.Record(d)
		}
	}
}

func (s sketch) fields() []string {
	f := []string{strconv.FormatUint(s.Count, 10)}
	for _, d := range s.Points {
		f = append(f, strconv.FormatInt(int64(d), 10))
	}
	return f
}

func parseSketch(f []string) (sketch, error) {
	if len(f) < 1 {
		return sketch{}, fmt.Errorf("%w: empty latency line", ErrReport)
	}
	var s sketch
	var err error
	if s.Count, err = strconv.ParseUint(f[0], 10, 64); err != nil {
		return sketch{}, fmt.Errorf("%w: latency count %q", ErrReport, f[0])
	}
	for _, v := range f[1:] {
		d, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return sketch{}, fmt.Errorf("%w: latency point %q", ErrReport, v)
		}
		s.Points = append(s.Points, time.Duration(d))
	}
	if s.Count > 0 && len(s.Points) == 0 {
		return sketch{}, fmt.Errorf("%w: %d latency samples without points", ErrReport, s.Count)
	}
	return s, nil
}

func unixField(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

func parseUnix(v string) (time.Time, error) {
	ns, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: time %q", ErrReport, v)
	}
	return time.Unix(0, ns), nil
}

func joinIDs(ids []history.ProcessID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ",")
}

func splitIDs(v string) []history.ProcessID {
	var ids []history.ProcessID
	for s := range strings.SplitSeq(v, ",") {
		if s != "" {
			ids = append(ids, history.ProcessID(s))
		}
	}
	return ids
}

// fullFields and parseFull carry the "full" line.
func fullFields(v viewAt, self history.ProcessID) []string {
	return []string{unixField(v.at), strconv.FormatUint(v.id, 10), string(self), joinIDs(v.members)}
}

func parseFull(f []string) (self history.ProcessID, v viewAt, err error) {
	if len(f) != 4 {
		return "", viewAt{}, fmt.Errorf("%w: full line %q", ErrReport, f)
	}
	if v.at, err = parseUnix(f[0]); err != nil {
		return "", viewAt{}, err
	}
	if v.id, err = strconv.ParseUint(f[1], 10, 64); err != nil {
		return "", viewAt{}, fmt.Errorf("%w: view id %q", ErrReport, f[1])
	}
	v.members = splitIDs(f[3])
	return history.ProcessID(f[2]), v, nil
}

func viewFields(vs []viewAt) []string {
	f := make([]string, len(vs))
	for i, v := range vs {
		f[i] = strconv.FormatUint(v.id, 10) + ";" + unixField(v.at) + ";" + joinIDs(v.members)
	}
	return f
}

func parseViews(f []string) ([]viewAt, error) {
	vs := make([]viewAt, 0, len(f))
	for _, e := range f {
		parts := strings.Split(e, ";")
		if len(parts) != 3 {
			return nil, fmt.Errorf("%w: view %q", ErrReport, e)
		}
		id, err := strconv.ParseUint(parts[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: view id %q", ErrReport, parts[0])
		}
		at, err := parseUnix(parts[1])
		if err != nil {
			return nil, err
		}
		vs = append(vs, viewAt{id: id, at: at, members: splitIDs(parts[2])})
	}
	return vs, nil
}

// seriesLines splits pts into "series" lines of at most chunk points,
// times relative to base; the last line is marked so.
func seriesLines(base time.Time, pts []point, chunk int) [][]string {
	var lines [][]string
	for len(lines) == 0 || len(pts) > 0 {
		n := min(chunk, len(pts))
		mark := "more"
		if n == len(pts) {
			mark = "last"
		}
		f := []string{mark, unixField(base)}
		for _, p := range pts[:n] {
			f = append(f, strconv.FormatInt(int64(p.At.Sub(base)), 10)+","+
				strconv.FormatInt(p.Delivered, 10)+","+strconv.FormatUint(p.Allocs, 10))
		}
		lines, pts = append(lines, f), pts[n:]
	}
	return lines
}

// parseSeries decodes one "series" line; more says another follows.
func parseSeries(f []string) (pts []point, more bool, err error) {
	if len(f) < 2 || (f[0] != "more" && f[0] != "last") {
		return nil, false, fmt.Errorf("%w: series line %.80q", ErrReport, f)
	}
	base, err := parseUnix(f[1])
	if err != nil {
		return nil, false, err
	}
	for _, e := range f[2:] {
		parts := strings.Split(e, ",")
		if len(parts) != 3 {
			return nil, false, fmt.Errorf("%w: series point %q", ErrReport, e)
		}
		dt, err1 := strconv.ParseInt(parts[0], 10, 64)
		d, err2 := strconv.ParseInt(parts[1], 10, 64)
		a, err3 := strconv.ParseUint(parts[2], 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, false, fmt.Errorf("%w: series point %q", ErrReport, e)
		}
		pts = append(pts, point{At: base.Add(time.Duration(dt)), Delivered: d, Allocs: a})
	}
	return pts, f[0] == "more", nil
}
