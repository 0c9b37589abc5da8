package agreement

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement/byz"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

// strategies are the byz traitor strategies, each tried in turn.
func strategies(generals []history.ProcessID, seed uint64) map[string]byz.Traitor {
	return map[string]byz.Traitor{
		"silent":         byz.Silent{},
		"always-lie":     byz.AlwaysLie{},
		"two-faced":      byz.TwoFaced{Offset: 1},
		"path-dependent": byz.PathDependent{Salt: seed},
		"random":         byz.Random{OmitPercent: 20},
		"colluding":      byz.NewColluding(generals, rand.New(rand.NewPCG(seed, 0))),
	}
}

// TestOMOneTraitorEachStrategy runs OM(1) with 4 generals on real actors in
// one process, with one traitor in every position and every strategy:
// loyal lieutenants agree (IC1) and follow a loyal commander (IC2).
func TestOMOneTraitorEachStrategy(t *testing.T) {
	const seed = 7
	for traitor := range 4 {
		probe := newTestNode(t, nil)
		for name, strategy := range strategies(generalIDs(probe, 4), seed) {
			t.Run(fmt.Sprintf("traitor=g%d/%s", traitor, name), func(t *testing.T) {
				rec := history.NewLog()
				node := newTestNode(t, rec)
				ids := generalIDs(node, 4)
				cfg := DefaultConfig()
				cfg.Generals, cfg.RoundDuration = ids, testRound
				c := newTestCouncil(t, node, cfg, WithRecorder(rec), WithTraitor(ids[traitor], strategy, seed))
				out, err := c.Propose(waitCtx(t), byz.Attack)
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				h := rec.History()
				loyalLieutenants := 3
				if traitor != 0 {
					loyalLieutenants = 2
				}
				if got := checkIC(t, h, "seed 7"); got != loyalLieutenants {
					t.Errorf("%d loyal Decide events, want %d", got, loyalLieutenants)
				}
				if !hasFaulty(h, ids[traitor]) {
					t.Errorf("no Faulty event for the traitor")
				}
				if len(out.Traitors) != 1 || out.Traitors[0] != ids[traitor] {
					t.Errorf("outcome traitors %v", out.Traitors)
				}
				v, ok := out.Value(ids[0])
				if !ok || (traitor != 0 && v != byz.Attack) {
					t.Errorf("outcome value %q, %v: %v", v, ok, out.Decisions)
				}
				if out.Rounds != 2 {
					t.Errorf("rounds %d, want m+1 = 2", out.Rounds)
				}
			})
		}
	}
}

