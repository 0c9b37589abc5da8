package history

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// genGarbage makes histories with no structure at all: random kinds,
// processes, message ids, views, members and values. Checkers must judge
// them without panicking, and every violation must carry events.
func genGarbage(r *rand.Rand) History {
	kinds := []Kind{Multicast, Deliver, ViewInstall, Crash, Suspect, Faulty, Propose, Decide}
	procs := []ProcessID{"a", "b", "c", "d"}
	pick := func() ProcessID { return procs[r.IntN(len(procs))] }
	h := make(History, 1+r.IntN(40))
	for i := range h {
		e := Event{Index: int64(i), Time: r.Int64N(50), Process: pick(), Kind: kinds[r.IntN(len(kinds))]}
		e.Msg = MsgID{Sender: pick(), View: uint64(r.IntN(3)), Seq: uint64(r.IntN(4))}
		e.View, e.Prev = uint64(r.IntN(4)), uint64(r.IntN(4))
		for _, p := range procs {
			if r.IntN(2) == 0 {
				e.Members = append(e.Members, p)
			}
		}
		e.Primary = r.IntN(2) == 0
		e.Peer = pick()
		e.Value = []string{"", "ATTACK", "RETREAT"}[r.IntN(3)]
		h[i] = e
	}
	return h
}

func TestCheckersSurviveGarbage(t *testing.T) {
	// A third of the rounds: each runs every checker twice, and the
	// naive-reference tests already cover well-formed runs.
	forSeedsN(t, 40000, max(*roundsFlag/3, 1), func(t *testing.T, r *rand.Rand) (msg string) {
		h := genGarbage(r)
		defer func() {
			if p := recover(); p != nil {
				msg = fmt.Sprintf("panic %v on\n%v", p, h)
			}
		}()
		all := []Checker{Uniform(CheckFIFO), Uniform(CheckCausal), Uniform(CheckTotalOrder)}
		for _, c := range allCheckers {
			all = append(all, c.c)
		}
		shared := CheckAll(h, all...)
		var alone []Violation
		for _, c := range all {
			alone = append(alone, c(h)...)
		}
		if dump(shared) != dump(alone) {
			return fmt.Sprintf("CheckAll with a shared index differs from the checkers run alone:\n%s\nvs\n%s", dump(shared), dump(alone))
		}
		for _, v := range shared {
			if len(v.Events) == 0 || v.Detail == "" || v.Property == "" {
				return fmt.Sprintf("incomplete violation %#v", v)
			}
		}
		var buf bytes.Buffer
		w := NewJSONLWriter(&buf)
		for _, e := range h {
			w.Record(e)
		}
		back, err := ReadJSONL(&buf)
		if err != nil || len(back) != len(h) {
			return fmt.Sprintf("JSON round trip: %d of %d events, %v", len(back), len(h), err)
		}
		if a, b := len(CheckAll(h, all...)), len(CheckAll(back, all...)); a != b {
			return fmt.Sprintf("%d violations before the JSON round trip, %d after", a, b)
		}
		return ""
	})
}

func TestEveryCheckerSharesTheIndex(t *testing.T) {
	if len(indexed) != len(allCheckers) {
		t.Errorf("%d checkers registered for CheckAll, %d exported", len(indexed), len(allCheckers))
	}
	for _, c := range allCheckers {
		if indexed[reflect.ValueOf(c.c).Pointer()] == nil {
			t.Errorf("%s is not registered for CheckAll", c.name)
		}
	}
}

func FuzzReadJSONL(f *testing.F) {
	f.Add([]byte("{\"i\":0,\"p\":\"a\",\"k\":\"deliver\",\"m\":{\"s\":\"b\",\"n\":1}}\n"))
	f.Add([]byte("{\"p\":\"a\",\"k\":\"view\",\"v\":2,\"ms\":[\"a\",\"b\"],\"pr\":true}\n\n"))
	f.Add([]byte("not json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadJSONL(bytes.NewReader(data))
		if err != nil {
			return
		}
		CheckAll(h, CheckIntegrity, CheckCausal, CheckTotalOrder, CheckVirtualSynchrony, CheckAgreement)
	})
}
