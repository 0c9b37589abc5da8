package history

import (
	"strings"
	"testing"
)

// checkCase is one hand-made history and what a checker must say about it:
// nothing (want == "") or at least one violation of the checker's property
// whose Detail contains want.
type checkCase struct {
	name    string
	script  string
	want    string
	nEvents int // if > 0, the first matching violation carries this many events
}

func runCases(t *testing.T, prop string, c Checker, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := hist(t, tc.script)
			vs := c(h)
			if tc.want == "" {
				if len(vs) != 0 {
					t.Fatalf("want no violation, got %d:\n%s", len(vs), dump(vs))
				}
				return
			}
			for _, v := range vs {
				if v.Property != prop {
					t.Errorf("violation has property %q, want %q", v.Property, prop)
				}
				if strings.Contains(v.Detail, tc.want) {
					if len(v.Events) == 0 {
						t.Errorf("violation carries no events: %v", v)
					}
					if tc.nEvents > 0 && len(v.Events) != tc.nEvents {
						t.Errorf("violation carries %d events, want %d: %v", len(v.Events), tc.nEvents, v)
					}
					if !strings.HasPrefix(v.String(), prop+": ") {
						t.Errorf("String() = %q should start with the property", v.String())
					}
					return
				}
			}
			t.Fatalf("want a violation containing %q, got %d:\n%s", tc.want, len(vs), dump(vs))
		})
	}
}

func dump(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(v.String())
		b.WriteString("\n")
	}
	return b.String()
}

// Three processes in view 1, used by the membership cases.
const v1abc = `a vi 1 a,b,c; b vi 1 a,b,c; c vi 1 a,b,c;`

func TestCheckIntegrity(t *testing.T) {
	runCases(t, PropIntegrity, CheckIntegrity, []checkCase{
		{"ok", `p mc 1; p dl p1; q dl p1; q mc 1; p dl q1; q dl q1`, "", 0},
		{"ok: deliver logged before multicast of another process", `q dl p1; p mc 1; p dl p1`, "", 0},
		{"ok: faulty process may do anything", `q faulty; q dl p1; q dl p1`, "", 0},
		{"duplicate", `p mc 1; p dl p1; q dl p1; q dl p1`, "delivered p/v0/#1 twice", 2},
		{"duplicate by crashed process", `p mc 1; q dl p1; q dl p1; q crash`, "twice", 2},
		{"invented", `p mc 1; q dl p2`, "never multicast", 1},
		{"corrupted", `p mc 1 val=x; q dl p1 val=y`, "with value", 2},
		{"own message before multicast", `p dl p1; p mc 1`, "before multicasting it", 2},
		{"cycle across processes", `p dl q1; p mc 1; q dl p1; q mc 1`, "form a cycle", 2},
		{"multicast of another's id", `q mc p1`, "whose sender is p", 1},
		{"id multicast twice", `p mc 1; p mc 1`, "multicast twice", 2},
	})
}

func TestCheckValidity(t *testing.T) {
	runCases(t, PropValidity, CheckValidity, []checkCase{
		{"ok", `p mc 1; p dl p1; p mc 2; p dl p2`, "", 0},
		{"ok: crashed sender", `p mc 1; p crash`, "", 0},
		{"ok: faulty sender", `p faulty; p mc 1`, "", 0},
		{"ok: delivered in another view", `p vi 1 p; p mc 1; p vi 2 p; p dl p1@1`, "", 0},
		{"not self-delivered", `p mc 1; p dl p1; p mc 2; q dl p2`, "never delivered it", 1},
	})
}

