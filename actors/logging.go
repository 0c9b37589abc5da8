package actors

import (
	"context"
	"io"
	"log/slog"
	"strings"

	"github.com/sirupsen/logrus"
)

// discardLogger returns a logrus logger that drops everything: a library
// prints nothing unless its user hands it a logger.
func discardLogger() *logrus.Entry {
	l := logrus.New()
	l.SetOutput(io.Discard)
	l.SetLevel(logrus.PanicLevel)
	return logrus.NewEntry(l)
}

// logrusHandler is a slog.Handler that forwards records to a logrus entry,
// so protoactor's slog output lands wherever the application's logrus
// output goes, with the same level filter.
type logrusHandler struct {
	entry *logrus.Entry
	// group is the dotted prefix WithGroup has opened, "" at the top.
	group string
}

// newLogrusHandler returns a handler forwarding to entry.
func newLogrusHandler(entry *logrus.Entry) slog.Handler {
	return &logrusHandler{entry: entry}
}

func logrusLevel(l slog.Level) logrus.Level {
	switch {
	case l >= slog.LevelError:
		return logrus.ErrorLevel
	case l >= slog.LevelWarn:
		return logrus.WarnLevel
	case l >= slog.LevelInfo:
		return logrus.InfoLevel
	default:
		return logrus.DebugLevel
	}
}

// Enabled implements slog.Handler.
func (h *logrusHandler) Enabled(_ context.Context, l slog.Level) bool {
	return h.entry.Logger.IsLevelEnabled(logrusLevel(l))
}

// Handle implements slog.Handler.
func (h *logrusHandler) Handle(_ context.Context, r slog.Record) error {
	fields := make(logrus.Fields, r.NumAttrs())
	r.Attrs(func(a slog.Attr) bool {
		addAttr(fields, h.group, a)
		return true
	})
	e := h.entry.WithFields(fields)
	if !r.Time.IsZero() {
		e = e.WithTime(r.Time)
	}
	e.Log(logrusLevel(r.Level), r.Message)
	return nil
}

// WithAttrs implements slog.Handler.
func (h *logrusHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	fields := make(logrus.Fields, len(attrs))
	for _, a := range attrs {
		addAttr(fields, h.group, a)
	}
	return &logrusHandler{entry: h.entry.WithFields(fields), group: h.group}
}

// WithGroup implements slog.Handler.
func (h *logrusHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &logrusHandler{entry: h.entry, group: joinKey(h.group, name)}
}

// addAttr flattens a (possibly grouped) attribute into dotted logrus fields.
func addAttr(fields logrus.Fields, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		for _, sub := range v.Group() {
			addAttr(fields, joinKey(prefix, a.Key), sub)
		}
		return
	}
	if a.Key == "" {
		return
	}
	fields[joinKey(prefix, a.Key)] = v.Any()
}

func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	if key == "" {
		return prefix
	}
	return strings.Join([]string{prefix, key}, ".")
}
