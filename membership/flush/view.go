package flush

import (
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// View is a group view: an id and the members in rank order. Rank 0 is the
// oldest member and coordinates view changes.
type View struct {
	ID      uint64
	Members []history.ProcessID
}

// Rank returns p's rank in v, or -1 if p is not a member.
func (v View) Rank(p history.ProcessID) int { return slices.Index(v.Members, p) }

// Status says what a Member is doing.
type Status int

const (
	// Joining: not yet in a view; asking the seeds to be added.
	Joining Status = iota
	// Normal: in a view, multicasting and delivering.
	Normal
	// Flushing: the current view is ending; multicasts are queued for the
	// next view and nothing more of this view is delivered until the cut.
	Flushing
	// Blocked: the members this process still trusts are no primary
	// component under the Policy; it neither multicasts nor delivers and
	// waits for the partition to heal (or to learn it was removed).
	Blocked
	// Excluded: removed from the group (suspected); it must join again.
	Excluded
	// Left: left the group at its own request.
	Left
)

var statusNames = [...]string{"joining", "normal", "flushing", "blocked", "excluded", "left"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "status?"
}

// KindBlocked is the kind of the event a Member records when it finds its
// side of the group has no primary component and blocks. Value says why.
const KindBlocked = history.Blocked

func ids(ss []string) []history.ProcessID {
	out := make([]history.ProcessID, len(ss))
	for i, s := range ss {
		out[i] = history.ProcessID(s)
	}
	return out
}

func strs(ps []history.ProcessID) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

// less orders ballots: by round, then by coordinator id.
func less(a, b *Ballot) bool {
	if a == nil {
		return b != nil
	}
	if b == nil {
		return false
	}
	if a.Round != b.Round {
		return a.Round < b.Round
	}
	return a.Coordinator < b.Coordinator
}

func sameBallot(a, b *Ballot) bool {
	return a != nil && b != nil && a.Round == b.Round && a.Coordinator == b.Coordinator
}
