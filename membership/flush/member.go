package flush

import (
	"errors"
	"fmt"
	"slices"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/actors/wire"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// Member is the membership core of one process: it owns the current view,
// multicasts and delivers in it (reliable FIFO, optionally stable-only),
// detects failures, and runs the flush that ends a view. It implements
// step.Machine and is not safe for concurrent use.
type Member struct {
	cfg    Config
	policy Policy
	now    int64
	status Status // Joining, Excluded, Left, or "in a view" (Normal)

	view View
	data *dataPath
	lay  *layer.Member // the view's ordering layer (Config.Class)
	prev *prevView

	holdback []history.Event // layer deliveries waiting to be stable
	held     []localMsg      // layer input held while a snapshot is owed

	// Failure detection, indexed by rank in view.
	lastHeard []int64
	awaiting  []bool // new to the view and not heard from yet: JoinGrace applies
	suspects  map[history.ProcessID]bool
	reported  [][]history.ProcessID // suspects each member reported last
	flushRep  []bool                // whether each member reported flushing
	blocked   bool

	// Acceptor state for ending the current view.
	promised     *Ballot
	promisedAt   int64
	accBallot    *Ballot
	accepted     *Proposal
	pendAccept   *Accept
	pendAcceptBy history.ProcessID
	pendCommit   *Commit
	pendCommitBy history.ProcessID
	maxRound     uint64
	frozen       []uint64 // the recv vector of our first FlushOk in this view

	coord        *coordinator
	backoffUntil int64

	// Membership requests the coordinator will act on in the next flush.
	joins  []history.ProcessID
	leaves map[history.ProcessID]bool

	leaving  bool
	lastSent map[string]int64 // rate limits of periodic requests, by key

	queue []proto.Message // multicasts waiting for the next view

	welcome     *Welcome // the Welcome of the current view, for retransmission
	welcomeWait bool     // a snapshot is owed to joiners of the current view
	welcomeAt   int      // events still to be carried out before taking it

	out    []step.Outbound
	events []history.Event
	local  []localMsg
	stats  Stats
}

// Stats counts what a Member refused or dropped.
type Stats struct {
	Refused       int // messages from suspected or removed processes
	LayerErrors   int // views whose ordering layer could not be built (a bug)
	Stale         int // messages of views already left
	DroppedQueued int // queued multicasts dropped because the process left the group
}

type localMsg struct {
	from history.ProcessID
	msg  proto.Message
}

// prevView keeps the view this process last left, with the commit that ended
// it, so members that lag behind can be brought along.
type prevView struct {
	view   View
	data   *dataPath
	commit *Commit
}

// New returns the core for cfg.Self. A founding member starts in view 1 and
// its first Ready holds the ViewInstall; a joiner starts Joining.
func New(cfg Config) (*Member, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Member{
		cfg:      cfg,
		policy:   cfg.Policy,
		suspects: make(map[history.ProcessID]bool),
		leaves:   make(map[history.ProcessID]bool),
		lastSent: make(map[string]int64),
	}
	if m.policy == nil {
		m.policy = Majority{}
	}
	if len(cfg.Members) > 0 {
		m.install(View{ID: 1, Members: slices.Clone(cfg.Members)}, 0, cfg.Members)
		if m.lay == nil {
			return nil, fmt.Errorf("%w: ordering layer for view 1 could not be built", ErrConfig)
		}
	} else {
		m.status = Joining
		m.sendJoin()
	}
	return m, nil
}

// ID implements step.Machine.
func (m *Member) ID() history.ProcessID { return m.cfg.Self }

// View returns the current view (zero before the first).
func (m *Member) View() View {
	return View{ID: m.view.ID, Members: slices.Clone(m.view.Members)}
}

// Status returns what the member is doing.
func (m *Member) Status() Status {
	switch {
	case m.status != Normal:
		return m.status
	case m.blocked:
		return Blocked
	case m.promised != nil:
		return Flushing
	}
	return Normal
}

// Primary reports whether the member is in a primary view it can use: it is
// in a view and not blocked for want of a primary component.
func (m *Member) Primary() bool { return m.status == Normal && !m.blocked }

// Stats returns the counters of refused and dropped messages.
func (m *Member) Stats() Stats { return m.stats }

// Multicast sends payload to the current view in Config.Class. While the
// view is being flushed (or the member is blocked) the multicast is queued,
// sent first thing in the next view, and the returned MsgID is zero; the
// Multicast event in Ready carries the id once it is sent. It fails with
// ErrNotMember when the process is in no view, ErrQueueFull when the queue
// is full, and with the ordering layer's errors (layer.ErrWindowFull: too
// many of our multicasts are not yet stable; retry after more steps).
func (m *Member) Multicast(payload proto.Message) (history.MsgID, error) {
	if m.status != Normal {
		return history.MsgID{}, fmt.Errorf("%w: %s is %s", ErrNotMember, m.cfg.Self, m.status)
	}
	if payload == nil {
		return history.MsgID{}, fmt.Errorf("%w: nil payload", ErrMalformed)
	}
	if m.layerPaused() || len(m.queue) > 0 {
		if len(m.queue) >= m.cfg.MaxQueued {
			return history.MsgID{}, fmt.Errorf("%w: %d waiting", ErrQueueFull, len(m.queue))
		}
		// Checked now: a queued payload is packed only in the next view,
		// where nobody could be told that it cannot be.
		if _, err := anypb.New(payload); err != nil {
			return history.MsgID{}, fmt.Errorf("%w: payload: %w", ErrMalformed, err)
		}
		m.queue = append(m.queue, payload)
		return history.MsgID{}, nil
	}
	// Sent at once, the payload is packed once, by the layer, which
	// refuses it with ErrBadPayload if it cannot be.
	id, err := m.lay.Multicast(payload)
	m.drainLayer()
	if errors.Is(err, layer.ErrBadPayload) {
		return history.MsgID{}, fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	if errors.Is(err, layer.ErrWindowFull) {
		// Returned as it is: a driver retries while the window is full, and
		// wrapping it would allocate on every attempt.
		return history.MsgID{}, err
	}
	if err != nil {
		return history.MsgID{}, fmt.Errorf("flush: ordering layer: %w", err)
	}
	return id, nil
}

// Leave asks to be removed from the group in the next view. The member keeps
// taking part until that view is decided; it then delivers the old view's
// cut and stops with status Left.
func (m *Member) Leave() {
	if m.status == Normal {
		m.leaving = true
		m.sendLeave()
	}
}

func (m *Member) sendTo(to history.ProcessID, msg proto.Message) {
	if to == m.cfg.Self {
		m.local = append(m.local, localMsg{from: to, msg: msg})
		return
	}
	m.out = append(m.out, step.Outbound{To: to, Msg: msg})
}

func (m *Member) emit(e *history.Event) {
	m.events = append(m.events, *e) // one copy of 200 bytes, not one per call
	m.events[len(m.events)-1].Process = m.cfg.Self
}

// every reports whether the periodic action key is due, and marks it done.
func (m *Member) every(key string, period int64) bool {
	last, ok := m.lastSent[key]
	if ok && m.now-last < period {
		return false
	}
	m.lastSent[key] = m.now
	return true
}

// Step implements step.Machine.
func (m *Member) Step(from history.ProcessID, msg proto.Message) error {
	err := m.dispatch(from, msg)
	m.drainLocal()
	return err
}

func (m *Member) drainLocal() {
	for i := 0; i < len(m.local); i++ {
		l := m.local[i]
		_ = m.dispatch(l.from, l.msg) // our own messages: errors only mean "stale"
	}
	m.local = m.local[:0]
}

func (m *Member) dispatch(from history.ProcessID, msg proto.Message) error {
	switch msg.(type) {
	case *wire.Data, *layer.Status, *layer.Nak, *layer.Order, *layer.OrderNak:
	default:
		m.releaseOrders() // the view's protocol sees every assignment made
	}
	switch x := msg.(type) {
	case *wire.Data:
		return m.onData(from, x)
	case *layer.Status:
		return m.onLayerMsg(from, x.View, x)
	case *layer.Nak:
		return m.onLayerMsg(from, x.View, x)
	case *layer.Order:
		return m.onLayerMsg(from, x.View, x)
	case *layer.OrderNak:
		return m.onLayerMsg(from, x.View, x)
	case *Heartbeat:
		return m.onHeartbeat(from, x)
	case *Nak:
		return m.onNak(from, x)
	case *Flush:
		return m.onFlush(from, x)
	case *FlushOk:
		return m.onFlushOk(from, x)
	case *Accept:
		return m.onAccept(from, x)
	case *AcceptOk:
		return m.onAcceptOk(from, x)
	case *Commit:
		return m.onCommit(from, x)
	case *Join:
		return m.onJoin(from, x)
	case *Leave:
		return m.onLeave(from, x)
	case *Welcome:
		return m.onWelcome(from, x)
	case *Removed:
		return m.onRemoved(from, x)
	case nil:
		return fmt.Errorf("%w: nil message", ErrMalformed)
	}
	return fmt.Errorf("%w: %T", ErrUnknownType, msg)
}

// Tick implements step.Machine: heartbeats, suspicion, loss repair, and the
// coordinator's and joiner's periodic duties.
func (m *Member) Tick() {
	m.releaseOrders()
	m.now++
	switch m.status {
	case Joining:
		m.sendJoin()
	case Normal:
		if m.now%m.cfg.HeartbeatEvery == 0 {
			m.heartbeat()
		}
		m.detect()
		if m.lay != nil && !m.layerPaused() {
			m.lay.Tick()
			m.drainLayer()
		}
		m.data.collect()
		if m.leaving {
			m.sendLeave()
		}
		m.coordinate()
		m.retryPending()
		m.flushQueue()
	}
	m.drainLocal()
}

// HasReady implements step.Machine.
func (m *Member) HasReady() bool {
	return len(m.out) > 0 || len(m.events) > 0 || (m.lay != nil && m.lay.OrdersPending())
}

// Ready implements step.Machine. At the sequencer of an atomic class it
// first lets out, as one Order, the assignments made since the last Ready
// (see releaseOrders).
func (m *Member) Ready() step.Ready {
	m.releaseOrders()
	return step.Ready{Messages: m.out, Events: m.events}
}

// consumed drops the first k elements of s, which a Ready handed out. When
// nothing is left the backing array is cleared (no payload stays
// reachable through it) and reused, so steady traffic does not regrow the
// queues from nothing at every Ready.
func consumed[T any](s []T, k int) []T {
	if k < len(s) {
		return s[k:]
	}
	clear(s)
	return s[:0]
}

// Advance implements step.Machine. A snapshot owed to joiners is taken here,
// once the driver has handed the cut's deliveries and the view install to the
// application.
func (m *Member) Advance(rd step.Ready) {
	m.out = consumed(m.out, len(rd.Messages))
	m.events = consumed(m.events, len(rd.Events))
	m.welcomeAt -= len(rd.Events)
	if m.welcomeWait && m.welcomeAt <= 0 {
		m.sendWelcome()
		m.drainLocal()
	}
}
