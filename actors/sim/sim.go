package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"google.golang.org/protobuf/proto"
)

// Stream constants separate the generators derived from one seed, so that a
// workload drawing more numbers from Rand does not shift the network's
// choices, and adding a faulty process does not shift either.
const (
	streamNet    = 0x6e6574 // "net"
	streamWork   = 0x776f726b
	streamFaults = 0x666c74
)

// Sim is one deterministic simulation run. It is not safe for concurrent use:
// everything, including the actions scheduled with Do, runs on the goroutine
// that calls Run.
type Sim struct {
	cfg   Config
	now   int64
	q     queue
	procs []*process
	index map[history.ProcessID]int32

	netRand    *rand.Rand
	workRand   *rand.Rand
	faultsRand *rand.Rand

	// pending counts queued events other than the tick, i.e. work that
	// keeps the system from being quiescent.
	pending int
	// idle counts consecutive tick rounds in which nothing happened.
	idle int
	// steps counts events processed, against Config.MaxSteps.
	steps int64
	// produced counts messages sent and events emitted; a tick round that
	// leaves it unchanged was idle.
	produced int64

	filter func(from, to history.ProcessID, msg proto.Message) bool

	hist  history.History
	stats Stats
}

// process is the simulator's record of one process.
type process struct {
	id      history.ProcessID
	idx     int32 // position in Sim.procs
	m       step.Machine
	crashed bool
	// sending is set while the messages of p's Ready are being sent; a
	// crash then records its Crash event after the Ready's events.
	sending bool
	// group is the partition group; processes talk only within a group.
	group int
	// lastArrival[to] is the latest arrival time scheduled on the link to
	// process to, used to keep links FIFO when Net.Reorder is off.
	lastArrival []int64
	faults      faultState
	// markedFaulty is set once a Faulty event has been recorded for it.
	markedFaulty bool
	stats        ProcStats
}

// New returns a simulator with no processes, or an error wrapping ErrConfig.
func New(cfg Config) (*Sim, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Sim{
		cfg:        cfg,
		index:      make(map[history.ProcessID]int32),
		netRand:    rand.New(rand.NewPCG(cfg.Seed, streamNet)),
		workRand:   rand.New(rand.NewPCG(cfg.Seed, streamWork)),
		faultsRand: rand.New(rand.NewPCG(cfg.Seed, streamFaults)),
	}
	if cfg.TickEvery > 0 {
		s.q.push(event{at: cfg.TickEvery, kind: tick})
	}
	return s, nil
}

// Add makes m one of the simulated processes, under m.ID(). It may be called
// before a run or from an action (a process joining later); the new process
// gets ticks from the next tick on. Whatever m has ready already (a
// commander's first round, a joiner's request) is carried out by an action
// scheduled for the current time, not at once, so that processes added
// together before a run all exist before the first of them sends. Add
// returns an error wrapping ErrProcess if m is nil or its ID is taken.
func (s *Sim) Add(m step.Machine) error {
	if m == nil {
		return fmt.Errorf("%w: nil machine", ErrProcess)
	}
	id := m.ID()
	if _, dup := s.index[id]; dup {
		return fmt.Errorf("%w: %q added twice", ErrProcess, id)
	}
	s.index[id] = int32(len(s.procs))
	s.procs = append(s.procs, &process{id: id, idx: int32(len(s.procs)), m: m})
	s.stats.Procs = append(s.stats.Procs, ProcStats{ID: id})
	s.Do(s.now, func(*Sim) error { return nil }) // the drain that follows every action sends m's first output
	return nil
}

// Do schedules fn to run at virtual time at (or now, if at is in the past).
// Actions are how a test drives a run: an application multicast (a call on
// the concrete machine), Crash, Partition, Heal, Add. After fn returns, every
// live process with something ready has it carried out. If fn returns an
// error the run stops with an error wrapping ErrAction and fn's error.
func (s *Sim) Do(at int64, fn func(s *Sim) error) {
	s.q.push(event{at: max(at, s.now), kind: action, fn: fn})
	s.pending++
}

