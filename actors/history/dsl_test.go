package history

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// hist builds a history from a compact script, one statement per line or
// separated by ';'. Each statement is "<process> <op> <args...>":
//
//	p mc 1          p multicasts its message #1 in its current view
//	p mc q1         p multicasts q's message #1 (a malformed multicast)
//	q dl p1         q delivers p's message #1 of q's current view
//	q dl p1@2       ... whose message id says view 2
//	q vi 2 p,q,r    q installs view 2 with members p,q,r, coming from its current view
//	p crash | p faulty
//	c propose ATTACK
//	q decide c ATTACK   (q decides ATTACK for commander c)
//
// Options after the arguments: val=x (Value), in=3 (Event.View), from=1
// (Prev), g=5 (GlobalSeq), primary. Indexes and times are the positions.
func hist(t testing.TB, script string) History {
	t.Helper()
	h, err := parseHist(script)
	if err != nil {
		t.Fatalf("bad test history: %v", err)
	}
	return h
}

func parseHist(script string) (History, error) {
	cur := map[ProcessID]uint64{}
	var h History
	for _, line := range strings.FieldsFunc(script, func(r rune) bool { return r == '\n' || r == ';' }) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 {
			return nil, fmt.Errorf("statement %q: want <process> <op>", line)
		}
		p := ProcessID(f[0])
		e := Event{Index: int64(len(h)), Time: int64(len(h)), Process: p, View: cur[p]}
		args := f[2:]
		var pos []string
		var in, from *uint64
		for _, a := range args {
			k, v, ok := strings.Cut(a, "=")
			switch {
			case a == "primary":
				e.Primary = true
			case ok && k == "val":
				e.Value = v
			case ok && (k == "in" || k == "from" || k == "g"):
				n, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("statement %q: %v", line, err)
				}
				switch k {
				case "in":
					in = &n
				case "from":
					from = &n
				case "g":
					e.GlobalSeq = n
				}
			default:
				pos = append(pos, a)
			}
		}
		need := func(k int) error {
			if len(pos) != k {
				return fmt.Errorf("statement %q: want %d arguments", line, k)
			}
			return nil
		}
		switch f[1] {
		case "mc", "dl":
			if err := need(1); err != nil {
				return nil, err
			}
			id, err := parseMsg(pos[0], p, cur[p])
			if err != nil {
				return nil, fmt.Errorf("statement %q: %v", line, err)
			}
			e.Msg = id
			e.Kind = Multicast
			if f[1] == "dl" {
				e.Kind = Deliver
			}
		case "vi":
			if err := need(2); err != nil {
				return nil, err
			}
			v, err := strconv.ParseUint(pos[0], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("statement %q: %v", line, err)
			}
			e.Kind, e.View, e.Prev = ViewInstall, v, cur[p]
			for _, m := range strings.Split(pos[1], ",") {
				e.Members = append(e.Members, ProcessID(m))
			}
			cur[p] = v
		case "crash", "faulty":
			if err := need(0); err != nil {
				return nil, err
			}
			if f[1] == "crash" {
				e.Kind = Crash
			} else {
				e.Kind = Faulty
			}
		case "propose":
			if err := need(1); err != nil {
				return nil, err
			}
			e.Kind, e.Value = Propose, pos[0]
		case "decide":
			if err := need(2); err != nil {
				return nil, err
			}
			e.Kind, e.Peer, e.Value = Decide, ProcessID(pos[0]), pos[1]
		default:
			return nil, fmt.Errorf("statement %q: unknown op %q", line, f[1])
		}
		if in != nil {
			e.View = *in
		}
		if from != nil {
			e.Prev = *from
		}
		h = append(h, e)
	}
	return h, nil
}

// parseMsg reads "3", "p3" or "p3@2" into a message id; a bare number is
// the own process's, and a missing view is the current one.
func parseMsg(s string, self ProcessID, view uint64) (MsgID, error) {
	id := MsgID{Sender: self, View: view}
	if at := strings.IndexByte(s, '@'); at >= 0 {
		v, err := strconv.ParseUint(s[at+1:], 10, 64)
		if err != nil {
			return id, err
		}
		id.View, s = v, s[:at]
	}
	k := len(s)
	for k > 0 && s[k-1] >= '0' && s[k-1] <= '9' {
		k--
	}
	if k > 0 {
		id.Sender = ProcessID(s[:k])
	}
	n, err := strconv.ParseUint(s[k:], 10, 64)
	if err != nil {
		return id, fmt.Errorf("message %q: %v", s, err)
	}
	id.Seq = n
	return id, nil
}

func TestParseHist(t *testing.T) {
	h := hist(t, `a vi 1 a,b primary; a mc 1 val=x; b dl a1@1 in=1; a vi 3 a from=2; c decide a RETREAT`)
	want := []Event{
		{Index: 0, Time: 0, Process: "a", Kind: ViewInstall, View: 1, Members: []ProcessID{"a", "b"}, Primary: true},
		{Index: 1, Time: 1, Process: "a", Kind: Multicast, View: 1, Msg: MsgID{"a", 1, 1}, Value: "x"},
		{Index: 2, Time: 2, Process: "b", Kind: Deliver, View: 1, Msg: MsgID{"a", 1, 1}},
		{Index: 3, Time: 3, Process: "a", Kind: ViewInstall, View: 3, Prev: 2, Members: []ProcessID{"a"}},
		{Index: 4, Time: 4, Process: "c", Kind: Decide, Peer: "a", Value: "RETREAT"},
	}
	if len(h) != len(want) {
		t.Fatalf("got %d events, want %d", len(h), len(want))
	}
	for i := range want {
		if h[i].String() != want[i].String() || h[i].Prev != want[i].Prev || h[i].Value != want[i].Value {
			t.Errorf("event %d = %v (prev %d, val %q), want %v", i, h[i], h[i].Prev, h[i].Value, want[i])
		}
	}
	for _, bad := range []string{"a", "a mc", "a mc x", "a zz", "a vi x a", "a crash 1", "a mc 1 in=x"} {
		if _, err := parseHist(bad); err == nil {
			t.Errorf("parseHist(%q) accepted a bad script", bad)
		}
	}
}
