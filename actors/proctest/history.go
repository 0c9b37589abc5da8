package proctest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/lockstep-actors/lockstep/actors/history"
)

// ReadHistory reads a JSON-lines history file, one history.Event per line.
func ReadHistory(path string) (history.History, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrChild, err)
	}
	defer f.Close()
	var h history.History
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var e history.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %w", ErrChild, path, line, err)
		}
		h = append(h, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrChild, path, err)
	}
	return h, nil
}

// ReadHistories reads the history files of children (those started with a
// HistoryDir) and merges them into one history ordered by event time. Each
// process's own events keep their order (the sort is stable and a process's
// times never decrease).
func ReadHistories(children []*Child) (history.History, error) {
	var all history.History
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
		all = append(all, h...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Time < all[j].Time })
	return all, errors.Join(errs...)
}