func TestCheckAgreement(t *testing.T) {
	runCases(t, PropAgreement, CheckAgreement, []checkCase{
		{"ok", `p mc 1; p dl p1; q dl p1; r dl p1`, "", 0},
		{"ok: delivered by no one", `p mc 1; q mc 1; q dl q1; p dl q1; p crash`, "", 0},
		{"ok: only a crashed process delivered", `p mc 1; p dl p1; p crash; q mc 1; q dl q1`, "", 0},
		{"ok: only a faulty process delivered", `p mc 1; p dl p1; p faulty; q mc 1; q dl q1`, "", 0},
		{"missing at a correct process", `p mc 1; p dl p1; q dl p1; r mc 1; r dl r1; p dl r1; q dl r1`, "correct r did not deliver p/v0/#1", 2},
		{"ok: partitioned processes are not compared", v1abc + `a mc 1; a dl a1; b dl a1; a vi 2 a,b; b vi 2 a,b; c vi 3 c`, "", 0},
		{"ok: sender crashed, message lost", v1abc + `a mc 1; a crash; b vi 2 b,c; c vi 2 b,c`, "", 0},
		{"missing at a process that moved on with the deliverers", v1abc + `a mc 1; a dl a1; b dl a1; a vi 2 a,b,c; b vi 2 a,b,c; c vi 2 a,b,c`, "both moved on to view 2", 3},
		{"missing at a process that stayed in the view", v1abc + `a mc 1; a dl a1; b dl a1`, "both stayed in that view", 2},
		{"ok: joiner need not deliver old-view messages", v1abc + `a mc 1; a dl a1; b dl a1; c dl a1; a vi 2 a,b,c,d; b vi 2 a,b,c,d; c vi 2 a,b,c,d; d vi 2 a,b,c,d`, "", 0},
	})
}

func TestCheckUniformAgreement(t *testing.T) {
	runCases(t, PropUniformAgreement, CheckUniformAgreement, []checkCase{
		{"ok", `p mc 1; p dl p1; q dl p1; p crash`, "", 0},
		{"ok: a faulty process's deliveries oblige no one", `p faulty; q mc 1; q dl q1; p dl q1; r mc 1; r dl r1; p dl r1; q dl r1`, "r did not deliver q/v0/#1", 2},
		{"crashed deliverer", `p mc 1; p dl p1; p crash; q mc 1; q dl q1`, "which crashed", 2},
		{"crashed deliverer, survivors split", v1abc + `a mc 1; a dl a1; a crash; b vi 2 b; c vi 3 c`, "correct b did not deliver a/v1/#1", 3},
		{"deliverer moved on then crashed", v1abc + `a mc 1; a dl a1; a vi 2 a,b; b vi 2 a,b; a crash; c vi 3 c`, "both moved on to view 2", 3},
	})
	// The non-uniform checker accepts what only the uniform one rejects.
	for _, s := range []string{
		`p mc 1; p dl p1; p crash; q mc 1; q dl q1`,
		v1abc + `a mc 1; a dl a1; a crash; b vi 2 b,c; c vi 2 b,c`,
	} {
		if vs := CheckAgreement(hist(t, s)); len(vs) != 0 {
			t.Errorf("non-uniform agreement rejected %q:\n%s", s, dump(vs))
		}
	}
}

func TestCheckFIFO(t *testing.T) {
	runCases(t, PropFIFO, CheckFIFO, []checkCase{
		{"ok", `p mc 1; p mc 2; q dl p1; r mc 1; q dl r1; q dl p2`, "", 0},
		{"ok: numbering restarts per view", `q vi 1 p,q; q dl p1@1; q dl p2@1; q vi 2 p,q; q dl p1@2`, "", 0},
		{"ok: crashed receiver is not judged", `q dl p2; q crash`, "", 0},
		{"gap", `p mc 1; p mc 2; p mc 3; q dl p1; q dl p3`, "gap, #2..#2 missing", 2},
		{"gap at the start", `q dl p2`, "gap, #1..#1 missing", 1},
		{"reorder", `q dl p2; q dl p1`, "out of order", 2},
		{"duplicate", `q dl p1; q dl p1`, "out of order or duplicate", 2},
	})
	if vs := Uniform(CheckFIFO)(hist(t, `q dl p2; q crash`)); len(vs) == 0 {
		t.Error("Uniform(CheckFIFO) should judge the crashed receiver")
	}
}

