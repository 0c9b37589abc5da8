package byz

import (
	"fmt"

	"github.com/lockstep-actors/lockstep/actors/history"
	"google.golang.org/protobuf/proto"
)

// omInstance is one OM(m) instance as seen by one general: the paper's
// recursion unrolled into an EIG tree. A node is a path of distinct general
// indices starting at the commander; its value is what the general heard
// for that path (or RETREAT if nothing valid came before the round closed).
// Paths are kept as strings of index bytes so they can key a map.
type omInstance struct {
	g     *General
	c     int
	m     int
	round int // first open round; m+2 once decided
	vals  map[string]string
	got   []int      // got[r]: messages accepted for round r
	want  []int      // want[r]: messages a general receives in round r
	level [][]string // level[r]: the paths of round r, built when it closes

	value   string
	decided bool
}

func newOMInstance(g *General, c int) *omInstance {
	in := &omInstance{g: g, c: c, m: g.cfg.M}
	if c == g.self {
		// The commander's part of OM(m) is round 1 alone.
		in.round, in.decided, in.value = in.m+2, true, g.cfg.Value
		id := string(g.cfg.ID)
		g.emit(history.Propose, c, in.value)
		g.send(&OralMessage{Session: g.cfg.Session, Commander: id, Path: []string{id}, Value: in.value}, g.othersThan(nil))
		if g.interactive {
			g.emit(history.Decide, c, in.value)
		}
		return in
	}
	n := len(g.cfg.Generals)
	in.round = 1
	in.vals = make(map[string]string)
	in.got = make([]int, in.m+2)
	in.want = make([]int, in.m+2)
	for r := 1; r <= in.m+1; r++ {
		// Paths of length r start at the commander and continue with r-1
		// distinct generals other than the commander and this one.
		in.want[r] = permutations(n-2, r-1)
	}
	in.level = make([][]string, in.m+2)
	in.level[1] = []string{string([]byte{byte(c)})}
	return in
}

// permutations is P(k, j) = k!/(k-j)!.
func permutations(k, j int) int {
	p := 1
	for i := 0; i < j; i++ {
		p *= k - i
	}
	return p
}

func (in *omInstance) accept(from int, msg proto.Message) error {
	g := in.g
	om := msg.(*OralMessage)
	path := om.GetPath()
	r := len(path)
	if r == 0 || r > in.m+1 {
		return fmt.Errorf("%w: length %d, want 1..%d", ErrBadPath, r, in.m+1)
	}
	var buf [MaxGenerals]byte
	key := buf[:r]
	for k, id := range path {
		j, ok := g.index[history.ProcessID(id)]
		if !ok {
			return fmt.Errorf("%w: %q in path", ErrNotMember, id)
		}
		if j == g.self {
			return fmt.Errorf("%w: path names the receiver", ErrBadPath)
		}
		for _, prev := range key[:k] {
			if prev == byte(j) {
				return fmt.Errorf("%w: %q repeated", ErrBadPath, id)
			}
		}
		key[k] = byte(j)
	}
	if int(key[0]) != in.c {
		return fmt.Errorf("%w: path starts with %q, not the commander", ErrBadPath, path[0])
	}
	if int(key[r-1]) != from {
		return fmt.Errorf("%w: path ends with %q, sent by %q", ErrSenderMismatch, path[r-1], g.cfg.Generals[from])
	}
	if err := g.checkValue(om.GetValue()); err != nil {
		return err
	}
	if r < in.round {
		return fmt.Errorf("%w: round %d message, round %d open", ErrLate, r, in.round)
	}
	if _, dup := in.vals[string(key)]; dup {
		return fmt.Errorf("%w: path %v", ErrDuplicate, path)
	}
	in.vals[string(key)] = om.GetValue()
	in.got[r]++
	return nil
}

func (in *omInstance) advance(now int) {
	rt := in.g.cfg.RoundTicks
	for in.round <= in.m+1 && (now >= in.round*rt || in.got[in.round] == in.want[in.round]) {
		in.closeRound()
	}
}

// closeRound closes the open round r: every path of round r that carried no
// valid message gets RETREAT (assumption A3: absence is detectable), then
// this general relays each round-r value to the generals not yet on its
// path (round r+1), or decides after round m+1.
func (in *omInstance) closeRound() {
	g := in.g
	r := in.round
	if r > 1 {
		in.level[r] = in.extend(in.level[r-1])
	}
	for _, p := range in.level[r] {
		if _, ok := in.vals[p]; !ok {
			in.vals[p] = Retreat
		}
	}
	if r <= in.m {
		for _, p := range in.level[r] {
			path := make([]string, 0, len(p)+1)
			for i := 0; i < len(p); i++ {
				path = append(path, string(g.cfg.Generals[p[i]]))
			}
			path = append(path, string(g.cfg.ID))
			msg := &OralMessage{Session: g.cfg.Session, Commander: path[0], Path: path, Value: in.vals[p]}
			g.send(msg, g.othersThan([]byte(p)))
		}
	}
	in.round++
	if r == in.m+1 {
		in.value = in.resolve([]byte(in.level[1][0]))
		in.decided = true
		g.emit(history.Decide, in.c, in.value)
	}
}

// extend returns the children of paths: each path followed by one general
// not on it and not this one, in index order.
func (in *omInstance) extend(paths []string) []string {
	g := in.g
	n := len(g.cfg.Generals)
	out := make([]string, 0, len(paths)*(n-1))
	for _, p := range paths {
		child := make([]byte, len(p)+1)
		copy(child, p)
		for j := 0; j < n; j++ {
			if j == g.self || onPath(p, j) {
				continue
			}
			child[len(p)] = byte(j)
			out = append(out, string(child))
		}
	}
	return out
}

// resolve is the value this general obtains from the OM(m-len(p)+1) run
// that path p starts: at a leaf the value heard; above, the majority of the
// value heard for p and the resolved values of p's children.
func (in *omInstance) resolve(p []byte) string {
	v := in.vals[string(p)]
	if len(p) == in.m+1 {
		return v
	}
	vs := make([]string, 1, len(in.g.cfg.Generals))
	vs[0] = v
	child := make([]byte, len(p)+1)
	copy(child, p)
	for j := range in.g.cfg.Generals {
		if j == in.g.self || onPath(string(p), j) {
			continue
		}
		child[len(p)] = byte(j)
		vs = append(vs, in.resolve(child))
	}
	return majority(vs)
}

func (in *omInstance) decision() (string, bool) { return in.value, in.decided }

func (in *omInstance) closed() int {
	if in.c == in.g.self {
		return 0
	}
	return in.round - 1
}

func onPath(p string, j int) bool {
	for i := 0; i < len(p); i++ {
		if int(p[i]) == j {
			return true
		}
	}
	return false
}

// othersThan lists, in index order, the generals other than this one and
// those on path.
func (g *General) othersThan(path []byte) []int {
	to := make([]int, 0, len(g.cfg.Generals)-1)
	for j := range g.cfg.Generals {
		if j != g.self && !onPath(string(path), j) {
			to = append(to, j)
		}
	}
	return to
}
