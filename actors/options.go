package actors

import (
	"crypto/tls"
	"time"

	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/sirupsen/logrus"
)

// Option changes how NewNode builds a node. Options are applied in order, on
// top of the Config passed to NewNode, before it is validated.
type Option func(*options)

// options is what the Options collect: Config changes plus the collaborators
// a Config cannot hold as data.
type options struct {
	cfg      Config
	logger   *logrus.Entry
	recorder Recorder
	clock    Clock
	faults   *faults.Spec
	// skipBatchCheck turns off the inspection of incoming remote batches,
	// leaving only the panic guard; tests use it to show that guard works.
	skipBatchCheck bool
}

// WithRemote switches protoactor remote on, listening on host:port (port 0
// picks a free port; see Node.Address).
func WithRemote(host string, port int) Option {
	return func(o *options) {
		o.cfg.Remote = true
		o.cfg.Host = host
		o.cfg.Port = port
	}
}

// WithTLS runs the node's remote over mutual TLS with cfg (see
// Config.TLS); it implies nothing about WithRemote, which must also be
// given, with a fixed port.
func WithTLS(cfg *tls.Config) Option {
	return func(o *options) { o.cfg.TLS = cfg }
}

// WithLogger makes the node log through l. Without it the node logs to a
// logger that discards everything.
func WithLogger(l *logrus.Entry) Option {
	return func(o *options) { o.logger = l }
}

// WithProtoactorLogs routes protoactor's own log records through the node's
// logrus logger instead of discarding them.
func WithProtoactorLogs() Option {
	return func(o *options) { o.cfg.ProtoactorLogs = true }
}

// WithRecorder makes the node record history events (the crashes and other
// failures its fault middleware injects) into r.
func WithRecorder(r Recorder) Option {
	return func(o *options) { o.recorder = r }
}

// WithClock replaces the wall clock the node's fault middleware reads and
// schedules delayed messages on. Tests pass a manual clock to make timing
// failures observable without sleeping.
func WithClock(c Clock) Option {
	return func(o *options) { o.clock = c }
}

// WithFaultTick sets Config.FaultTick: the duration of one failure-model tick.
func WithFaultTick(d time.Duration) Option {
	return func(o *options) { o.cfg.FaultTick = d }
}

// WithFaults injects the failure model spec into every actor the node
// spawns with Spawn; each actor gets its own injector (see Faults).
func WithFaults(spec faults.Spec) Option {
	return func(o *options) { o.faults = &spec }
}

// Recorder receives the history events the runtime itself produces. It must
// be safe for concurrent use: events come from many actors' goroutines.
type Recorder = history.Recorder
