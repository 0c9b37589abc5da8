package proctest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// HistoryFile is a child's side of history recording: a history.JSONLWriter
// on the file HistoryPath names, buffered, to be closed (flushed) before the
// child exits. Record on a nil *HistoryFile does nothing, so a child whose
// parent asked for no history can record unconditionally.
type HistoryFile struct {
	*history.JSONLWriter
	f   *os.File
	buf *bufio.Writer
}

// CreateHistory opens the file HistoryPath names; it returns nil, nil when
// the parent asked for no history.
func CreateHistory() (*HistoryFile, error) {
	path := HistoryPath()
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrChild, err)
	}
	buf := bufio.NewWriter(f)
	return &HistoryFile{JSONLWriter: history.NewJSONLWriter(buf), f: f, buf: buf}, nil
}

// Record implements history.Recorder.
func (h *HistoryFile) Record(e history.Event) {
	if h != nil {
		h.JSONLWriter.Record(e)
	}
}

// Close flushes and closes the file and reports any error met on the way.
func (h *HistoryFile) Close() error {
	if h == nil {
		return nil
	}
	return errors.Join(h.JSONLWriter.Err(), h.buf.Flush(), h.f.Close())
}

// ReadHistory reads the JSON-lines history file at path.
func ReadHistory(path string) (history.History, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrChild, err)
	}
	defer f.Close()
	return readFrom(path, f)
}

func readFrom(path string, r io.Reader) (history.History, error) {
	h, err := history.ReadJSONL(r)
	if err != nil {
		return h, fmt.Errorf("%w: %s: %w", ErrChild, path, err)
	}
	return h, nil
}

// ReadHistories reads the history files of children started with a
// HistoryDir (after they have stopped) and merges them with history.Merge:
// each child's own order is kept, and children are interleaved by time.
func ReadHistories(children []*Child) (history.History, error) {
	var all []history.History
	var errs []error
	for _, c := range children {
		if c.HistoryPath() == "" {
			continue
		}
		h, err := ReadHistory(c.HistoryPath())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		all = append(all, h)
	}
	return history.Merge(all...), errors.Join(errs...)
}
