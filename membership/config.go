package membership

import (
	"fmt"
	"github.com/lockstep-actors/lockstep/internal/outbox"
	"slices"
	"strings"
	"time"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/membership/flush"
)

// Config configures one member of a group: the actor Start spawns, whose
// mailbox is the view manager. Build it from DefaultConfig and fill in the
// group.
type Config struct {
	// Group names the process group.
	Group string
	// Name is the protoactor name of the member actor; its process id is
	// the node's address, "/", Name. Empty means Group. Processes joining
	// through seeds given as bare addresses assume the seed's member actor
	// has the same Name.
	Name string
	// Members, when not empty, founds the group: the first view (id 1) has
	// exactly these members in rank order, and every founding member must
	// be started with the same list, which must contain this member's id.
	// Leave it empty to join an existing group through Seeds.
	Members []history.ProcessID
	// Seeds are members of an existing group to ask for admission: each a
	// process id ("host:port/name") or a bare node address ("host:port"),
	// meaning the actor called Name on that node.
	Seeds []string
	// TickInterval is the wall-clock length of one tick of the core, the
	// only clock it has: heartbeats go out every Core.HeartbeatEvery ticks
	// and a member silent for Core.SuspectTimeout ticks is suspected.
	TickInterval time.Duration
	// PendingLimit bounds this member's multicasts accepted by
	// Group.Multicast but not yet handed to the core (waiting in the
	// mailbox, for window space, or for the first view). Beyond it
	// Multicast fails with ErrBackpressure.
	PendingLimit int
	// ConnectionHints makes protoactor's report of a lost connection to a
	// member's node (remote.EndpointTerminatedEvent) suspect that member at
	// once, instead of after Core.SuspectTimeout of silence. It only speeds
	// detection up: heartbeats still catch what connections miss (hung and
	// slow processes). Its cost is a false suspicion, hence the removal of a
	// live member, whenever a connection breaks while its process lives.
	ConnectionHints bool
	// BatchMax is the most messages the member sends to one destination
	// as one transport message: data and ordering traffic sent during one
	// mailbox invocation is gathered per destination and sent when it ends
	// (heartbeats and flush steps always go at once, alone). 1 sends every
	// message alone. See package ordering's doc, "Batching".
	BatchMax int
	// Core holds the knobs of the pure core: ordering class, stable-only
	// delivery, heartbeat and suspicion periods in ticks, retransmission,
	// policy. Its Self, Group, Members, Seeds and State are ignored and
	// filled in from the fields above and the options.
	Core flush.Config
}

// DefaultConfig returns a Config for group with the core's defaults (FIFO
// class, majority policy, heartbeats every 2 ticks, suspicion after 20) and
// a 5 ms tick: heartbeats every 10 ms, suspicion after 100 ms of silence,
// or at once when protoactor reports the connection to a member's node lost.
// Fill in Members to found the group, or Seeds to join it.
func DefaultConfig(group string) Config {
	return Config{
		Group:           group,
		TickInterval:    5 * time.Millisecond,
		PendingLimit:    4096,
		ConnectionHints: true,
		BatchMax:        outbox.DefaultConfig().MaxItems,
		Core:            flush.DefaultConfig("", group, nil),
	}
}

// outbox is the batching configuration of a member.
func (c Config) outbox() outbox.Config {
	oc := outbox.DefaultConfig()
	oc.MaxItems = c.BatchMax
	return oc
}

// actorName is the name the member actor is spawned under.
func (c Config) actorName() string {
	if c.Name != "" {
		return c.Name
	}
	return c.Group
}

// seedIDs turns Seeds into process ids: a bare address gets "/"+Name.
func (c Config) seedIDs() []history.ProcessID {
	out := make([]history.ProcessID, 0, len(c.Seeds))
	for _, s := range c.Seeds {
		if !strings.Contains(s, "/") {
			s += "/" + c.actorName()
		}
		out = append(out, history.ProcessID(s))
	}
	return out
}

// coreConfig is the core's configuration for the member self.
func (c Config) coreConfig(self history.ProcessID, st flush.StateTransfer) flush.Config {
	fc := c.Core
	fc.Self, fc.Group, fc.Members, fc.Seeds, fc.State = self, c.Group, slices.Clone(c.Members), c.seedIDs(), st
	return fc
}

// Validate reports what is wrong with c, wrapping ErrConfig (and, for the
// core's knobs, flush.ErrConfig too).
func (c Config) Validate() error {
	switch {
	case c.Group == "":
		return fmt.Errorf("%w: Group is empty", ErrConfig)
	case strings.Contains(c.Name, "#"):
		return fmt.Errorf("%w: Name %q contains '#'", ErrConfig, c.Name)
	case len(c.Members) == 0 && len(c.Seeds) == 0:
		return fmt.Errorf("%w: neither Members (found) nor Seeds (join) given", ErrConfig)
	case c.TickInterval <= 0:
		return fmt.Errorf("%w: TickInterval %v must be positive", ErrConfig, c.TickInterval)
	case c.PendingLimit < 1:
		return fmt.Errorf("%w: PendingLimit %d < 1", ErrConfig, c.PendingLimit)
	case c.BatchMax < 1:
		return fmt.Errorf("%w: BatchMax %d < 1", ErrConfig, c.BatchMax)
	}
	for _, s := range c.Seeds {
		if s == "" || strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") {
			return fmt.Errorf("%w: seed %q is neither host:port nor host:port/name", ErrConfig, s)
		}
	}
	self := history.ProcessID("validate/" + c.actorName())
	if len(c.Members) > 0 {
		self = c.Members[0] // any member will do for checking the core's knobs
	}
	if err := c.coreConfig(self, nil).Validate(); err != nil {
		return fmt.Errorf("%w: Core: %w", ErrConfig, err)
	}
	return nil
}
