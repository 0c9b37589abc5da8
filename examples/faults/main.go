// Command faults shows Lockstep's failure models at work on real protoactor
// actors: a node hosts one sender and three receivers; the sender sends each
// receiver a numbered stream of probes, first correctly, then under one
// failure model after another, and the program prints what the middleware
// did and what the receivers observed.
//
//	go run ./examples/faults [-seed N]
//
// Every model is switched on after the sender has handled 20 messages and is
// seeded, so a run with the same seed makes the same choices.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/wire"
)

// Workload of one round: probes per receiver, receivers, and how many
// messages the sender handles correctly before its failure model starts.
const (
	probes     = 100
	receivers  = 3
	healthyFor = 20
	// delayTicks is the timing failure's lateness, in FaultTicks of 1 ms.
	delayTicks = 30
)

func main() {
	seed := flag.Uint64("seed", 1, "seed of every failure model")
	flag.Parse()
	if _, err := run(os.Stdout, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(1)
	}
}

// round is what one failure model did and what the receivers saw.
type round struct {
	Model    faults.Model
	Injected actors.FaultStats
	Seen     observed
}

// handled is the number of messages that went through the faulty actors'
// injectors: sent by the sender, or arriving at the receivers.
func (r round) handled() int {
	n := r.Injected.Sent + r.Injected.Received
	if r.Model == faults.ReceiveOmission {
		n += r.Injected.Dropped
	}
	return n
}

