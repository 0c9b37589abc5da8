package spacetime

import (
	"fmt"
	"html"
	"io"
	"slices"
	"strings"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// Config says what to draw.
type Config struct {
	// From and To bound the window, in the history's time unit.
	From, To int64
	// Processes in drawing order (top to bottom); empty means every process
	// with an event in the window, sorted.
	Processes []history.ProcessID
	// MaxMessages caps the multicasts drawn, spread evenly over the window.
	MaxMessages int
	// Title heads the picture.
	Title string
	// Label shortens a process id for display; nil keeps the part after
	// the last "/".
	Label func(history.ProcessID) string
	// CompressGaps, if positive, draws any stretch longer than this without
	// a drawn event (a failure detector's wait, say) this long, marked with
	// a dashed line and its real length, so the busy parts stay readable.
	CompressGaps int64
}

const (
	left, right, top, rowH, width = 110, 30, 60, 70, 1100
)

// Stats says what was drawn.
type Stats struct {
	Processes, Multicasts, Deliveries, Views, Crashes int
}

// Write renders h's window as SVG into w.
func Write(w io.Writer, h history.History, cfg Config) (Stats, error) {
	var st Stats
	if cfg.To <= cfg.From {
		return st, fmt.Errorf("spacetime: empty window [%d, %d]", cfg.From, cfg.To)
	}
	in := func(t int64) bool { return t >= cfg.From && t <= cfg.To }
	label := cfg.Label
	if label == nil {
		label = func(p history.ProcessID) string { s := string(p); return s[strings.LastIndex(s, "/")+1:] }
	}
	procs := cfg.Processes
	if len(procs) == 0 {
		seen := map[history.ProcessID]bool{}
		for _, e := range h {
			if in(e.Time) && e.Process != "" && !seen[e.Process] {
				seen[e.Process] = true
				procs = append(procs, e.Process)
			}
		}
		slices.Sort(procs)
	}
	row := make(map[history.ProcessID]int, len(procs))
	for i, p := range procs {
		row[p] = i
	}
	st.Processes = len(procs)
	y := func(p history.ProcessID) float64 { return top + float64(row[p])*rowH }
	height := top + len(procs)*rowH + 10

	// Multicasts in the window, thinned evenly to MaxMessages.
	var mcs []history.Event
	delivs := map[history.MsgID][]history.Event{}
	var views, crashes []history.Event
	for _, e := range h {
		if _, ok := row[e.Process]; !ok {
			continue
		}
		switch e.Kind {
		case history.Multicast:
			if in(e.Time) {
				mcs = append(mcs, e)
			}
		case history.Deliver:
			delivs[e.Msg] = append(delivs[e.Msg], e)
		case history.ViewInstall:
			if in(e.Time) {
				views = append(views, e)
			}
		case history.Crash:
			if in(e.Time) {
				crashes = append(crashes, e)
			}
		}
	}
	if cfg.MaxMessages > 0 && len(mcs) > cfg.MaxMessages {
		thin := make([]history.Event, 0, cfg.MaxMessages)
		for i := range cfg.MaxMessages {
			thin = append(thin, mcs[i*len(mcs)/cfg.MaxMessages])
		}
		mcs = thin
	}
	type arrow struct{ from, to history.Event }
	var arrows []arrow
	times := []int64{cfg.From, cfg.To}
	for _, m := range mcs {
		times = append(times, m.Time)
		for _, d := range delivs[m.Msg] {
			if d.Process != m.Process && in(d.Time) {
				arrows = append(arrows, arrow{m, d})
				times = append(times, d.Time)
			}
		}
	}
	for _, e := range append(slices.Clone(views), crashes...) {
		times = append(times, e.Time)
	}
	ax := newAxis(times, cfg.CompressGaps, left, width-right)
	x := ax.x
	end := map[history.ProcessID]int64{}
	for _, c := range crashes {
		end[c.Process] = c.Time
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, height)
	b.WriteString(`<defs><marker id="arr" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#3366aa"/></marker></defs>` + "\n")
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="%d" y="22" font-size="15" font-weight="bold">%s</text>`+"\n", left, html.EscapeString(cfg.Title))
	fmt.Fprintf(&b, `<text x="%d" y="42" fill="#555">%.1f ms shown; blue arrows: multicast to delivery (%s); green bars: view installed; red cross: crash; dashed: a quiet stretch drawn shortened</text>`+"\n",
		left, float64(cfg.To-cfg.From)/1e6, plural(len(mcs), "multicast"))
	for _, p := range procs {
		xe := x(cfg.To)
		if t, ok := end[p]; ok {
			xe = x(t)
		}
		fmt.Fprintf(&b, `<text x="8" y="%.0f">%s</text><line x1="%d" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#222" stroke-width="1.5"/>`+"\n",
			y(p)+4, html.EscapeString(label(p)), left, y(p), xe, y(p))
	}
	for _, g := range ax.breaks {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#999" stroke-dasharray="4,4"/><text x="%.1f" y="%d" fill="#777" text-anchor="middle">%.0f ms</text>`+"\n",
			g.at, top-12, g.at, height-10, g.at, height-2, float64(g.real)/1e6)
	}
	for _, m := range mcs {
		st.Multicasts++
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.0f" r="3" fill="#3366aa"><title>%s</title></circle>`+"\n", x(m.Time), y(m.Process), html.EscapeString(m.Msg.String()))
	}
	for _, a := range arrows {
		st.Deliveries++
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#3366aa" stroke-opacity="0.55" marker-end="url(#arr)"/>`+"\n",
			x(a.from.Time), y(a.from.Process), x(a.to.Time), y(a.to.Process))
	}
	for _, v := range views {
		st.Views++
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.0f" width="4" height="26" fill="#2a9d3a"><title>view %d installed: %d members</title></rect><text x="%.1f" y="%.0f" fill="#2a9d3a">v%d</text>`+"\n",
			x(v.Time)-2, y(v.Process)-13, v.View, len(v.Members), x(v.Time)+4, y(v.Process)-16, v.View)
	}
	for _, c := range crashes {
		st.Crashes++
		cx, cy := x(c.Time), y(c.Process)
		fmt.Fprintf(&b, `<path d="M%.1f,%.0f l12,12 m0,-12 l-12,12" stroke="#d62728" stroke-width="3"/><text x="%.1f" y="%.0f" fill="#d62728">crash</text>`+"\n",
			cx-6, cy-6, cx+8, cy+20)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return st, err
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return fmt.Sprintf("%d %ss", n, s)
}

