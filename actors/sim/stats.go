package sim

import (
	"slices"

	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
)

// Stats counts what happened in a run. The network loses nothing silently:
//
//	Sent + Duplicated == Delivered + Filtered + Lost + PartitionDropped +
//	                     CrashDropped + ReceiveOmitted + InFlight
type Stats struct {
	// Sent counts messages handed to the network, after the sender's
	// failure model.
	Sent int64
	// Delivered counts messages passed to a process's Step.
	Delivered int64
	// Filtered counts messages the hook installed with SetFilter dropped.
	Filtered int64
	// Lost counts messages the network lost (Net.Loss).
	Lost int64
	// Duplicated counts extra copies the network made (Net.Duplicate).
	Duplicated int64
	// PartitionDropped counts messages cut by a partition, at sending or
	// arrival.
	PartitionDropped int64
	// CrashDropped counts messages that arrived at a crashed process.
	CrashDropped int64
	// SendOmitted counts messages a sender's failure model kept from the
	// network, and messages a crashed sender never got to send: the rest of
	// a Ready after a crash part way through it, and messages held back by
	// a timing failure whose time came after the crash.
	SendOmitted int64
	// ReceiveOmitted counts messages a receiver's failure model dropped on
	// arrival.
	ReceiveOmitted int64
	// InFlight counts messages in the network that have not arrived yet.
	InFlight int64
	// Unroutable counts messages addressed to a process the simulator does
	// not know.
	Unroutable int64
	// StepErrors counts errors returned by Step, over all processes.
	StepErrors int64
	// Ticks counts tick rounds.
	Ticks int64
	// Steps counts events processed (arrivals, tick rounds, actions, held
	// back sends).
	Steps int64
	// Procs has one entry per process, in the order they were added.
	Procs []ProcStats
}

// ProcStats counts what happened to one process.
type ProcStats struct {
	ID history.ProcessID
	// Sent counts messages it handed to the network.
	Sent int64
	// Received counts messages passed to its Step.
	Received int64
	// StepErrors counts errors its Step returned; LastError is the latest.
	StepErrors int64
	LastError  error
	// Crashed says whether it has crashed.
	Crashed bool
	// Faults is what its failure model did, if it has one.
	Faults faults.Stats
}

// Stats returns the counters so far.
func (s *Sim) Stats() Stats {
	st := s.stats
	st.Steps = s.steps
	st.Procs = slices.Clone(s.stats.Procs)
	for i, p := range s.procs {
		st.Procs[i].Crashed = p.crashed
		if p.faults.in != nil {
			st.Procs[i].Faults = p.faults.in.Stats()
		}
	}
	return st
}

// Delivered returns Stats().Delivered without copying the per-process
// counters, for conditions checked before every event.
func (s *Sim) Delivered() int64 { return s.stats.Delivered }
