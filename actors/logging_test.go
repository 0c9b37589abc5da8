package actors

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

// bufferLogger returns a logrus entry writing JSON lines into buf.
func bufferLogger(buf *bytes.Buffer, level logrus.Level) *logrus.Entry {
	l := logrus.New()
	l.SetOutput(buf)
	l.SetFormatter(&logrus.JSONFormatter{})
	l.SetLevel(level)
	return logrus.NewEntry(l)
}

// records decodes the JSON lines in buf.
func records(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("bad log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestLogrusHandler(t *testing.T) {
	var buf bytes.Buffer
	h := newLogrusHandler(bufferLogger(&buf, logrus.InfoLevel))
	log := slog.New(h).With("system", "s1").WithGroup("g").With("a", 1)
	log.Debug("hidden")
	log.Info("shown", slog.String("k", "v"), slog.Group("sub", slog.Int("n", 2)))
	log.Error("bad")
	recs := records(t, &buf)
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2 (debug filtered): %s", len(recs), buf.String())
	}
	r := recs[0]
	want := map[string]any{"msg": "shown", "level": "info", "system": "s1", "g.a": float64(1), "g.k": "v", "g.sub.n": float64(2)}
	for k, v := range want {
		if r[k] != v {
			t.Errorf("field %q = %v, want %v (record %v)", k, r[k], v, r)
		}
	}
	if recs[1]["level"] != "error" {
		t.Errorf("second record level %v, want error", recs[1]["level"])
	}
	if h.Enabled(context.Background(), slog.LevelDebug) || !h.Enabled(context.Background(), slog.LevelWarn) {
		t.Error("Enabled does not follow the logrus level")
	}
}

// chanHook hands every logrus entry to a channel, so a test can await a log
// record instead of polling.
type chanHook chan *logrus.Entry

func (chanHook) Levels() []logrus.Level { return logrus.AllLevels }

func (h chanHook) Fire(e *logrus.Entry) error {
	select {
	case h <- e:
	default: // never block the logging goroutine; the test has seen enough
	}
	return nil
}

func hookedLogger() (*logrus.Entry, chanHook) {
	l := logrus.New()
	l.SetOutput(io.Discard)
	l.SetLevel(logrus.InfoLevel)
	h := make(chanHook, 1000)
	l.AddHook(h)
	return logrus.NewEntry(l), h
}

func TestProtoactorLogsRoutedOrSilenced(t *testing.T) {
	routedLog, routed := hookedLogger()
	silencedLog, silenced := hookedLogger()
	a := newNode(t, WithLogger(routedLog), WithProtoactorLogs())
	b := newNode(t, WithLogger(silencedLog))
	// A message to a missing actor makes protoactor log a dead letter.
	for _, n := range []*Node{a, b} {
		n.Root().Send(n.System().NewLocalPID("nobody"), &struct{}{})
	}
	timeout := time.After(waitTimeout)
	for found := false; !found; {
		select {
		case e := <-routed:
			if strings.Contains(e.Message, "DeadLetter") {
				found = true
				if e.Data["lib"] != "protoactor" {
					t.Errorf("routed record lacks lib=protoactor: %v", e.Data)
				}
			}
		case <-timeout:
			t.Fatal("protoactor's dead-letter log never reached logrus")
		}
	}
	// protoactor logs a dead letter inside Send, on the sender's goroutine,
	// so b would have logged by now.
	select {
	case e := <-silenced:
		t.Fatalf("silenced node logged: %q %v", e.Message, e.Data)
	default:
	}
}