// axis maps times to x coordinates, linearly between consecutive drawn
// times, with gaps longer than compress drawn compress long.
type axis struct {
	times  []int64   // sorted, distinct
	pos    []float64 // display position of each, before scaling
	scale  float64
	x0     float64
	breaks []gap
}

type gap struct {
	at   float64 // x of the dashed line
	real int64   // the gap's real length
}

func newAxis(times []int64, compress int64, x0, x1 float64) *axis {
	slices.Sort(times)
	times = slices.Compact(times)
	a := &axis{times: times, pos: make([]float64, len(times)), x0: x0}
	for i := 1; i < len(times); i++ {
		d := times[i] - times[i-1]
		if compress > 0 && d > compress {
			d = compress
		}
		a.pos[i] = a.pos[i-1] + float64(d)
	}
	total := a.pos[len(a.pos)-1]
	if total <= 0 {
		total = 1
	}
	a.scale = (x1 - x0) / total
	for i := 1; i < len(times); i++ {
		if d := times[i] - times[i-1]; compress > 0 && d > compress {
			a.breaks = append(a.breaks, gap{at: x0 + (a.pos[i-1]+a.pos[i])/2*a.scale, real: d})
		}
	}
	return a
}

func (a *axis) x(t int64) float64 {
	i, found := slices.BinarySearch(a.times, t)
	switch {
	case found:
		return a.x0 + a.pos[i]*a.scale
	case i == 0:
		return a.x0
	case i == len(a.times):
		return a.x0 + a.pos[len(a.pos)-1]*a.scale
	}
	lo, hi := a.times[i-1], a.times[i]
	p := a.pos[i-1] + (a.pos[i]-a.pos[i-1])*float64(t-lo)/float64(hi-lo)
	return a.x0 + p*a.scale
}