func TestCheckCausal(t *testing.T) {
	chainOK := `p mc 1; p dl p1; q dl p1; q mc 1; q dl q1; r dl p1; r dl q1`
	runCases(t, PropCausal, CheckCausal, []checkCase{
		{"ok", chainOK, "", 0},
		{"ok: concurrent messages in any order", `p mc 1; q mc 1; p dl p1; p dl q1; q dl q1; q dl p1`, "", 0},
		{"hidden chain p->q->r, inverted", `p mc 1; p dl p1; q dl p1; q mc 1; q dl q1; r dl q1; r dl p1`, "delivered q/v0/#1 before p/v0/#1", 3},
		{"hidden chain p->q->r, predecessor missing", `p mc 1; p dl p1; q dl p1; q mc 1; q dl q1; r dl q1`, "delivered q/v0/#1 before p/v0/#1", 3},
		{"own order", `p mc 1; p mc 2; q dl p2; q dl p1`, "causally precedes", 3},
		{"receiver's own earlier message", `p mc 1; q dl p1; q mc 1; p dl q1; p dl p1`, "before p/v0/#1", 3},
		{"ok: crashed receiver is not judged", `p mc 1; q dl p1; q mc 1; r dl q1; r crash`, "", 0},
		{"ok: predecessor from a view the receiver was never in", `a vi 1 a,b; b vi 1 a,b; a mc 1; a dl a1; b dl a1; a vi 2 a,b,c; b vi 2 a,b,c; c vi 2 a,b,c; b mc 1; b dl b1; a dl b1; c dl b1`, "", 0},
		{"predecessor missing in the same view", v1abc + `a mc 1; a dl a1; b dl a1; b mc 1; b dl b1; c dl b1`, "both in view 1", 3},
		{"process order across a view install", `a vi 1 a,b; b vi 1 a,b; a mc 1; a dl a1; a vi 2 a,b; a mc 1; a dl a1@2; b vi 2 a,b; b dl a1@2; b dl a1@1`, "delivered a/v1/#1 after a/v2/#1", 3},
	})
	// FIFO cannot see a chain through another sender; causal must.
	hidden := hist(t, `p mc 1; p dl p1; q dl p1; q mc 1; q dl q1; r dl q1; r dl p1`)
	if vs := CheckFIFO(hidden); len(vs) != 0 {
		t.Errorf("FIFO unexpectedly caught the hidden chain: %s", dump(vs))
	}
}

func TestCheckTotalOrder(t *testing.T) {
	mc := `a mc 1; b mc 1; c mc 1;`
	runCases(t, PropTotalOrder, CheckTotalOrder, []checkCase{
		{"ok", mc + `p dl a1; p dl b1; p dl c1; q dl a1; q dl c1`, "", 0},
		{"ok: crashed process is not judged", mc + `p dl a1; p dl b1; q dl b1; q dl a1; q crash`, "", 0},
		{"two processes disagree", mc + `p dl a1; p dl b1; q dl b1; q dl a1`, "2 messages in a cycle", 4},
		{"3-cycle over different subsets", mc + `p dl a1; p dl b1; q dl b1; q dl c1; r dl c1; r dl a1`, "3 messages in a cycle", 6},
	})
	if vs := Uniform(CheckTotalOrder)(hist(t, mc+`p dl a1; p dl b1; q dl b1; q dl a1; q crash`)); len(vs) != 1 {
		t.Errorf("Uniform(CheckTotalOrder) found %d violations, want 1", len(vs))
	}
	// The 3-cycle passes the pairwise formulation: each pair of processes
	// shares at most one message.
	h := hist(t, mc+`p dl a1; p dl b1; q dl b1; q dl c1; r dl c1; r dl a1`)
	if !naivePairwiseTotal(h) {
		t.Error("pairwise total order should accept the 3-cycle")
	}
}

func TestCheckTotalOrderPrefix(t *testing.T) {
	mc := `a mc 1; b mc 1; c mc 1;`
	runCases(t, PropTotalOrderPrefix, CheckTotalOrderPrefix, []checkCase{
		{"ok", mc + `p dl a1; p dl b1; p dl c1; q dl a1; q dl b1; r dl a1`, "", 0},
		{"ok: views are separate sequences", `a vi 1 a,b; b vi 1 a,b; a mc 1; b mc 1; a dl a1; b dl a1; a vi 2 a; a dl b1@1 in=2`, "", 0},
		{"divergence (gap)", mc + `p dl a1; p dl b1; p dl c1; q dl a1; q dl c1`, "delivery 2 of q is c/v0/#1 but of p is b/v0/#1", 2},
		{"reorder", mc + `p dl a1; p dl b1; q dl b1; q dl a1`, "not a prefix", 2},
		{"ok: crashed process is not judged", mc + `p dl a1; p dl b1; q dl c1; q crash`, "", 0},
	})
	// A gap is invisible to the acyclicity check but caught by the prefix check.
	if vs := CheckTotalOrder(hist(t, mc+`p dl a1; p dl b1; p dl c1; q dl a1; q dl c1`)); len(vs) != 0 {
		t.Errorf("global total order should accept a gap: %s", dump(vs))
	}
}