// TestOMLoyalMessageCount: without traitors, OM(m) sends exactly the
// paper's number of messages and closes m+1 rounds.
func TestOMLoyalMessageCount(t *testing.T) {
	for _, tc := range []struct{ n, m int }{{4, 1}, {7, 2}} {
		t.Run(fmt.Sprintf("n=%d/m=%d", tc.n, tc.m), func(t *testing.T) {
			rec := history.NewLog()
			node := newTestNode(t, rec)
			cfg := DefaultConfig()
			cfg.Generals, cfg.M, cfg.RoundDuration = generalIDs(node, tc.n), tc.m, testRound
			c := newTestCouncil(t, node, cfg, WithRecorder(rec))
			out, err := c.Propose(waitCtx(t), byz.Retreat)
			if err != nil {
				t.Fatal(err)
			}
			if want := byz.OMMessageCount(tc.n, tc.m); out.Messages != want {
				t.Errorf("%d messages, want %d", out.Messages, want)
			}
			if out.Rounds != tc.m+1 {
				t.Errorf("%d rounds, want %d", out.Rounds, tc.m+1)
			}
			if v, ok := out.Value(cfg.Generals[0]); !ok || v != byz.Retreat {
				t.Errorf("decided %q %v", v, ok)
			}
			if got := checkIC(t, rec.History(), "loyal"); got != tc.n-1 {
				t.Errorf("%d decisions, want %d", got, tc.n-1)
			}
			if st := c.Stats(); st.RejectedTotal() != 0 || st.Sent != out.Messages || st.Accepted != out.Messages {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// smConfig is an SM council of n generals on node with test keys.
func smConfig(ids []history.ProcessID, m int) Config {
	keys := byztest.NewKeys(ids)
	cfg := DefaultConfig()
	cfg.Algorithm, cfg.Generals, cfg.M, cfg.RoundDuration = SM, ids, m, testRound
	cfg.PublicKeys, cfg.PrivateKeys = keys.Public, keys.Private
	return cfg
}

// TestSMThreeGeneralsOneTraitor: SM(1) with n=3 holds where OM(1) cannot,
// whichever general is the traitor; a lieutenant's lies about the
// commander's value are caught as forgeries.
func TestSMThreeGeneralsOneTraitor(t *testing.T) {
	for traitor := range 3 {
		for _, tc := range []struct {
			name     string
			strategy byz.Traitor
		}{
			{"two-faced", byz.TwoFaced{}},
			{"always-lie", byz.AlwaysLie{}},
			{"silent", byz.Silent{}},
		} {
			t.Run(fmt.Sprintf("traitor=g%d/%s", traitor, tc.name), func(t *testing.T) {
				rec := history.NewLog()
				node := newTestNode(t, rec)
				ids := generalIDs(node, 3)
				c := newTestCouncil(t, node, smConfig(ids, 1), WithRecorder(rec), WithTraitor(ids[traitor], tc.strategy, 1))
				out, err := c.Propose(waitCtx(t), byz.Attack)
				if err != nil {
					t.Fatal(err)
				}
				want := 2
				if traitor != 0 {
					want = 1
				}
				if got := checkIC(t, rec.History(), "SM(1) n=3"); got != want {
					t.Errorf("%d loyal decisions, want %d", got, want)
				}
				// g1 always hears the commander before g2's relay (g0 posts
				// to g1 first), so it relays a changed value; g2 may hear
				// g1's relay first and then has no one left to relay to.
				if traitor == 1 && tc.name == "always-lie" && c.Stats().Rejected[byz.ErrForged] == 0 {
					t.Errorf("a lieutenant's changed value was not rejected as forged: %+v", c.Stats())
				}
				if traitor == 0 && tc.name == "two-faced" {
					// Both lieutenants hold both values: choice is RETREAT.
					if v, ok := out.Value(ids[0]); !ok || v != byz.Retreat {
						t.Errorf("decided %q %v, want RETREAT", v, ok)
					}
				}
			})
		}
	}
}

// TestInteractiveConsistency: with n=4, m=1 and a traitor, every loyal
// general decides the same vector, whose entry for each loyal general is
// that general's own value.
func TestInteractiveConsistency(t *testing.T) {
	values := []string{byz.Attack, byz.Retreat, "HOLD", byz.Attack}
	for _, alg := range []byz.Algorithm{OM, SM} {
		for name, strategy := range map[string]byz.Traitor{"two-faced": byz.TwoFaced{}, "path-dependent": byz.PathDependent{Salt: 3}} {
			t.Run(fmt.Sprintf("%v/%s", alg, name), func(t *testing.T) {
				rec := history.NewLog()
				node := newTestNode(t, rec)
				ids := generalIDs(node, 4)
				cfg := smConfig(ids, 1)
				cfg.Algorithm, cfg.Interactive = alg, true
				traitor := ids[2]
				c := newTestCouncil(t, node, cfg, WithRecorder(rec), WithTraitor(traitor, strategy, 5))
				vals := map[history.ProcessID]string{}
				for i, id := range ids {
					vals[id] = values[i]
				}
				run, err := c.Start(vals)
				if err != nil {
					t.Fatal(err)
				}
				out, err := run.Wait(waitCtx(t))
				if err != nil {
					t.Fatal(err)
				}
				vec, ok := out.Vector()
				if !ok || len(out.Decisions) != 3 {
					t.Fatalf("loyal vectors differ or missing: %v", out.Decisions)
				}
				for i, id := range ids {
					if id != traitor && vec[id] != values[i] {
						t.Errorf("entry of loyal %s is %q, want %q", id, vec[id], values[i])
					}
				}
				if got := checkIC(t, rec.History(), "interactive"); got != 3*4 {
					t.Errorf("%d loyal decisions, want 12", got)
				}
			})
		}
	}
}

// TestSuccessiveSessions: one council runs several sessions, each its own
// instance in the history (Event.View is the session).
func TestSuccessiveSessions(t *testing.T) {
	rec := history.NewLog()
	node := newTestNode(t, rec)
	cfg := DefaultConfig()
	cfg.Generals, cfg.RoundDuration = generalIDs(node, 4), testRound
	c := newTestCouncil(t, node, cfg, WithRecorder(rec))
	runs := make([]*Run, 0, 3)
	for _, v := range []string{byz.Attack, byz.Retreat, byz.Attack} {
		r, err := c.Start(map[history.ProcessID]string{cfg.Generals[0]: v})
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	for i, r := range runs {
		out, err := r.Wait(waitCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{byz.Attack, byz.Retreat, byz.Attack}[i]
		if v, ok := out.Value(cfg.Generals[0]); out.Session != uint64(i+1) || !ok || v != want {
			t.Errorf("session %d decided %q %v, want %q", out.Session, v, ok, want)
		}
	}
	if got := checkIC(t, rec.History(), "sessions"); got != 9 {
		t.Errorf("%d decisions, want 9", got)
	}
}

func TestConfigValidate(t *testing.T) {
	probe := newTestNode(t, nil)
	ids := generalIDs(probe, 4)
	ok := DefaultConfig()
	ok.Generals = ids
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for name, change := range map[string]func(*Config){
		"no name":        func(c *Config) { c.Name = "" },
		"hash in name":   func(c *Config) { c.Name = "a#b" },
		"algorithm":      func(c *Config) { c.Algorithm = 0 },
		"one general":    func(c *Config) { c.Generals = ids[:1] },
		"repeat":         func(c *Config) { c.Generals = []history.ProcessID{ids[0], ids[0], ids[1], ids[2]} },
		"bad id":         func(c *Config) { c.Generals = append([]history.ProcessID{"nope"}, ids[1:]...) },
		"OM bound":       func(c *Config) { c.Generals = ids[:3] },
		"negative M":     func(c *Config) { c.M = -1 },
		"SM without key": func(c *Config) { c.Algorithm = SM },
		"commander":      func(c *Config) { c.Commander = "x/y" },
		"round":          func(c *Config) { c.RoundDuration = 0 },
		"value len":      func(c *Config) { c.MaxValueLen = 0 },
		"early":          func(c *Config) { c.MaxEarly = -1 },
	} {
		c := ok
		change(&c)
		if err := c.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: Validate = %v, want ErrConfig", name, err)
		}
	}
	if _, err := NewCouncil(probe, smConfig(ids, 1)); err != nil {
		t.Errorf("SM council with keys: %v", err)
	}
	bad := smConfig(ids, 1)
	bad.PrivateKeys = nil
	if _, err := NewCouncil(newTestNode(t, nil), bad); !errors.Is(err, ErrConfig) {
		t.Errorf("SM council without private keys: %v", err)
	}
	other := DefaultConfig()
	other.Generals = []history.ProcessID{"127.0.0.1:1/a", "127.0.0.1:1/b"}
	other.M = 0
	if _, err := NewCouncil(newTestNode(t, nil), other); !errors.Is(err, ErrConfig) {
		t.Errorf("council with no local general: %v", err)
	}
	view := history.Event{Kind: history.ViewInstall, View: 3, Members: ids}
	if g, err := GeneralsOf(view); err != nil || len(g) != 4 || g[2] != ids[2] {
		t.Errorf("GeneralsOf(view) = %v, %v", g, err)
	}
	if _, err := GeneralsOf(history.Event{Kind: history.Deliver}); !errors.Is(err, ErrConfig) {
		t.Errorf("GeneralsOf(deliver) = %v", err)
	}
}
