package main

import (
	"fmt"
	"image/color"
	"os"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// chartSpan is the averaging span of the plotted rates: short enough to
// show the stall of the view change, long enough to be read.
const chartSpan = 100 * time.Millisecond

// drawChart plots delivered messages per second per surviving member over
// time across the crash, one panel and one line per class on a common
// scale (six lines in one panel are unreadable on a noisy machine), with
// the crash, the view installation and 90% of the pre-crash rate marked.
func drawChart(runs []crashRun, path string) error {
	var ok []crashRun
	var rates []float64
	for _, r := range runs {
		if r.Err != nil || r.Res == nil {
			continue
		}
		ok = append(ok, r)
		for _, s := range r.Res.Samples {
			if s.At >= chartSpan {
				rates = append(rates, r.Res.Rate(s.At-chartSpan, s.At))
			}
		}
	}
	if len(ok) == 0 || len(rates) == 0 {
		return fmt.Errorf("no crash run to plot")
	}
	// The scale follows the 98th percentile, not the maximum: the burst of
	// a flush delivering its cut can be several times the steady rate in
	// one 100 ms span, and would flatten every line; such spikes are cut
	// off at the top of the panel.
	slices.Sort(rates)
	top := rates[len(rates)*98/100] * 1.3
	const cols = 3
	rows := (len(ok) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, r := range ok {
		p, err := classPanel(r, i, top*1.1, i == 0)
		if err != nil {
			return err
		}
		grid[i/cols][i%cols] = p
	}
	img := vgimg.New(15*vg.Inch, vg.Length(rows)*4*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align(grid, tiles, dc)
	for j := range grid {
		for i, p := range grid[j] {
			if p != nil {
				p.Draw(canvases[j][i])
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// classPanel is one class's throughput across the crash.
func classPanel(r crashRun, i int, ymax float64, legend bool) (*plot.Plot, error) {
	res := r.Res
	rec, back := res.Recovery(0.9, recoverySpan)
	p := plot.New()
	status := fmt.Sprintf("back to 90%%: +%d ms", rec.Milliseconds())
	if !back {
		status = "not back to 90%"
	}
	p.Title.Text = fmt.Sprintf("%s: view +%d ms, %s", r.Class, res.ViewChange.Milliseconds(), status)
	p.X.Label.Text = "seconds since the crash"
	p.Y.Label.Text = fmt.Sprintf("msgs/s per member (%d ms avg.)", chartSpan.Milliseconds())
	p.Add(plotter.NewGrid())
	p.Y.Min, p.Y.Max = 0, ymax
	p.Y.Tick.Marker = kTicks{}
	p.X.Min, p.X.Max = -r.Res.Config.Before.Seconds(), r.Res.Config.After.Seconds()
	var pts plotter.XYs
	for _, s := range res.Samples {
		if s.At < chartSpan {
			continue
		}
		pts = append(pts, plotter.XY{X: (s.At - res.Fault).Seconds(), Y: res.Rate(s.At-chartSpan, s.At)})
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	l.LineStyle.Width, l.LineStyle.Color = vg.Points(1.5), plotutil.Color(i)
	p.Add(l)
	if legend {
		p.Legend.Add("delivered", l)
	}
	x0, x1 := -res.Fault.Seconds(), (res.Window - res.Fault).Seconds()
	dashed := []vg.Length{vg.Points(4), vg.Points(3)}
	add := func(pts plotter.XYs, c color.Color, dashes []vg.Length, label string) error {
		m, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		m.LineStyle.Color, m.LineStyle.Width, m.LineStyle.Dashes = c, vg.Points(1), dashes
		p.Add(m)
		if legend {
			p.Legend.Add(label, m)
		}
		return nil
	}
	if err := add(plotter.XYs{{X: 0, Y: 0}, {X: 0, Y: ymax}}, color.Black, nil, "crash"); err != nil {
		return nil, err
	}
	vc := res.ViewChange.Seconds()
	if res.RemovedEarly {
		p.Title.Text = fmt.Sprintf("%s: member removed before the crash (false suspicion)", r.Class)
	} else if err := add(plotter.XYs{{X: vc, Y: 0}, {X: vc, Y: ymax}}, color.RGBA{B: 200, A: 255}, dashed, "new view installed"); err != nil {
		return nil, err
	}
	lvl := 0.9 * res.PreFault()
	if err := add(plotter.XYs{{X: x0, Y: lvl}, {X: x1, Y: lvl}}, color.Gray{Y: 90}, dashed, "90% of the pre-crash second"); err != nil {
		return nil, err
	}
	p.Legend.Top = true
	p.Legend.Left = true
	return p, nil
}

// kTicks labels rates as 25k, 50k, ...
type kTicks struct{}

func (kTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i, t := range ts {
		if t.Label == "" {
			continue
		}
		switch {
		case t.Value >= 1e6:
			ts[i].Label = fmt.Sprintf("%gM", t.Value/1e6)
		case t.Value >= 1e3:
			ts[i].Label = fmt.Sprintf("%gk", t.Value/1e3)
		default:
			ts[i].Label = fmt.Sprintf("%g", t.Value)
		}
	}
	return ts
}