func TestCheckViewAgreement(t *testing.T) {
	runCases(t, PropViewAgreement, CheckViewAgreement, []checkCase{
		{"ok", v1abc + `a vi 2 a,b primary; b vi 2 a,b primary`, "", 0},
		{"ok: no views at all", `p mc 1; p dl p1`, "", 0},
		{"different members", v1abc + `a vi 2 a,b; b vi 2 a,b,c`, "installed with members", 2},
		{"different rank order", `a vi 1 a,b; b vi 1 b,a`, "installed with members", 2},
		{"different primary flag", `a vi 1 a,b primary; b vi 1 a,b`, "primary=true", 2},
	})
}

func TestCheckSelfInclusion(t *testing.T) {
	runCases(t, PropSelfInclusion, CheckSelfInclusion, []checkCase{
		{"ok", v1abc, "", 0},
		{"excluded", `a vi 1 b,c`, "exclude it", 1},
		{"ok: faulty", `a faulty; a vi 1 b,c`, "", 0},
	})
}

func TestCheckMonotonicViews(t *testing.T) {
	runCases(t, PropMonotonicViews, CheckMonotonicViews, []checkCase{
		{"ok", `a vi 1 a; a vi 2 a; a vi 5 a`, "", 0},
		{"ok: first install from anywhere", `a vi 4 a from=3`, "", 0},
		{"going back", `a vi 2 a; a vi 1 a`, "installed view 1 after view 2", 2},
		{"same view twice", `a vi 2 a; a vi 2 a`, "installed view 2 after view 2", 2},
		{"wrong predecessor", `a vi 1 a; a vi 3 a from=2`, "but its previous view was 1", 2},
	})
}

func TestCheckSendingViewDelivery(t *testing.T) {
	runCases(t, PropSendingView, CheckSendingViewDelivery, []checkCase{
		{"ok", `a vi 1 a,b; b vi 1 a,b; a mc 1; a dl a1; b dl a1`, "", 0},
		{"ok: no views", `a mc 1; b dl a1`, "", 0},
		{"delivered in a later view", `a vi 1 a,b; b vi 1 a,b; a mc 1; b vi 2 a,b; b dl a1@1 in=2`, "belongs to view 1", 2},
		{"multicast labelled with another view", `a vi 1 a,b; a mc 1@3`, "belongs to view 3", 1},
		{"recorded in a view the process is not in", `a vi 1 a,b; b vi 1 a,b; a mc 1; b vi 2 a,b; b dl a1@1 in=1`, "while b was in view 2", 1},
	})
}

func TestCheckSelfDelivery(t *testing.T) {
	runCases(t, PropSelfDelivery, CheckSelfDelivery, []checkCase{
		{"ok", `a vi 1 a,b; a mc 1; a dl a1; a vi 2 a,b`, "", 0},
		{"ok: no later view", `a vi 1 a,b; a mc 1`, "", 0},
		{"missing self-delivery", `a vi 1 a,b; a mc 1; a mc 2; a dl a2; a vi 2 a,b`, "without delivering it", 2},
	})
}

func TestCheckVirtualSynchrony(t *testing.T) {
	runCases(t, PropVirtualSynchrony, CheckVirtualSynchrony, []checkCase{
		{"ok", v1abc + `a mc 1; a dl a1; b dl a1; c dl a1; a vi 2 a,b,c; b vi 2 a,b,c; c vi 2 a,b,c`, "", 0},
		{"ok: different successors", v1abc + `a mc 1; a dl a1; b dl a1; a vi 2 a,b; b vi 2 a,b; c vi 3 c`, "", 0},
		{"ok: same set in another order", v1abc + `a mc 1; b mc 1; a dl a1; a dl b1; b dl b1; b dl a1; a vi 2 a,b; b vi 2 a,b`, "", 0},
		{"different delivered sets", v1abc + `a mc 1; a dl a1; b dl a1; a vi 2 a,b,c; b vi 2 a,b,c; c vi 2 a,b,c`, "only a: [a/v1/#1]; only c: []", 3},
		{"different sets, crashed later", v1abc + `a mc 1; b mc 1; a dl a1; b dl b1; a vi 2 a,b; b vi 2 a,b; b crash`, "delivered different messages in view 1", 4},
	})
}

