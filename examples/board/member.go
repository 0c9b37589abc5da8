package main

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/actors/step"
	"github.com/lockstep-actors/lockstep/ordering/layer"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// A post travels as a structpb.Struct: {"text": ..., "re": "<msg id>"},
// "re" empty for a question. A reply names its question by MsgID.

func newPost(text string, re history.MsgID) (*structpb.Struct, error) {
	fields := map[string]any{"text": text, "re": ""}
	if re.Sender != "" {
		fields["re"] = re.String()
	}
	return structpb.NewStruct(fields)
}

// line is one post as a member displayed it.
type line struct {
	Tick   int64
	ID     history.MsgID
	Text   string
	Re     string // the question's MsgID, empty for a question
	ReText string // the question's text, if displayed before
	// Early marks a reply displayed before its question.
	Early bool
}

// heldMsg is an outbound message waiting on a slow link.
type heldMsg struct {
	due int64
	out step.Outbound
}

// member is one bulletin-board member: the application on top of a
// layer.Member. It is itself a step.Machine, so the simulator drives it
// like any core. It displays every delivery at once, replies to the
// questions it is the replier of as soon as it has displayed them, and
// holds back what it sends on a slow link for that link's delay in ticks
// (the injected delay; the layers below repair nothing here, as nothing
// is lost).
type member struct {
	id   history.ProcessID
	core *layer.Member
	// replier says who answers a question by a given author.
	replier func(author history.ProcessID) history.ProcessID
	// slow maps receivers to the extra delay, in ticks, of the link to them.
	slow map[history.ProcessID]int64

	now    int64
	held   []heldMsg
	out    []step.Outbound
	events []history.Event

	board []line
	texts map[string]string // displayed posts' text, by MsgID string
	err   error             // first failure to post, if any
}

var _ step.Machine = (*member)(nil)

func newMember(cfg layer.Config, replier func(history.ProcessID) history.ProcessID, slow map[history.ProcessID]int64) (*member, error) {
	core, err := layer.New(cfg)
	if err != nil {
		return nil, err
	}
	return &member{id: cfg.Self, core: core, replier: replier, slow: slow, texts: map[string]string{}}, nil
}

// ID implements step.Machine.
func (m *member) ID() history.ProcessID { return m.id }

// Step implements step.Machine.
func (m *member) Step(from history.ProcessID, msg proto.Message) error { return m.core.Step(from, msg) }

// Tick implements step.Machine: the core's tick, then the release of the
// slow links' messages that are due, in the order they were sent.
func (m *member) Tick() {
	m.now++
	m.core.Tick()
	kept := m.held[:0]
	for _, h := range m.held {
		if h.due <= m.now {
			m.out = append(m.out, h.out)
		} else {
			kept = append(kept, h)
		}
	}
	m.held = kept
}

// HasReady implements step.Machine.
func (m *member) HasReady() bool {
	m.pull()
	return len(m.out) > 0 || len(m.events) > 0
}

// Ready implements step.Machine.
func (m *member) Ready() step.Ready {
	m.pull()
	return step.Ready{Messages: m.out, Events: m.events}
}

// Advance implements step.Machine.
func (m *member) Advance(rd step.Ready) {
	m.out = m.out[:copy(m.out, m.out[len(rd.Messages):])]
	m.events = m.events[:copy(m.events, m.events[len(rd.Events):])]
}

// post multicasts a question (re zero) or a reply.
func (m *member) post(text string, re history.MsgID) {
	p, err := newPost(text, re)
	if err == nil {
		_, err = m.core.Multicast(p)
	}
	if err != nil && m.err == nil {
		m.err = fmt.Errorf("%s posting %q: %w", m.id, text, err)
	}
}

// pull takes the core's output: messages to their links, events to the
// history, deliveries to the board (which may post replies, whose output
// the next pass takes).
func (m *member) pull() {
	for range 16 {
		if !m.core.HasReady() {
			return
		}
		rd := m.core.Ready()
		for _, o := range rd.Messages {
			if d := m.slow[o.To]; d > 0 {
				m.held = append(m.held, heldMsg{due: m.now + d, out: o})
			} else {
				m.out = append(m.out, o)
			}
		}
		// Copy the events out before Advance: the core reuses its buffers.
		first := len(m.events)
		m.events = append(m.events, rd.Events...)
		m.core.Advance(rd)
		for i := first; i < len(m.events); i++ {
			if ev := m.events[i]; ev.Kind == history.Deliver {
				m.display(ev)
			}
		}
	}
}

// display shows a delivered post and, for a question this member answers,
// posts the reply: it has now read the question.
func (m *member) display(ev history.Event) {
	s, ok := ev.Payload.(*structpb.Struct)
	if !ok {
		return
	}
	text, re := s.GetFields()["text"].GetStringValue(), s.GetFields()["re"].GetStringValue()
	l := line{Tick: m.now, ID: ev.Msg, Text: text, Re: re}
	if re != "" {
		q, seen := m.texts[re]
		l.ReText, l.Early = q, !seen
	}
	m.board = append(m.board, l)
	m.texts[ev.Msg.String()] = text
	if re == "" && ev.Msg.Sender != m.id && m.replier(ev.Msg.Sender) == m.id {
		m.post(replyText(text), ev.Msg)
	}
}

// replyText is the reply a member posts to a question.
func replyText(q string) string { return "re: " + q }

// early counts the replies this member displayed before their question.
func (m *member) early() int {
	n := 0
	for _, l := range m.board {
		if l.Early {
			n++
		}
	}
	return n
}
