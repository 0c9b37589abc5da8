package matrix

import "fmt"

// Scenario is one column of the failure matrix.
type Scenario int

// The scenarios, in the order the matrix lists them.
const (
	None Scenario = iota
	Omission
	Timing
	Crash
	CoordinatorCrash
	SlowConsumer
)

// Scenarios lists every scenario.
var Scenarios = []Scenario{None, Omission, Timing, Crash, CoordinatorCrash, SlowConsumer}

var scenarioNames = [...]string{
	None:             "none",
	Omission:         "omission",
	Timing:           "timing",
	Crash:            "crash",
	CoordinatorCrash: "coordinator-crash",
	SlowConsumer:     "slow-consumer",
}

func (s Scenario) String() string {
	if s < 0 || int(s) >= len(scenarioNames) {
		return fmt.Sprintf("scenario(%d)", int(s))
	}
	return scenarioNames[s]
}

// RemovesMember reports whether the scenario ends with a member out of the
// view, so a view-change time is measured.
func (s Scenario) RemovesMember() bool {
	return s == Timing || s == Crash || s == CoordinatorCrash
}

// victim is the rank of the faulty member in a group of n, or -1.
func (s Scenario) victim(n int) int {
	switch s {
	case None:
		return -1
	case CoordinatorCrash:
		return 0
	default:
		return n - 1
	}
}
