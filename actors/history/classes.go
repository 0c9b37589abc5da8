package history

// The checker sets of Hadzilacos & Toueg's six broadcast classes (HT94
// §3.1-3.6). Each is the conjunction of the checkers of its properties.
var (
	reliableChecks = []Checker{CheckIntegrity, CheckValidity, CheckAgreement}
	atomicChecks   = append(clone(reliableChecks), CheckTotalOrder, CheckTotalOrderPrefix)
	classChecks    = map[string][]Checker{
		"reliable":      reliableChecks,
		"fifo":          append(clone(reliableChecks), CheckFIFO),
		"causal":        append(clone(reliableChecks), CheckFIFO, CheckCausal),
		"atomic":        atomicChecks,
		"fifo-atomic":   append(clone(atomicChecks), CheckFIFO),
		"causal-atomic": append(clone(atomicChecks), CheckFIFO, CheckCausal),
	}
)

// ChecksFor returns the checkers of a broadcast class: "reliable"
// (integrity, validity, agreement), "fifo" (reliable + FIFO), "causal"
// (reliable + FIFO + causal; causal order implies FIFO order, and checking
// FIFO too gives sharper reports), "atomic" (reliable + global total order
// + per-view prefix agreement), "fifo-atomic" (atomic + FIFO) and
// "causal-atomic" (atomic + FIFO + causal). An unknown class gives nil.
// The result is a fresh slice the caller may append to.
func ChecksFor(class string) []Checker {
	cs, ok := classChecks[class]
	if !ok {
		return nil
	}
	return clone(cs)
}

// VirtualSynchronyChecks are the virtual synchrony properties (BSS91;
// CKV01): view agreement, self inclusion, monotonic views,
// sending-view delivery, self delivery, same delivered set for processes
// that move between the same two views, and the primary-component sequence.
var VirtualSynchronyChecks = []Checker{
	CheckViewAgreement, CheckSelfInclusion, CheckMonotonicViews,
	CheckSendingViewDelivery, CheckSelfDelivery, CheckVirtualSynchrony,
	CheckPrimaryComponent,
}

// ByzantineChecks are the interactive consistency conditions of Lamport,
// Shostak & Pease (1982).
var ByzantineChecks = []Checker{CheckIC1, CheckIC2}

func clone(cs []Checker) []Checker { return append([]Checker(nil), cs...) }
