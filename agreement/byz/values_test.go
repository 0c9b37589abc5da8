package byz

import "testing"

func TestMajority(t *testing.T) {
	cases := []struct {
		vs   []string
		want string
	}{
		{nil, Retreat},
		{[]string{Attack}, Attack},
		{[]string{Attack, Retreat}, Retreat},
		{[]string{Retreat, Attack}, Retreat},
		{[]string{Attack, Attack, Retreat}, Attack},
		{[]string{Attack, Retreat, Attack, Retreat}, Retreat}, // tie
		{[]string{Attack, Attack, Retreat, Retreat, Attack}, Attack},
		{[]string{"a", "b", "c"}, Retreat}, // no strict majority
		{[]string{"a", "b", "a", "c", "a"}, "a"},
		{[]string{"b", "a", "a", "c"}, Retreat}, // plurality is not majority
	}
	for _, c := range cases {
		if got := majority(c.vs); got != c.want {
			t.Errorf("majority(%v) = %q, want %q", c.vs, got, c.want)
		}
	}
}

func TestChoice(t *testing.T) {
	cases := []struct {
		vs   []string
		want string
	}{
		{nil, Retreat},
		{[]string{Attack}, Attack},
		{[]string{"hold"}, "hold"},
		{[]string{Attack, "hold"}, Retreat},
	}
	for _, c := range cases {
		if got := choice(c.vs); got != c.want {
			t.Errorf("choice(%v) = %q, want %q", c.vs, got, c.want)
		}
	}
}
