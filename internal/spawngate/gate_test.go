package spawngate_test

import (
	"sync"
	"testing"

	"github.com/lockstep-actors/lockstep/internal/spawngate"
)

func TestGateHoldsUntilOpenThenPassesInOrder(t *testing.T) {
	var g spawngate.Gate
	var got []string
	user := func(m any) { got = append(got, "u:"+m.(string)) }
	sys := func(m any) { got = append(got, "s:"+m.(string)) }
	for i, m := range []string{"a", "b", "c"} {
		if !g.Hold(m, i == 1) {
			t.Fatalf("closed gate did not hold %q", m)
		}
	}
	if len(got) != 0 {
		t.Fatalf("posted before Open: %v", got)
	}
	g.Open(user, sys)
	want := []string{"u:a", "s:b", "u:c"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if g.Hold("d", false) {
		t.Fatal("open gate held a post")
	}
}

// Posts racing with Open are either held (and posted by Open, first) or
// refused (and posted by their caller after Open returned): none is lost
// and none is posted twice.
func TestGateRacingPostsNeitherLostNorDoubled(t *testing.T) {
	const posters, each = 4, 500
	var g spawngate.Gate
	var mu sync.Mutex
	seen := map[int]int{}
	post := func(m any) {
		mu.Lock()
		seen[m.(int)]++
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for p := range posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				m := p*each + i
				if !g.Hold(m, false) {
					post(m)
				}
			}
		}()
	}
	g.Open(post, post)
	wg.Wait()
	if len(seen) != posters*each {
		t.Fatalf("%d distinct posts arrived, want %d", len(seen), posters*each)
	}
	for m, n := range seen {
		if n != 1 {
			t.Fatalf("post %d arrived %d times", m, n)
		}
	}
}
