package main

import (
	"fmt"
	"image/color"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// drawChart plots delivered messages per second per member across the
// crash, one line per class, with the crash and the median view
// installation marked, into path (PNG).
func drawChart(runs []crashRun, path string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Delivered throughput across a member crash (%d members, one process, %v averages)", crashMembers, recoverySpan)
	p.X.Label.Text = "time since the crash (s)"
	p.Y.Label.Text = "delivered msgs/s per surviving member"
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	var top float64
	var changes []time.Duration
	for i, r := range runs {
		if r.Err != nil || r.Res == nil {
			continue
		}
		var pts plotter.XYs
		s := r.Res.Samples
		for _, smp := range s {
			if smp.At < recoverySpan {
				continue
			}
			rate := r.Res.Rate(smp.At-recoverySpan, smp.At)
			pts = append(pts, plotter.XY{X: (smp.At - r.Res.Fault).Seconds(), Y: rate})
			top = max(top, rate)
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		l.LineStyle.Width = vg.Points(1.5)
		l.LineStyle.Color = plotutil.Color(i)
		l.LineStyle.Dashes = plotutil.Dashes(i / 3)
		p.Add(l)
		p.Legend.Add(r.Class.String(), l)
		changes = append(changes, r.Res.ViewChange)
	}
	if len(changes) == 0 {
		return fmt.Errorf("no crash run to plot")
	}
	p.Y.Min = 0
	p.Y.Max = top * 1.15
	mark := func(x float64, c color.Color, dashed bool, label string) error {
		l, err := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: top * 1.1}})
		if err != nil {
			return err
		}
		l.LineStyle.Color, l.LineStyle.Width = c, vg.Points(1)
		if dashed {
			l.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(l)
		p.Legend.Add(label, l)
		return nil
	}
	if err := mark(0, color.Black, false, "crash"); err != nil {
		return err
	}
	slices.Sort(changes)
	med := changes[len(changes)/2]
	if err := mark(med.Seconds(), color.Gray{Y: 100}, true, fmt.Sprintf("new view installed (median %d ms)", med.Milliseconds())); err != nil {
		return err
	}
	return p.Save(10*vg.Inch, 5.5*vg.Inch, path)
}