// Now returns the current virtual time.
func (s *Sim) Now() int64 { return s.now }

// Seed returns the seed the run was created with.
func (s *Sim) Seed() uint64 { return s.cfg.Seed }

// Rand returns a generator derived from the run's seed for the workload's
// own choices (which process multicasts, what, when). It is separate from
// the network's generator.
func (s *Sim) Rand() *rand.Rand { return s.workRand }

// Processes returns the IDs of all processes, in the order they were added.
func (s *Sim) Processes() []history.ProcessID {
	ids := make([]history.ProcessID, len(s.procs))
	for i, p := range s.procs {
		ids[i] = p.id
	}
	return ids
}

// Machine returns the machine running as id, or nil if there is none.
func (s *Sim) Machine(id history.ProcessID) step.Machine {
	if i, ok := s.index[id]; ok {
		return s.procs[i].m
	}
	return nil
}

// Crashed reports whether process id has crashed.
func (s *Sim) Crashed(id history.ProcessID) bool {
	i, ok := s.index[id]
	return ok && s.procs[i].crashed
}

// Crash stops process id for good: it takes no more steps or ticks, messages
// to it are dropped, messages it has scheduled but not yet sent (held back by
// a timing failure) are dropped, and a Crash event is recorded. Messages it
// sent before crashing are still in flight and may arrive. Crashing a crashed
// process does nothing.
func (s *Sim) Crash(id history.ProcessID) error {
	p, err := s.lookup(id)
	if err != nil {
		return err
	}
	s.crash(p)
	return nil
}

func (s *Sim) crash(p *process) {
	if p.crashed {
		return
	}
	p.crashed = true
	if !p.sending {
		s.record(history.Event{Process: p.id, Kind: history.Crash})
	}
}

// Partition splits the network into the given groups: a message between two
// processes of different groups is dropped, both when it is sent and when it
// would arrive. Processes named in no group form one more group together.
// Partition replaces any earlier partition.
func (s *Sim) Partition(groups ...[]history.ProcessID) error {
	assigned := make([]int, len(s.procs))
	for g, members := range groups {
		for _, id := range members {
			i, ok := s.index[id]
			if !ok {
				return fmt.Errorf("%w: partition names unknown process %q", ErrProcess, id)
			}
			assigned[i] = g + 1
		}
	}
	for i, p := range s.procs {
		p.group = assigned[i]
	}
	return nil
}

// Isolate cuts process id off from every other process, leaving the rest of
// any partition as it is.
func (s *Sim) Isolate(id history.ProcessID) error {
	p, err := s.lookup(id)
	if err != nil {
		return err
	}
	fresh := 0
	for _, q := range s.procs {
		fresh = max(fresh, q.group)
	}
	p.group = fresh + 1
	return nil
}

// Heal removes every partition and isolation.
func (s *Sim) Heal() {
	for _, p := range s.procs {
		p.group = 0
	}
}

// History returns a copy of the events recorded so far: every event in every
// Ready, with Time set to the virtual time it was produced and Index to its
// position, plus a Crash event for each crash and a Faulty event for each
// process whose failure model became active.
func (s *Sim) History() history.History { return slices.Clone(s.hist) }

func (s *Sim) lookup(id history.ProcessID) (*process, error) {
	i, ok := s.index[id]
	if !ok {
		return nil, fmt.Errorf("%w: unknown process %q", ErrProcess, id)
	}
	return s.procs[i], nil
}

// record appends ev to the history, stamped with the current time.
func (s *Sim) record(ev history.Event) {
	if !s.cfg.Record {
		return
	}
	ev.Index = int64(len(s.hist))
	ev.Time = s.now
	if ev.Members != nil {
		// The machine may reuse its buffers after Advance.
		ev.Members = slices.Clone(ev.Members)
	}
	s.hist = append(s.hist, ev)
}