// run plays one round per failure model and prints a table to w.
func run(w io.Writer, seed uint64) ([]round, error) {
	// A local node: actor ids are then the same in every run ("nonhost/rx-…"),
	// and so are the choices that depend on them, such as which receivers a
	// two-faced sender lies to. With remote on, ids carry the port.
	node, err := actors.NewNode(actors.DefaultConfig(), actors.WithFaultTick(time.Millisecond))
	if err != nil {
		return nil, err
	}
	defer node.Close()
	fmt.Fprintf(w, "node %q: 1 sender, %d receivers, %d probes to each; failure model on after %d messages, seed %d\n\n",
		node.ID(), receivers, probes, healthyFor, seed)

	models := append([]faults.Model{faults.None}, faults.Models...)
	rounds := make([]round, 0, len(models))
	for _, m := range models {
		r, err := playRound(node, m, seed)
		if err != nil {
			return rounds, fmt.Errorf("%v: %w", m, err)
		}
		rounds = append(rounds, r)
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\thandled\tdropped\tdelayed\tcorrupted\treplayed\tforged\t|\treceived\tmissing\tbad value\tduplicate\tout of order\tlate\t")
	for _, r := range rounds {
		in, s := r.Injected, r.Seen
		fmt.Fprintf(tw, "%v\t%d\t%d\t%d\t%d\t%d\t%d\t|\t%d\t%d\t%d\t%d\t%d\t%d\t\n",
			r.Model, r.handled(), in.Dropped, in.Delayed, in.Corrupted, in.Replayed, in.Forged,
			s.Received, s.Missing, s.BadValue, s.Duplicate, s.OutOfOrder, s.Late)
	}
	if err := tw.Flush(); err != nil {
		return rounds, err
	}
	fmt.Fprintf(w, "\nleft: what the fault middleware did; right: what the receivers observed (late: arrived %d ms\n"+
		"or more after it was sent). Crash stops the sender for good; arbitrary uses a two-faced adversary.\n", delayTicks)
	return rounds, nil
}

// playRound spawns fresh actors, with model m on the sender (on the
// receivers for receive omission), sends the workload and collects what the
// receivers observed.
func playRound(node *actors.Node, m faults.Model, seed uint64) (round, error) {
	spec := faults.Spec{Model: m, Start: faults.Trigger{AfterMessages: healthyFor}, Seed: seed}
	switch m {
	case faults.SendOmission, faults.ReceiveOmission, faults.Value:
		spec.Rate = 0.25
	case faults.StateTransition:
		spec.Rate = 0.1
	case faults.Timing:
		spec.Delay = delayTicks
	case faults.Arbitrary:
		spec.Adversary = faults.TwoFaced{Salt: seed}
	}
	f, err := node.NewFaults(spec)
	if err != nil {
		return round{}, err
	}
	var rxOpts, txOpts []actor.PropsOption
	if m == faults.ReceiveOmission {
		rxOpts = f.PropsOptions()
	} else {
		txOpts = f.PropsOptions()
	}

	rxs := make([]*actor.PID, receivers)
	for i := range rxs {
		if rxs[i], err = node.SpawnProps(fmt.Sprintf("rx-%v-%d", m, i), actor.PropsFromProducer(newReceiver, rxOpts...)); err != nil {
			return round{}, err
		}
	}
	tx, err := node.SpawnProps(fmt.Sprintf("tx-%v", m), actor.PropsFromProducer(newSender, txOpts...))
	if err != nil {
		return round{}, err
	}
	sent := make(chan struct{})
	cmd := sendAll{to: rxs, done: sent, sentAt: make([][]time.Time, probes+1)}
	for n := range cmd.sentAt {
		cmd.sentAt[n] = make([]time.Time, receivers)
	}
	for i, rx := range rxs {
		// Lateness is only measured where it is the point: under a heavily
		// loaded machine an on-time message can also be processed late.
		node.Root().Send(rx, expect{sentAt: cmd.sentAt, sent: sent, index: i, measure: m == faults.Timing})
	}
	node.Root().Send(tx, cmd)
	select {
	case <-sent:
	case <-time.After(5 * time.Second):
		if m != faults.Crash {
			return round{}, fmt.Errorf("sender did not finish")
		}
	}

	want := probes * receivers
	switch m {
	case faults.Crash, faults.SendOmission, faults.ReceiveOmission:
		want = -1 // unknown: some messages never arrive
	case faults.StateTransition:
		want = -1 // replays add messages
	}
	seen := awaitReceived(node, rxs, want)
	return round{Model: m, Injected: f.Stats(), Seen: seen}, nil
}

// awaitReceived collects the receivers' observations until they have
// received want probes (late ones included), or just once if want < 0.
// Everything sent on time is already in the receivers' mailboxes ahead of
// the first report request, so a single collection sees all of it.
func awaitReceived(node *actors.Node, rxs []*actor.PID, want int) observed {
	deadline := time.Now().Add(5 * time.Second)
	for {
		seen := collect(node, rxs)
		if want < 0 || seen.Received >= want || time.Now().After(deadline) {
			return seen
		}
		time.Sleep(5 * time.Millisecond) // a demo may poll: late messages land on their own timers
	}
}

// collect asks every receiver for its observations and sums them.
func collect(node *actors.Node, rxs []*actor.PID) observed {
	var sum observed
	for _, rx := range rxs {
		res, err := node.Root().RequestFuture(rx, report{}, 5*time.Second).Result()
		if o, ok := res.(observed); ok && err == nil {
			sum.add(o)
		}
	}
	return sum
}

// sendAll asks the sender to send the workload.
type sendAll struct {
	to   []*actor.PID
	done chan struct{}
	// sentAt[n][i] is when probe n was sent to receiver i; written by the
	// sender before done closes, read by the receivers after it.
	sentAt [][]time.Time
}

// newSender is the sender: on sendAll it sends probes 1..probes to every
// receiver, interleaved.
func newSender() actor.Actor {
	return actor.ReceiveFunc(func(c actor.Context) {
		cmd, ok := c.Message().(sendAll)
		if !ok {
			return
		}
		for n := 1; n <= probes; n++ {
			for i, rx := range cmd.to {
				cmd.sentAt[n][i] = time.Now()
				c.Send(rx, &wire.Probe{From: "tx", N: uint64(n), Body: []byte(body(n))})
			}
		}
		close(cmd.done)
	})
}

func body(n int) string { return fmt.Sprintf("probe-%03d", n) }

// report asks a receiver for its observations.
type report struct{}

// observed is what receivers saw of the probe stream.
type observed struct {
	Received   int // probes that arrived
	Missing    int // numbers 1..probes never seen with a good value
	BadValue   int // probes whose fields do not match their number
	Duplicate  int // numbers seen again
	OutOfOrder int // probes numbered below one already seen
	Late       int // probes that arrived delayTicks ms or more after they were sent
}

func (o *observed) add(p observed) {
	o.Received += p.Received
	o.Missing += p.Missing
	o.BadValue += p.BadValue
	o.Duplicate += p.Duplicate
	o.OutOfOrder += p.OutOfOrder
	o.Late += p.Late
}

// expect tells a receiver where to find the send times of the round.
type expect struct {
	sentAt  [][]time.Time
	sent    <-chan struct{}
	index   int
	measure bool
}

// receiver checks the probe stream it gets from the sender.
type receiver struct {
	seen    map[uint64]bool
	highest uint64
	obs     observed
	// arrived[n] is when probe n first arrived; lateness is judged at report
	// time, once the sender has finished and its send times can be read.
	arrived map[uint64]time.Time
	exp     expect
}

func newReceiver() actor.Actor {
	return &receiver{seen: make(map[uint64]bool), arrived: make(map[uint64]time.Time)}
}

// Receive implements actor.Actor.
func (r *receiver) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case expect:
		r.exp = m
	case *wire.Probe:
		r.obs.Received++
		if m.From != "tx" || m.N < 1 || m.N > probes || string(m.Body) != body(int(m.N)) {
			r.obs.BadValue++
			return
		}
		switch {
		case r.seen[m.N]:
			r.obs.Duplicate++
		case m.N < r.highest:
			r.obs.OutOfOrder++
		}
		if !r.seen[m.N] {
			r.arrived[m.N] = time.Now()
		}
		r.seen[m.N] = true
		r.highest = max(r.highest, m.N)
	case report:
		o := r.obs
		o.Missing = probes - len(r.seen)
		o.Late = r.late()
		c.Respond(o)
	}
}

// late counts the probes that arrived at least delayTicks ms after they were
// sent, in the timing round, once the sender has finished.
func (r *receiver) late() int {
	if !r.exp.measure {
		return 0
	}
	select {
	case <-r.exp.sent:
	default:
		return 0
	}
	n := 0
	for k, at := range r.arrived {
		if at.Sub(r.exp.sentAt[k][r.exp.index]) >= delayTicks*time.Millisecond {
			n++
		}
	}
	return n
}