func TestCheckPrimaryComponent(t *testing.T) {
	runCases(t, PropPrimaryComponent, CheckPrimaryComponent, []checkCase{
		{"ok", `a vi 1 a,b,c,d,e primary; b vi 1 a,b,c,d,e primary; a vi 2 a,b,c primary; b vi 2 a,b,c primary; d vi 3 d,e; e vi 3 d,e`, "", 0},
		{"ok: minority primary is fine if it grew from a majority", `a vi 1 a,b,c primary; a vi 2 a,b primary; a vi 3 a,b,d,e,f primary`, "", 0},
		{"two concurrent primaries", `a vi 1 a,b,c,d,e primary; a vi 2 a,b,c primary; d vi 1 a,b,c,d,e primary; d vi 3 c,d,e primary`, "concurrent or disconnected", 2},
		{"no majority", `a vi 1 a,b,c,d primary; a vi 2 a,b primary`, "no majority", 2},
	})
}

func TestCheckIC1(t *testing.T) {
	runCases(t, PropIC1, CheckIC1, []checkCase{
		{"ok", `c propose ATTACK; p decide c ATTACK; q decide c ATTACK`, "", 0},
		{"ok: traitor disagrees", `c propose ATTACK; p decide c ATTACK; q decide c RETREAT; q faulty`, "", 0},
		{"ok: instances are separate", `p decide c ATTACK; q decide c RETREAT in=1`, "", 0},
		{"split", `c faulty; p decide c ATTACK; q decide c RETREAT; r decide c RETREAT`, `"ATTACK" by [p], "RETREAT" by [q r]`, 3},
		{"one process decides twice", `p decide c ATTACK; p decide c RETREAT`, "decided differently", 2},
	})
}

func TestCheckIC2(t *testing.T) {
	runCases(t, PropIC2, CheckIC2, []checkCase{
		{"ok", `c propose ATTACK; p decide c ATTACK; q decide c ATTACK`, "", 0},
		{"ok: traitor commander", `c propose ATTACK; c faulty; p decide c RETREAT`, "", 0},
		{"ok: traitor lieutenant", `c propose ATTACK; p decide c RETREAT; p faulty`, "", 0},
		{"wrong value", `c propose ATTACK; p decide c ATTACK; q decide c RETREAT`, `loyal q decided "RETREAT" for loyal commander c, which proposed "ATTACK"`, 2},
	})
}

func TestClasses(t *testing.T) {
	// Each class's checkers must catch what only its distinguishing property catches.
	gap := hist(t, `p mc 1; p mc 2; p dl p1; p dl p2; q dl p2; q dl p1`)
	hidden := hist(t, `p mc 1; p dl p1; q dl p1; q mc 1; q dl q1; r dl q1; r dl p1; p dl q1`)
	cyc := hist(t, `a mc 1; b mc 1; a dl a1; a dl b1; b dl b1; b dl a1`)
	for _, tc := range []struct {
		class string
		h     History
		catch bool
	}{
		{"reliable", gap, false}, {"fifo", gap, true},
		{"fifo", hidden, false}, {"causal", hidden, true}, {"causal", gap, true},
		{"reliable", cyc, false}, {"atomic", cyc, true}, {"fifo-atomic", cyc, true}, {"causal-atomic", cyc, true},
		{"atomic", gap, true}, {"atomic", hidden, true}, {"causal-atomic", hidden, true},
	} {
		cs := ChecksFor(tc.class)
		if cs == nil {
			t.Fatalf("ChecksFor(%q) = nil", tc.class)
		}
		if got := len(CheckAll(tc.h, cs...)) > 0; got != tc.catch {
			t.Errorf("class %s on %v: caught = %v, want %v", tc.class, tc.h, got, tc.catch)
		}
	}
	if ChecksFor("bogus") != nil {
		t.Error("unknown class should give nil")
	}
	a := ChecksFor("atomic")
	_ = append(a, CheckFIFO)
	if len(ChecksFor("atomic")) != 5 {
		t.Error("ChecksFor must return a fresh slice")
	}
	if len(VirtualSynchronyChecks) != 7 || len(ByzantineChecks) != 2 {
		t.Error("named checker sets changed size")
	}
	bad := hist(t, `a vi 1 b; a vi 1 a; c decide z X; d decide z Y`)
	if got := CheckAll(bad, append(VirtualSynchronyChecks, ByzantineChecks...)...); len(got) < 3 {
		t.Errorf("CheckAll found %d violations, want at least 3:\n%s", len(got), dump(got))
	}
}
